from odoo import Command, models
from odoo.tools.mail import email_normalize, email_split_and_format


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _crm_drop_refusing_recipients(self):
        """Take out of these queued mails the recipients who may not be emailed: partners
        not contactable by email (their choice, the blacklist), and the raw addresses
        (``email_to``, ``email_cc``) that are blacklisted or that a contact who refused
        email holds. A mail left with no recipient is cancelled as *Opted Out*.
        """
        partners = self.recipient_ids
        refused = partners - partners._crm_contactable("email")
        raw = {
            email_normalize(address)
            for mail in self
            for address in email_split_and_format(mail.email_to) + email_split_and_format(mail.email_cc)
        } - {False}
        # sudo: the addresses' owners' choices decide, whoever sends
        blocked = set(self.env["mail.blacklist"].sudo().search([("email", "in", list(raw))]).mapped("email"))
        blocked |= set(
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "in", list(raw)), ("crm_allow_email", "=", False)])
            .mapped("email_normalized")
        )
        cancelled = self.browse()
        for mail in self:
            dropped = mail.recipient_ids & refused
            addresses = {fname: email_split_and_format(mail[fname]) for fname in ("email_to", "email_cc")}
            kept = {
                fname: [a for a in found if email_normalize(a) not in blocked] for fname, found in addresses.items()
            }
            if not dropped and kept == addresses:
                continue
            mail.write(
                {
                    "recipient_ids": [Command.unlink(partner.id) for partner in dropped],
                    **{fname: ", ".join(found) or False for fname, found in kept.items()},
                }
            )
            if not (mail.recipient_ids or mail.email_to or mail.email_cc):
                cancelled |= mail
        cancelled.write(
            {
                "state": "cancel",
                "failure_type": "mail_optout",
                "failure_reason": self.env._("The recipients refused email or their address is blacklisted."),
            }
        )
