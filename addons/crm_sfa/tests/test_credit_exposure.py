from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase

from odoo.addons.crm_workflow.tests.common import call_kw

from .test_receivables import ReceivablesCase

# a 1x1 PNG: the customer's signature on the portal
SIGNATURE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


class CreditExposureCase(ReceivablesCase):
    """The Slow Payer may owe 1,000 (credit limit); each quotation of the participant is 800 (no tax)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.account_use_credit_limit = True
        cls.buyer.with_company(cls.company).credit_limit = 1000


class TestCreditExposure(CreditExposureCase):
    """Exposure = open receivable + confirmed orders not invoiced yet + this order, checked on every
    back-office confirmation."""

    def test_confirmed_orders_not_invoiced_count_in_the_exposure(self):
        call_kw(self.participant, "sale.order", "action_confirm", self.quotation.ids)
        second = self._quotation(self.buyer, self.participant)
        self.assertRegex(
            second.with_user(self.participant).crm_sfa_credit_block_reason,
            r"confirmed orders not invoiced yet \D*800\.00\D* \+ this order",
        )
        with self.assertRaisesRegex(UserError, "over its credit limit"):
            call_kw(self.participant, "sale.order", "action_confirm", second.ids)
        self.assertEqual(second.state, "draft")

    def test_manager_is_held_too(self):
        self.quotation.action_confirm()
        second = self._quotation(self.buyer, self.participant)
        with self.assertRaisesRegex(UserError, "over its credit limit"):
            call_kw(self.manager, "sale.order", "action_confirm", second.ids)
        self.assertEqual(second.state, "draft")

    def test_orders_confirmed_together_count_each_other(self):
        second = self._quotation(self.buyer, self.participant)
        with self.assertRaisesRegex(UserError, second.name):
            call_kw(self.participant, "sale.order", "action_confirm", (self.quotation | second).ids)
        self.assertEqual((self.quotation | second).mapped("state"), ["draft", "draft"])

    def test_invoiced_part_counts_once(self):
        """An order invoiced is in the open receivable, no longer in the confirmed orders not invoiced."""
        self.buyer.with_company(self.company).credit_limit = 1700
        self.quotation.action_confirm()
        self.quotation._create_invoices().action_post()
        second = self._quotation(self.buyer, self.participant)
        call_kw(self.participant, "sale.order", "action_confirm", second.ids)
        self.assertEqual(second.state, "sale")

    def test_superuser_confirmation_is_checked(self):
        """An automated confirmation (superuser mode) is a back-office one: the block holds it."""
        self.company.crm_sfa_block_overdue_days = 30
        self._post_invoice(self.buyer, 100, 45, user=self.participant)
        with self.assertRaisesRegex(UserError, "oldest invoice by 45 days"):
            self.quotation.with_user(self.participant).sudo().action_confirm()
        self.assertEqual(self.quotation.state, "draft")

    def test_workflow_step_confirmation_is_checked(self):
        """A workflow's automatic step runs its server action as superuser, as here: the block holds it."""
        self.quotation.action_confirm()
        second = self._quotation(self.buyer, self.participant)
        action = self.env["ir.actions.server"].create(
            {
                "name": "Confirm the order",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "state": "code",
                "code": "records.action_confirm()",
                "crm_workflow_usable": True,
            }
        )
        context = {"active_model": "sale.order", "active_id": second.id, "active_ids": second.ids}
        with self.assertRaisesRegex(UserError, "over its credit limit"):
            action.sudo().with_context(**context).run()
        self.assertEqual(second.state, "draft")

    def test_online_payment_confirms(self):
        """The customer's own online payment confirms its quotation, whatever the credit check says."""
        self.quotation.action_confirm()
        second = self._quotation(self.buyer, self.participant)
        self.assertTrue(second.crm_sfa_credit_block_reason)
        with self._payment_provider() as provider:
            # as the payment's post-processing runs it: as superuser
            transaction = (
                self.env["payment.transaction"]
                .sudo()
                .create(
                    {
                        "provider_id": provider.id,
                        "payment_method_id": provider.payment_method_ids.id,
                        "amount": second.amount_total,
                        "currency_id": second.currency_id.id,
                        "partner_id": self.buyer.id,
                        "reference": f"{second.name}-SFA",
                        "operation": "online_redirect",
                        "sale_order_ids": [Command.set(second.ids)],
                    }
                )
            )
            transaction._set_done()
            transaction._post_process()
        self.assertEqual(second.state, "sale")
        self.assertTrue(transaction.payment_id, "paid")
        other = self._quotation(self.buyer, self.participant)
        with self.assertRaises(UserError, msg="the payment let only its own quotation through"):
            other.sudo().action_confirm()

    @contextmanager
    def _payment_provider(self):
        """A test provider paying into the bank journal, as account_payment's tests make it."""
        Method = self.env.registry["account.payment.method"]
        information = Method._get_payment_method_information

        def with_test_provider(method):
            return {**information(method), "none": {"mode": "electronic", "type": ("bank",)}}

        with patch.object(Method, "_get_payment_method_information", with_test_provider):
            self.env["account.payment.method"].create({"name": "SFA Test", "code": "none", "payment_type": "inbound"})
            method = self.env.ref("payment.payment_method_unknown")
            provider = self.env["payment.provider"].create(
                {
                    "name": "SFA Test Provider",
                    "code": "none",
                    "state": "test",
                    "is_published": True,
                    "payment_method_ids": [Command.set(method.ids)],
                }
            )
            method.active = True
            provider.journal_id = self.env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
            )
            yield provider


class TestCreditExposurePortal(CreditExposureCase, HttpCase):
    def test_portal_signature_confirms(self):
        """The customer signs its quotation on the portal: confirmed, whatever the credit check says."""
        self.quotation.action_confirm()
        second = self._quotation(self.buyer, self.participant)
        second.write({"require_signature": True, "require_payment": False})
        self.assertTrue(second.crm_sfa_credit_block_reason)
        result = self.make_jsonrpc_request(
            f"/my/orders/{second.id}/accept",
            {"access_token": second._portal_ensure_token(), "name": "Slow Payer's buyer", "signature": SIGNATURE},
        )
        self.assertNotIn("error", result)
        self.assertEqual(second.state, "sale")

    def test_portal_signature_needs_the_order_access(self):
        """Guard: without the order's access token, nothing is confirmed."""
        second = self._quotation(self.buyer, self.participant)
        second.write({"require_signature": True, "require_payment": False})
        second._portal_ensure_token()
        result = self.make_jsonrpc_request(
            f"/my/orders/{second.id}/accept", {"access_token": "forged", "name": "Me", "signature": SIGNATURE}
        )
        self.assertIn("error", result)
        self.assertEqual(second.state, "draft")
