from datetime import timedelta

from odoo import Command, fields

from .common import CrmSfaCommon


class CrmSfaReceivablesCommon(CrmSfaCommon):
    """:class:`CrmSfaCommon` with helpers for posted customer invoices due on a given day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)

    @classmethod
    def _post_invoice(cls, partner, amount, overdue_days, user=None, company=None):
        """A posted invoice of ``amount`` (no tax) due ``overdue_days`` ago (negative: due in the future)."""
        due = cls.today - timedelta(days=overdue_days)
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_user_id": user.id if user else False,
                "company_id": (company or cls.company).id,
                "invoice_date": min(due, cls.today),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoice, amount=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount} if amount is not None else {})
        )
        return wizard._create_payments()
