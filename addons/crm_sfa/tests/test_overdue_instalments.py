from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError

from .test_receivables import ReceivablesCase


class TestOverdueInstalments(ReceivablesCase):
    """One definition of overdue: the instalments past their due date, with what is left to pay on them.

    The Slow Payer's invoice of 1,000 is dated 40 days ago, payable half at once and half
    in 60 days: 500 overdue by 40 days, 500 due in 20 days (the invoice's due date).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        terms = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.buyer.id,
                "invoice_user_id": cls.participant.id,
                "invoice_date": cls.today - timedelta(days=40),
                "invoice_payment_term_id": terms.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": 1000, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def test_invoice_due_date_is_the_last_instalment(self):
        self.assertEqual(self.invoice.invoice_date_due, self.today + timedelta(days=20))

    def test_customer_overview_counts_the_overdue_instalment(self):
        self.assertRecordValues(
            self.buyer.with_user(self.participant),
            [{"crm_sfa_receivable": 1000, "crm_sfa_overdue_amount": 500, "crm_sfa_overdue_days": 40}],
        )
        Partner = self.env["res.partner"].with_user(self.participant)
        self.assertIn(self.buyer, Partner.search([("crm_sfa_overdue_days", ">", 30)]))
        self.assertNotIn(self.buyer, Partner.search([("crm_sfa_overdue_amount", ">", 500)]))

    def test_overdue_invoices_of_the_customer(self):
        action = self.buyer.with_user(self.participant).action_crm_sfa_view_overdue_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), self.invoice)

    def test_alert_for_the_overdue_instalment(self):
        self.env["res.partner"]._cron_crm_sfa_overdue_alert()
        alerts = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.buyer.id),
                ("activity_type_id", "=", self.env.ref("crm_sfa.mail_activity_type_overdue_invoice").id),
            ]
        )
        self.assertEqual(alerts.user_id, self.participant | self.manager)
        note = str(alerts[0].note)
        self.assertIn(self.invoice.name, note)
        self.assertIn("500.00", note, "the overdue instalment, not the whole invoice")
        self.assertIn("40 days overdue", note)
        self.assertEqual(self.invoice.crm_sfa_overdue_alert_date, self.today)

    def test_credit_block_counts_from_the_overdue_instalment(self):
        self.company.crm_sfa_block_overdue_days = 30
        with self.assertRaisesRegex(UserError, r"500\.00.* overdue, its oldest invoice by 40 days"):
            self.quotation.with_user(self.participant).action_confirm()

    def test_paid_instalment_is_no_longer_overdue(self):
        self._pay(self.invoice, 500)
        self.assertRecordValues(
            self.buyer.with_user(self.participant),
            [{"crm_sfa_receivable": 500, "crm_sfa_overdue_amount": 0, "crm_sfa_overdue_days": 0}],
        )
