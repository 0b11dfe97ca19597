from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_workflow.tests.common import call_kw, new_staff_user


@tagged("post_install", "-at_install")
class TestServiceCreditWithReceivables(TransactionCase):
    """With crm_sfa, a charged service case passes the credit check of orders before it is
    scheduled: the suite's one overdue rule and credit limit, approval by a manager; the
    customer history shows the orders and invoices beside the cases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        cls.company.write({"crm_sfa_block_overdue_days": 30, "account_use_credit_limit": True})
        department = cls.env["hr.department"].create({"name": "Call Centre"})
        cls.manager = new_staff_user(cls.env, "credit_manager", "crm_service.group_crm_service_manager", department)
        department.manager_id = cls.manager.employee_ids
        cls.agent = new_staff_user(cls.env, "credit_agent", "crm_service.group_crm_service_user", department)
        cls.customer = cls.env["res.partner"].create({"name": "Late Payer Ltd", "phone": "+86 21 5555 0101"})
        cls.repair = cls.env.ref("crm_service.crm_service_case_type_repair")

    @classmethod
    def _post_invoice(cls, amount, overdue_days):
        due = fields.Date.today() - timedelta(days=overdue_days)
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": min(due, fields.Date.today()),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Repair", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _charged_case(self, amount=500):
        return (
            self.env["crm.service.case"]
            .with_user(self.agent)
            .create(
                {
                    "subject": "Pump overhaul",
                    "partner_id": self.customer.id,
                    "type_id": self.repair.id,
                    "service_amount": amount,
                }
            )
        )

    def test_customer_in_good_standing_passes(self):
        self._post_invoice(1000, overdue_days=-10)
        case = self._charged_case()
        self.assertEqual((case.coverage, case.credit_state), ("uncovered", "passed"))
        case.action_start()
        self.assertEqual(case.state, "in_progress")

    def test_overdue_customer_is_blocked_then_approved_by_the_manager(self):
        self._post_invoice(1000, overdue_days=45)
        case = self._charged_case()
        self.assertEqual(case.credit_state, "blocked")
        self.assertIn("45", case.credit_check_ids.note)
        # not scheduled while blocked, and nothing changes
        with self.assertRaises(UserError):
            case.action_start()
        self.assertEqual(case.state, "new")
        # agents see the decision, not the customer's accounting figures
        with self.assertRaises(AccessError):
            case.credit_check_ids.read(["exposure"])
        case.action_credit_request_approval()
        self.assertEqual(case.credit_state, "pending")
        activity = case.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertTrue(activity)
        with self.assertRaises(AccessError):
            call_kw(self.agent, "crm.service.case", "action_credit_approve", case.ids)
        case.with_user(self.manager).action_credit_approve()
        self.assertEqual(case.credit_state, "approved")
        self.assertEqual(case.credit_check_ids.sorted("id").mapped("decision"), ["blocked", "pending", "approved"])
        self.assertEqual(case.credit_check_ids.sorted("id")[-1].user_id, self.manager)
        case.action_start()
        self.assertEqual(case.state, "in_progress")

    def test_over_the_credit_limit_is_blocked_and_refused(self):
        self.customer.with_company(self.company).sudo().credit_limit = 800
        self._post_invoice(600, overdue_days=-5)
        case = self._charged_case(amount=300)
        self.assertEqual(case.credit_state, "blocked")
        check = case.credit_check_ids.with_user(self.manager)
        self.assertAlmostEqual(check.exposure, 900)
        case.with_user(self.manager).action_credit_refuse()
        self.assertEqual(case.credit_state, "refused")
        with self.assertRaises(UserError):
            case.action_start()
        case.action_cancel()
        self.assertEqual(case.state, "cancel")

    def test_history_shows_invoices_and_orders_to_whoever_may_read_them(self):
        invoice = self._post_invoice(1000, overdue_days=0)
        case = self._charged_case()
        entries = {(e["model"], e["id"]) for e in self.customer._crm_service_history()}
        self.assertIn(("account.move", invoice.id), entries)
        self.assertIn(("crm.service.case", case.id), entries)
        # the agent has no accounting rights: the invoices are left out of their history
        agent_entries = {(e["model"], e["id"]) for e in self.customer.with_user(self.agent)._crm_service_history()}
        self.assertIn(("crm.service.case", case.id), agent_entries)
        self.assertNotIn(("account.move", invoice.id), agent_entries)
