from odoo import fields, models


class CrmWorkflowWorkitemReassign(models.TransientModel):
    """Delegate, transfer or send back a task, with the reason kept in its history."""

    _name = "crm.workflow.workitem.reassign"
    _description = "Reassign a Work Item"

    workitem_id = fields.Many2one("crm.workflow.workitem", required=True, ondelete="cascade")
    mode = fields.Selection(
        [
            ("delegate", "Delegate: they do it, you stay answerable"),
            ("transfer", "Transfer: it becomes theirs"),
            ("send_back", "Send back to the previous step"),
        ],
        required=True,
        default="delegate",
    )
    user_id = fields.Many2one("res.users", string="To", domain=[("share", "=", False)])
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        item = self.workitem_id
        if self.mode == "delegate":
            item._delegate(self.user_id, self.reason)
        elif self.mode == "transfer":
            item._transfer(self.user_id, self.reason)
        else:
            item._send_back(self.reason)
        return {"type": "ir.actions.act_window_close"}
