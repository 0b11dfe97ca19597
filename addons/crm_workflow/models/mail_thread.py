from odoo import models

from ..lib.contact_preferences import CONTEXT_CONTACT_PREFERENCES


class MailThread(models.AbstractModel):
    """A message posted for the suite (a workflow's automatic step) is not emailed to the
    recipients who refused email or whose address is blacklisted: they still see it in
    the portal or the inbox, only the email is not sent."""

    _inherit = "mail.thread"

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if not self.env.context.get(CONTEXT_CONTACT_PREFERENCES):
            return recipients
        by_email = self.env["res.partner"].browse({r["id"] for r in recipients if r["notif"] == "email"})
        # sudo: whom the message reaches is the sender's rule, not the reader's rights
        allowed = set(by_email.sudo()._crm_contactable("email").ids)
        return [r for r in recipients if r["notif"] != "email" or r["id"] in allowed]
