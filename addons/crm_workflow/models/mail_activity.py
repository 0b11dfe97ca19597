from odoo import fields, models


class MailActivity(models.Model):
    _name = "mail.activity"
    _inherit = ["mail.activity", "crm.system.fields.mixin"]
    # linked by the engine only: an activity a user makes is not a workflow task
    _crm_system_fields = ("crm_workflow_workitem_id",)

    crm_workflow_workitem_id = fields.Many2one(
        "crm.workflow.workitem",
        string="Work Item",
        index="btree_not_null",
        ondelete="cascade",
        copy=False,
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a workflow task's activity done completes the task, wherever it is done."""
        workitems = self.crm_workflow_workitem_id.filtered(lambda item: item.state in ("offered", "taken"))
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if workitems:
            workitems.action_complete()
        return result
