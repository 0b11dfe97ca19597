from odoo import api, fields, models
from odoo.exceptions import AccessError


class MailActivity(models.Model):
    """Directive tasks: activities a receiving manager gives their staff, linked to the
    manager's recipient line (``crm.dss.directive.recipient``) by the task wizard only."""

    _inherit = "mail.activity"

    crm_dss_recipient_id = fields.Many2one(
        "crm.dss.directive.recipient",
        string="Directive Recipient",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
    )

    def _crm_dss_check_link(self, vals_list):
        if not self.env.su and any("crm_dss_recipient_id" in vals for vals in vals_list):
            raise AccessError(self.env._("Directive tasks are created with the Create Tasks button of the directive."))

    @api.model_create_multi
    def create(self, vals_list):
        self._crm_dss_check_link(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._crm_dss_check_link([vals])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_directive_task(self):
        if not self.env.su:
            # sudo: the link of the activities the caller deletes, to tell tasks apart
            tasks = self.sudo().filtered("crm_dss_recipient_id")
            if any(task.crm_dss_recipient_id.user_id != self.env.user for task in tasks):
                raise AccessError(
                    self.env._(
                        "A directive task is marked done by its assignee; only the manager who gave it may delete it."
                    )
                )
