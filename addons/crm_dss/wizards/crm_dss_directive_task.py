from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class CrmDssDirectiveTask(models.TransientModel):
    """Turn a received directive into tasks: one *Directive Task* activity on the directive
    for each chosen member of the manager's department, linked to the manager's line."""

    _name = "crm.dss.directive.task"
    _description = "Directive Tasks"

    recipient_id = fields.Many2one("crm.dss.directive.recipient", required=True, ondelete="cascade")
    directive_id = fields.Many2one(related="recipient_id.directive_id")
    department_id = fields.Many2one(related="recipient_id.department_id")
    allowed_user_ids = fields.Many2many("res.users", compute="_compute_allowed_user_ids")
    user_ids = fields.Many2many(
        "res.users",
        "crm_dss_directive_task_wizard_user_rel",
        "wizard_id",
        "user_id",
        string="Staff",
        domain="[('id', 'in', allowed_user_ids)]",
    )
    summary = fields.Char(required=True)
    deadline = fields.Date(required=True, default=fields.Date.context_today)
    note = fields.Html()

    @api.depends("recipient_id")
    def _compute_allowed_user_ids(self):
        for wizard in self:
            wizard.allowed_user_ids = wizard._crm_staff()

    def _crm_staff(self):
        """The users of the employees of the line's department and those under it, but its manager."""
        department = self.recipient_id.sudo().department_id
        if not department:
            return self.env["res.users"]
        # sudo: the staff of the manager's own department, offered as assignees
        employees = self.env["hr.employee"].sudo().search([("department_id", "child_of", department.id)])
        return employees.user_id.filtered(lambda user: not user.share) - self.recipient_id.user_id

    def action_create_tasks(self):
        self.ensure_one()
        recipient = self.recipient_id
        recipient._crm_check_own(self.env._("turn into tasks"))
        if recipient.state in ("sent", "done"):
            raise UserError(
                self.env._(
                    "Open and acknowledge the directive before giving tasks; a directive marked done takes none."
                )
            )
        if not self.user_ids:
            raise UserError(self.env._("Choose the staff who will do the task."))
        strangers = self.user_ids - self._crm_staff()
        if strangers:
            raise UserError(
                self.env._(
                    "%s are not staff of your department: choose members of it.",
                    ", ".join(strangers.mapped("name")),
                )
            )
        if self.deadline < fields.Date.context_today(self):
            raise UserError(self.env._("The deadline of the task is in the past: set a date from today on."))
        directive = recipient.directive_id
        task_type = self.env.ref("crm_dss.mail_activity_type_crm_dss_directive_task")
        # sudo: the caller is the line's manager and the users their staff (checked above);
        # the link to the line and the staff's read access are system-set
        directive.sudo().write({"task_user_ids": [Command.link(user.id) for user in self.user_ids]})
        (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id(directive._name),
                        "res_id": directive.id,
                        "activity_type_id": task_type.id,
                        "user_id": user.id,
                        "summary": self.summary,
                        "note": self.note,
                        "date_deadline": self.deadline,
                        "crm_dss_recipient_id": recipient.id,
                    }
                    for user in self.user_ids
                ]
            )
        )
        return {"type": "ir.actions.act_window_close"}
