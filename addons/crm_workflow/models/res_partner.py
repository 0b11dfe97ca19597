from odoo import fields, models

CONTACT_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("phone", "Phone"), ("post", "Post")]


class ResPartner(models.Model):
    """The channels a contact may be reached by, which every sending path of the suite
    asks (:meth:`_crm_contactable`): campaigns, workflow mails, service notifications.

    A channel is allowed by the contact's choice and not blocked by Odoo's blacklists
    (``mail.blacklist`` for email, ``phone.blacklist`` for SMS and calls when installed).
    """

    _inherit = "res.partner"

    crm_allow_email = fields.Boolean(string="Email Allowed", default=True)
    crm_allow_sms = fields.Boolean(string="SMS Allowed", default=True)
    crm_allow_phone = fields.Boolean(string="Calls Allowed", default=True)
    crm_allow_post = fields.Boolean(string="Post Allowed", default=True)
    crm_preferred_channel = fields.Selection(
        CONTACT_CHANNELS, string="Preferred Channel", help="How the contact prefers to hear from us."
    )

    def _crm_contactable(self, channel):
        """The partners of ``self`` who may be reached by ``channel`` now."""
        if channel not in dict(CONTACT_CHANNELS):
            raise ValueError(f"unknown contact channel {channel!r}")
        partners = self.filtered(f"crm_allow_{channel}")
        if channel == "email":
            # sudo: the blacklist is read to honour it, whoever sends
            emails = [email for email in partners.mapped("email_normalized") if email]
            blocked = set(self.env["mail.blacklist"].sudo().search([("email", "in", emails)]).mapped("email"))
            return partners.filtered(lambda p: p.email_normalized and p.email_normalized not in blocked)
        if channel in ("sms", "phone"):
            numbered = partners.filtered(lambda p: p.mobile or p.phone)
            if "phone_sanitized" not in partners._fields or "phone.blacklist" not in self.env:
                return numbered
            # sudo: the blacklist is read to honour it, whoever sends
            blocked = set(
                self.env["phone.blacklist"]
                .sudo()
                .search([("number", "in", [n for n in numbered.mapped("phone_sanitized") if n])])
                .mapped("number")
            )
            return numbered.filtered(lambda p: not p.phone_sanitized or p.phone_sanitized not in blocked)
        return partners.filtered(lambda p: p.street or p.city)
