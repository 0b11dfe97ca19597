from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form
from odoo.tools import mute_logger

from .common_receivables import CrmSfaReceivablesCommon


class ReceivablesCase(CrmSfaReceivablesCommon):
    """A customer of the participant (whose manager is the Sales department's) and a quotation for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Slow Payer", "is_company": True, "user_id": cls.participant.id}
        )
        cls.quotation = cls._quotation(cls.buyer, cls.participant)
        cls.company.write({"crm_sfa_overdue_alert_days": 30, "crm_sfa_block_overdue_days": 0})

    @classmethod
    def _quotation(cls, partner, user, qty=1):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": user.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": qty, "tax_id": [Command.clear()]})
                ],
            }
        )


class TestOverdueAlert(ReceivablesCase):
    def _alerts(self, partner=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", (partner or self.buyer).id),
                ("activity_type_id", "=", self.env.ref("crm_sfa.mail_activity_type_overdue_invoice").id),
            ]
        )

    def _run_cron(self):
        self.env["res.partner"]._cron_crm_sfa_overdue_alert()

    def test_salesperson_and_manager_alerted_with_mail(self):
        invoice = self._post_invoice(self.buyer, 1000, 40, user=self.participant)
        self._run_cron()
        alerts = self._alerts()
        self.assertEqual(alerts.user_id, self.participant | self.manager)
        self.assertIn(invoice.name, alerts[0].note)
        self.assertEqual(invoice.crm_sfa_overdue_alert_date, self.today)
        for user in self.participant | self.manager:
            notified = self.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.buyer.id),
                    ("partner_ids", "in", user.partner_id.ids),
                ]
            )
            self.assertTrue(notified, f"{user.login} gets a mail about the overdue invoices")

    def test_once_per_invoice(self):
        self._post_invoice(self.buyer, 1000, 40, user=self.participant)
        self._run_cron()
        self._run_cron()
        self.assertEqual(len(self._alerts()), 2, "the second day brings no new alert")
        newly_overdue = self._post_invoice(self.buyer, 200, 31, user=self.participant)
        self._run_cron()
        alerts = self._alerts()
        self.assertEqual(len(alerts), 4, "a newly overdue invoice alerts again")
        self.assertEqual(len(alerts.filtered(lambda activity: newly_overdue.name in activity.note)), 2)

    def test_not_yet_beyond_threshold(self):
        invoice = self._post_invoice(self.buyer, 1000, 30, user=self.participant)
        self._run_cron()
        self.assertFalse(self._alerts())
        self.assertFalse(invoice.crm_sfa_overdue_alert_date)

    def test_paid_invoice_not_alerted(self):
        invoice = self._post_invoice(self.buyer, 1000, 40, user=self.participant)
        self._pay(invoice)
        self._run_cron()
        self.assertFalse(self._alerts())

    def test_alert_switched_off(self):
        self.company.crm_sfa_overdue_alert_days = 0
        self._post_invoice(self.buyer, 1000, 400, user=self.participant)
        self._run_cron()
        self.assertFalse(self._alerts())

    def test_customer_without_salesperson_alerts_invoice_salesperson(self):
        customer = self.env["res.partner"].create({"name": "Walk-in"})
        self._post_invoice(customer, 100, 45, user=self.sub_user)
        self._run_cron()
        self.assertIn(self.sub_user, self._alerts(customer).user_id)

    def test_nobody_to_alert_waits(self):
        customer = self.env["res.partner"].create({"name": "Nobody's"})
        invoice = self._post_invoice(customer, 100, 45)
        self._run_cron()
        self.assertFalse(self._alerts(customer))
        self.assertFalse(invoice.crm_sfa_overdue_alert_date, "alerted once someone owns the customer")

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"crm_sfa_overdue_alert_days": 45, "crm_sfa_block_overdue_days": 90}
        )
        settings.execute()
        self.assertRecordValues(self.company, [{"crm_sfa_overdue_alert_days": 45, "crm_sfa_block_overdue_days": 90}])

    @mute_logger("odoo.sql_db")
    def test_negative_threshold_refused(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.company.write({"crm_sfa_block_overdue_days": -1})
            self.company.flush_recordset()


class TestCreditBlock(ReceivablesCase):
    def _enable_credit_limit(self, limit):
        self.company.account_use_credit_limit = True
        self.buyer.with_company(self.company).credit_limit = limit

    def test_overdue_beyond_threshold_blocks_confirmation(self):
        self.company.crm_sfa_block_overdue_days = 30
        self._post_invoice(self.buyer, 1000, 45, user=self.participant)
        quotation = self.quotation.with_user(self.participant)
        self.assertIn("45 days", quotation.crm_sfa_credit_block_reason)
        with self.assertRaisesRegex(UserError, "(?s)oldest invoice by 45 days.*Confirm with override"):
            quotation.action_confirm()
        self.assertEqual(self.quotation.state, "draft")

    def test_overdue_within_threshold_confirms(self):
        self.company.crm_sfa_block_overdue_days = 60
        self._post_invoice(self.buyer, 1000, 45, user=self.participant)
        self.quotation.with_user(self.participant).action_confirm()
        self.assertEqual(self.quotation.state, "sale")

    def test_over_credit_limit_with_this_order_blocks(self):
        self._post_invoice(self.buyer, 600, -15, user=self.participant)  # not due yet
        self._enable_credit_limit(1000)
        quotation = self.quotation.with_user(self.participant)
        self.assertGreater(600 + quotation.amount_total, 1000)
        with self.assertRaisesRegex(UserError, "over its credit limit"):
            quotation.action_confirm()
        self.assertEqual(self.quotation.state, "draft")

    def test_within_credit_limit_confirms(self):
        self._post_invoice(self.buyer, 100, -15, user=self.participant)
        self._enable_credit_limit(100 + self.quotation.amount_total)
        self.assertFalse(self.quotation.crm_sfa_credit_block_reason)
        self.quotation.with_user(self.participant).action_confirm()
        self.assertEqual(self.quotation.state, "sale")

    def test_credit_limit_ignored_when_company_does_not_check(self):
        self.buyer.with_company(self.company).credit_limit = 10
        self.quotation.with_user(self.participant).action_confirm()
        self.assertEqual(self.quotation.state, "sale")

    def test_contact_of_blocked_customer_is_blocked(self):
        self.company.crm_sfa_block_overdue_days = 30
        self._post_invoice(self.buyer, 1000, 45, user=self.participant)
        contact = self.env["res.partner"].create({"name": "Buyer's assistant", "parent_id": self.buyer.id})
        quotation = self._quotation(contact, self.participant).with_user(self.participant)
        with self.assertRaisesRegex(UserError, "Slow Payer"):
            quotation.action_confirm()

    def test_block_ignores_other_customers_in_batch(self):
        self.company.crm_sfa_block_overdue_days = 30
        self._post_invoice(self.buyer, 1000, 45, user=self.participant)
        good = self._quotation(self.customer, self.participant)
        with self.assertRaises(UserError):
            (good | self.quotation).with_user(self.participant).action_confirm()
        self.assertEqual((good | self.quotation).mapped("state"), ["draft", "draft"], "nothing half-done")
        good.with_user(self.participant).action_confirm()
        self.assertEqual(good.state, "sale")


class TestCreditOverride(ReceivablesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.crm_sfa_block_overdue_days = 30
        cls._post_invoice(cls.buyer, 1000, 45, user=cls.participant)

    def _override(self, user, order=None, reason="CFO promised payment on Friday"):
        order = order or self.quotation
        action = order.with_user(user).action_crm_sfa_confirm_override()
        wizard_form = Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))
        self.assertIn("45 days", wizard_form.block_reason)
        wizard_form.reason = reason
        return wizard_form.save().action_confirm()

    def test_manager_confirms_with_override(self):
        self._override(self.manager)
        self.assertEqual(self.quotation.state, "sale")
        override = self.env["crm.credit.override"].search([("order_id", "=", self.quotation.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "partner_id": self.buyer.id,
                    "user_id": self.manager.id,
                    "salesperson_id": self.participant.id,
                    "reason": "CFO promised payment on Friday",
                    "amount": self.quotation.amount_total,
                    "receivable": 1000,
                    "overdue_amount": 1000,
                    "overdue_days": 45,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertIn("45 days", override.blocked_reason)
        chatter = self.quotation.message_ids.filtered(lambda message: "CFO promised payment" in (message.body or ""))
        self.assertEqual(chatter.author_id, self.manager.partner_id)

    def test_override_without_reason_refused(self):
        with self.assertRaisesRegex(UserError, "Say why"):
            self._override(self.manager, reason=" ")
        self.assertEqual(self.quotation.state, "draft")
        self.assertFalse(self.env["crm.credit.override"].search([("order_id", "=", self.quotation.id)]))

    def test_salesperson_cannot_override(self):
        with self.assertRaises(AccessError):
            self._override(self.participant)
        self.assertEqual(self.quotation.state, "draft")

    def test_override_lets_only_its_order_pass(self):
        """An override confirms its order, then: another order of the customer stays blocked."""
        other = self._quotation(self.buyer, self.participant)
        self._override(self.manager)
        with self.assertRaises(UserError):
            other.with_user(self.participant).action_confirm()
        with self.assertRaises(UserError):
            other.with_user(self.manager).action_confirm()
        self.assertEqual(other.state, "draft")

    def test_override_of_unblocked_order_just_confirms(self):
        order = self._quotation(self.customer, self.participant)
        wizard = (
            self.env["crm.credit.override.confirm"]
            .with_user(self.manager)
            .create({"order_id": order.id, "reason": "Just in case"})
        )
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self.env["crm.credit.override"].search([("order_id", "=", order.id)]))

    def test_button_only_for_blocked_quotations(self):
        self.assertIn("45 days", Form(self.quotation.with_user(self.participant)).crm_sfa_credit_block_reason)
        self.assertTrue(self.quotation.crm_sfa_credit_block_reason)
        self.assertFalse(self._quotation(self.customer, self.participant).crm_sfa_credit_block_reason)


class TestCreditOverrideAccess(ReceivablesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Override = cls.env["crm.credit.override"]
        values = {"partner_id": cls.buyer.id, "reason": "Trusted", "user_id": cls.manager.id}
        cls.override_participant = Override.create(dict(values, order_id=cls.orders["participant"].id))
        cls.override_colleague = Override.create(dict(values, order_id=cls.orders["colleague"].id))
        cls.override_other = Override.create(
            dict(values, order_id=cls.orders["other_user"].id, user_id=cls.executive.id)
        )
        cls.override_company2 = Override.create(
            dict(values, order_id=cls.orders["company2_user"].id, user_id=cls.executive.id)
        )
        cls.overrides = cls.override_participant | cls.override_colleague | cls.override_other | cls.override_company2

    def test_salesperson_reads_overrides_of_own_orders(self):
        self.assertVisible(self.participant, self.overrides, self.override_participant)

    def test_salesperson_cannot_create_or_change_override(self):
        with self.assertRaises(AccessError):
            self.override_participant.with_user(self.participant).write({"reason": "Other"})
        with self.assertRaises(AccessError):
            self.env["crm.credit.override"].with_user(self.participant).create(
                {"order_id": self.quotation.id, "partner_id": self.buyer.id, "reason": "Me"}
            )

    def test_manager_reads_department_overrides(self):
        self.assertVisible(self.manager, self.overrides, self.override_participant | self.override_colleague)

    def test_manager_cannot_delete_override(self):
        with self.assertRaises(AccessError):
            self.override_participant.with_user(self.manager).unlink()

    def test_executive_reads_overrides_of_allowed_companies(self):
        self.assertVisible(
            self.executive,
            self.overrides,
            self.overrides,
            allowed_company_ids=(self.company | self.company_2).ids,
        )
        self.assertVisible(
            self.executive,
            self.overrides,
            self.overrides - self.override_company2,
            allowed_company_ids=[self.company.id],
        )

    def test_second_company_salesperson_reads_only_own(self):
        self.assertVisible(self.company2_user, self.overrides, self.override_company2)

    def test_portal_cannot_read_overrides(self):
        with self.assertRaises(AccessError):
            self.env["crm.credit.override"].with_user(self.portal).search([])
