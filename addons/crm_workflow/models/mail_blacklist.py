from odoo import api, models
from odoo.tools import email_normalize

EMAIL = ["email"]


class MailBlacklist(models.Model):
    """Every address blocked or released, however Odoo does it (the blacklist's form and
    import, the *Blacklist* button, the unsubscribe page of a mailing), is logged as an
    email opt-out or opt-in of the contacts with that address (``crm.contact.optout``).

    The blacklist is not copied to the contacts' own choice (``crm_allow_email``): it
    blocks the address for everyone who holds it, and ``_crm_contactable`` honours it.
    """

    _inherit = "mail.blacklist"

    def _crm_blocked(self, emails):
        """Of ``emails`` (normalized), those the blacklist blocks now."""
        # sudo: whoever changes the blacklist (the public unsubscribe page included), its
        # log compares what it blocked before and after
        return (
            set(self.sudo().with_context(active_test=True).search([("email", "in", list(emails))]).mapped("email"))
            if emails
            else set()
        )

    @api.model_create_multi
    def create(self, vals_list):
        emails = {email_normalize(vals.get("email") or "") for vals in vals_list} - {False}
        before = self._crm_blocked(emails)
        records = super().create(vals_list)
        self.env["res.partner"]._crm_log_blacklist_changes("email_normalized", before, self._crm_blocked(emails), EMAIL)
        return records

    def write(self, vals):
        if "active" not in vals and "email" not in vals:
            return super().write(vals)
        emails = set(self.with_context(active_test=False).mapped("email"))
        emails.add(email_normalize(vals.get("email") or ""))
        emails.discard(False)
        before = self._crm_blocked(emails)
        result = super().write(vals)
        self.env["res.partner"]._crm_log_blacklist_changes("email_normalized", before, self._crm_blocked(emails), EMAIL)
        return result

    def unlink(self):
        released = {record.email for record in self if record.active}
        result = super().unlink()
        self.env["res.partner"]._crm_log_blacklist_changes("email_normalized", released, set(), EMAIL)
        return result
