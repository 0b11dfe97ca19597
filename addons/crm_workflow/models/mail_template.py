from odoo import models

from ..lib.contact_preferences import CONTEXT_CONTACT_PREFERENCES


class MailTemplate(models.Model):
    """A template sent for the suite (a workflow's automatic step) reaches no one who
    refused email: their mails lose those recipients, and a mail left with none is
    cancelled as *Opted Out* (``mail.mail._crm_drop_refusing_recipients``)."""

    _inherit = "mail.template"

    def send_mail_batch(
        self, res_ids, force_send=False, raise_exception=False, email_values=None, email_layout_xmlid=False
    ):
        if not self.env.context.get(CONTEXT_CONTACT_PREFERENCES):
            return super().send_mail_batch(
                res_ids, force_send, raise_exception, email_values=email_values, email_layout_xmlid=email_layout_xmlid
            )
        # sent only once the recipients who refused are out
        mails = super().send_mail_batch(
            res_ids, False, raise_exception, email_values=email_values, email_layout_xmlid=email_layout_xmlid
        )
        mails._crm_drop_refusing_recipients()
        if force_send:
            mails.filtered(lambda mail: mail.state == "outgoing").send(raise_exception=raise_exception)
        return mails
