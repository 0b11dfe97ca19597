from datetime import date

from odoo.tests import BaseCase

from ..lib.receivables import Receivable, alert_due, credit_decision, days_overdue, is_overdue, summarize

TODAY = date(2025, 2, 10)


class TestDaysOverdue(BaseCase):
    def test_days_since_oldest_due_date(self):
        self.assertEqual(days_overdue(date(2025, 1, 1), date(2025, 2, 10)), 40)

    def test_nothing_due_is_zero(self):
        self.assertEqual(days_overdue(None, date(2025, 2, 10)), 0)

    def test_due_in_future_is_zero(self):
        self.assertEqual(days_overdue(date(2025, 3, 1), date(2025, 2, 10)), 0)

    def test_today_must_be_a_date(self):
        with self.assertRaises(TypeError):
            days_overdue(date(2025, 1, 1), "2025-02-10")


class TestOverdue(BaseCase):
    def test_past_due_with_something_to_pay(self):
        self.assertTrue(is_overdue(date(2025, 2, 9), 100, TODAY))

    def test_due_today_or_later_is_not_overdue(self):
        self.assertFalse(is_overdue(TODAY, 100, TODAY))
        self.assertFalse(is_overdue(date(2025, 3, 1), 100, TODAY))

    def test_nothing_left_to_pay_is_not_overdue(self):
        self.assertFalse(is_overdue(date(2025, 1, 1), 0, TODAY))
        self.assertFalse(is_overdue(date(2025, 1, 1), -50, TODAY), "a credit note or a payment")
        self.assertFalse(is_overdue(None, 100, TODAY))

    def test_each_instalment_counts_on_its_own(self):
        """Half due 40 days ago, half due in 20 days; a credit note lowers the balance only."""
        lines = [
            ("acme", date(2025, 1, 1), 500.0),
            ("acme", date(2025, 3, 2), 500.0),
            ("acme", date(2024, 12, 1), -200.0),
            ("globex", date(2025, 3, 2), 300.0),
        ]
        figures = summarize(lines, TODAY)
        self.assertEqual(figures["acme"], Receivable(balance=800.0, overdue=500.0, oldest_due=date(2025, 1, 1)))
        self.assertEqual(figures["acme"].days_overdue(TODAY), 40)
        self.assertEqual(figures["globex"], Receivable(balance=300.0))
        self.assertEqual(figures["globex"].days_overdue(TODAY), 0)


class TestAlertDue(BaseCase):
    def test_alert_after_threshold(self):
        self.assertTrue(alert_due(31, 30))

    def test_no_alert_on_threshold_day(self):
        self.assertFalse(alert_due(30, 30))

    def test_zero_threshold_switches_alert_off(self):
        self.assertFalse(alert_due(400, 0))


class TestCreditDecision(BaseCase):
    def test_confirmed_orders_not_invoiced_count(self):
        decision = credit_decision(
            receivable=200, order_amount=500, uninvoiced=400, credit_limit=1000, credit_limit_enabled=True
        )
        self.assertTrue(decision.over_credit_limit)
        self.assertEqual(decision.exposure, 1100)
        self.assertEqual(decision.excess, 100)

    def test_within_credit_limit(self):
        decision = credit_decision(receivable=400, order_amount=500, credit_limit=1000, credit_limit_enabled=True)
        self.assertFalse(decision.blocked)
        self.assertEqual(decision.exposure, 900)
        self.assertEqual(decision.excess, 0)

    def test_over_credit_limit_with_this_order(self):
        decision = credit_decision(receivable=800, order_amount=500, credit_limit=1000, credit_limit_enabled=True)
        self.assertTrue(decision.blocked)
        self.assertTrue(decision.over_credit_limit)
        self.assertFalse(decision.over_overdue_limit)
        self.assertEqual(decision.exposure, 1300)
        self.assertEqual(decision.excess, 300)

    def test_exactly_at_limit_passes(self):
        decision = credit_decision(receivable=500, order_amount=500.004, credit_limit=1000, credit_limit_enabled=True)
        self.assertFalse(decision.blocked)

    def test_credit_limit_ignored_when_company_does_not_check(self):
        decision = credit_decision(receivable=5000, order_amount=500, credit_limit=1000, credit_limit_enabled=False)
        self.assertFalse(decision.blocked)

    def test_zero_credit_limit_means_no_limit(self):
        decision = credit_decision(receivable=5000, order_amount=500, credit_limit=0, credit_limit_enabled=True)
        self.assertFalse(decision.blocked)

    def test_credit_notes_lower_the_exposure(self):
        decision = credit_decision(receivable=-300, order_amount=1200, credit_limit=1000, credit_limit_enabled=True)
        self.assertFalse(decision.blocked)
        self.assertEqual(decision.exposure, 900)

    def test_overdue_beyond_threshold_blocks(self):
        decision = credit_decision(receivable=100, order_amount=100, overdue_days=61, block_overdue_days=60)
        self.assertTrue(decision.blocked)
        self.assertTrue(decision.over_overdue_limit)
        self.assertFalse(decision.over_credit_limit)

    def test_overdue_on_threshold_passes(self):
        decision = credit_decision(receivable=100, order_amount=100, overdue_days=60, block_overdue_days=60)
        self.assertFalse(decision.blocked)

    def test_overdue_block_off_at_zero(self):
        decision = credit_decision(receivable=100, order_amount=100, overdue_days=900, block_overdue_days=0)
        self.assertFalse(decision.blocked)

    def test_both_reasons(self):
        decision = credit_decision(
            receivable=2000,
            order_amount=100,
            credit_limit=1000,
            credit_limit_enabled=True,
            overdue_days=90,
            block_overdue_days=30,
        )
        self.assertTrue(decision.over_credit_limit)
        self.assertTrue(decision.over_overdue_limit)
