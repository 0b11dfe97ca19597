from odoo import fields, models


class CrmWorkflowMixin(models.AbstractModel):
    """Shows the workflow instances of a record on its form; inherit it to get a smart button."""

    _name = "crm.workflow.mixin"
    _description = "Records Run by Workflows"

    workflow_instance_count = fields.Integer(string="Workflows", compute="_compute_workflow_instance_count")

    def _compute_workflow_instance_count(self):
        counts = dict(
            self.env["crm.workflow.instance"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
            )
        )
        for record in self:
            record.workflow_instance_count = counts.get(record.id, 0)

    def action_view_workflow_instances(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_workflow.crm_workflow_instance_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_start_workflow(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.workflow.start",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_ids": str(self.ids)},
        }
