from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import domains


class CrmWorkflowStart(models.TransientModel):
    """Start an active process by hand on the records the user selected (workflow
    managers, on records they may change)."""

    _name = "crm.workflow.start"
    _description = "Start a Workflow"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True, help="The ids of the records, as a list such as [1, 2, 3].")
    process_id = fields.Many2one(
        "crm.workflow.process",
        required=True,
        domain="[('model', '=', res_model), ('state', '=', 'active')]",
    )
    record_count = fields.Integer(compute="_compute_record_count")

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            try:
                wizard.record_count = len(domains.parse_ids(wizard.res_ids))
            except domains.ConditionError:
                wizard.record_count = 0

    def action_start(self):
        self.ensure_one()
        if self.res_model not in self.env or self.res_model != self.process_id.model:
            raise UserError(self.env._("The process %s does not run on these records.", self.process_id.display_name))
        try:
            ids = domains.parse_ids(self.res_ids)
        except domains.ConditionError as error:
            raise UserError(self.env._("The records to start the workflow on cannot be read: %s.", error)) from error
        records = self.env[self.res_model].browse(ids).exists()
        self.process_id._start_manually(records)
        return {"type": "ir.actions.act_window_close"}
