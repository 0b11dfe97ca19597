from odoo import models

from odoo.addons.crm_workflow.lib import contact_preferences as prefs
from odoo.addons.crm_workflow.models.res_partner import CONTEXT_REASON


class MailBlacklist(models.Model):
    """The reason a recipient gives on a mailing's unsubscribe page (mass_mailing writes it
    on their blacklist entry as ``opt_out_reason_id``) is logged as an email opt-out of the
    contacts with that address, source *Unsubscribe page*, with the suite's reason of that
    answer (``mailing.subscription.optout.crm_reason``) and its words as the note."""

    _inherit = "mail.blacklist"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("opt_out_reason_id"):
            answer = self.env["mailing.subscription.optout"].browse(vals["opt_out_reason_id"])
            reason = prefs.Reason(reason=answer.crm_reason, note=answer.name or "", source=prefs.SOURCE_UNSUBSCRIBE)
            self.env["res.partner"].with_context(**{CONTEXT_REASON: reason})._crm_log_blacklist_changes(
                "email_normalized", set(), set(self.filtered("active").mapped("email")), ["email"]
            )
        return result
