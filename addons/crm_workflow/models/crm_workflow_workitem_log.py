from odoo import fields, models


class CrmWorkflowWorkitemLog(models.Model):
    """One change of a work item: who did what, when, and why."""

    _name = "crm.workflow.workitem.log"
    _description = "Work Item History"
    _order = "date desc, id desc"

    workitem_id = fields.Many2one("crm.workflow.workitem", required=True, ondelete="cascade", index=True)
    instance_id = fields.Many2one(related="workitem_id.instance_id", store=True, index=True)
    activity_id = fields.Many2one(related="workitem_id.activity_id")
    company_id = fields.Many2one(related="workitem_id.company_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    action = fields.Selection(
        [
            ("offered", "Offered"),
            ("taken", "Taken"),
            ("completed", "Completed"),
            ("delegated", "Delegated"),
            ("transferred", "Transferred"),
            ("sent_back", "Sent Back"),
            ("escalated", "Escalated"),
            ("error", "Failed"),
            ("retried", "Retried"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
    )
    user_id = fields.Many2one("res.users", string="By")
    from_user_id = fields.Many2one("res.users", string="From")
    to_user_id = fields.Many2one("res.users", string="To")
    reason = fields.Text()
