from odoo import api, fields, models
from odoo.tools.safe_eval import safe_eval


class CrmWorkflowStart(models.TransientModel):
    """Start an active process by hand on the records the user selected."""

    _name = "crm.workflow.start"
    _description = "Start a Workflow"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    process_id = fields.Many2one(
        "crm.workflow.process",
        required=True,
        domain="[('model', '=', res_model), ('state', '=', 'active')]",
    )
    record_count = fields.Integer(compute="_compute_record_count")

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            wizard.record_count = len(safe_eval(wizard.res_ids or "[]"))

    def action_start(self):
        self.ensure_one()
        records = self.env[self.res_model].browse(safe_eval(self.res_ids)).exists()
        records.check_access("read")
        self.process_id.action_start_on(records)
        return {"type": "ir.actions.act_window_close"}
