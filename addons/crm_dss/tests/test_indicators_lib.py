from datetime import date

from odoo.tests import BaseCase

from ..lib import indicators as ind


class TestPeriods(BaseCase):
    """The current period runs from its first day to today; the previous one is whole."""

    def test_day(self):
        self.assertEqual(
            ind.period_bounds("day", date(2026, 3, 1)),
            (date(2026, 3, 1), date(2026, 3, 1), date(2026, 2, 28), date(2026, 2, 28)),
        )

    def test_week_starts_on_monday(self):
        # 2026-12-02 is a Wednesday
        self.assertEqual(
            ind.period_bounds("week", date(2026, 12, 2)),
            (date(2026, 11, 30), date(2026, 12, 2), date(2026, 11, 23), date(2026, 11, 29)),
        )

    def test_month_across_a_year(self):
        self.assertEqual(
            ind.period_bounds("month", date(2026, 1, 15)),
            (date(2026, 1, 1), date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
        )

    def test_unknown_period(self):
        with self.assertRaises(ValueError):
            ind.period_bounds("year", date(2026, 1, 1))


class TestFigures(BaseCase):
    def test_percent(self):
        self.assertEqual(ind.percent(1, 4), 25.0)
        self.assertIsNone(ind.percent(0, 0))

    def test_change(self):
        self.assertEqual(ind.change_percent(110, 100), 10.0)
        self.assertEqual(ind.change_percent(50, 100), -50.0)
        self.assertIsNone(ind.change_percent(10, 0))
        self.assertIsNone(ind.change_percent(10, None))

    def test_average_skips_missing_values(self):
        self.assertEqual(ind.average([10, None, 30]), 20.0)
        self.assertIsNone(ind.average([None]))
        self.assertIsNone(ind.average([]))


class TestThresholds(BaseCase):
    def test_rates_are_0_to_100(self):
        self.assertIsNone(ind.threshold_problem(ind.PERCENT, ind.BELOW, 80))
        self.assertIsNone(ind.threshold_problem(ind.PERCENT, ind.ABOVE, 0))
        self.assertEqual(ind.threshold_problem(ind.PERCENT, ind.BELOW, 101), "percent")
        self.assertEqual(ind.threshold_problem(ind.PERCENT, ind.BELOW, -1), "percent")

    def test_counts_and_amounts_are_not_negative(self):
        self.assertIsNone(ind.threshold_problem(ind.COUNT, ind.ABOVE, 5))
        self.assertEqual(ind.threshold_problem(ind.COUNT, ind.ABOVE, -1), "negative")
        self.assertEqual(ind.threshold_problem(ind.AMOUNT, ind.BELOW, -0.01), "negative")

    def test_a_change_is_above_zero(self):
        self.assertIsNone(ind.threshold_problem(ind.AMOUNT, ind.CHANGE_UP, 10))
        self.assertEqual(ind.threshold_problem(ind.AMOUNT, ind.CHANGE_UP, 0), "change")
        self.assertEqual(ind.threshold_problem(ind.PERCENT, ind.CHANGE_DOWN, -5), "change")

    def test_below_average_is_a_share(self):
        self.assertIsNone(ind.threshold_problem(ind.PERCENT, ind.BELOW_AVERAGE, 0))
        self.assertEqual(ind.threshold_problem(ind.PERCENT, ind.BELOW_AVERAGE, 100), "average")
        self.assertEqual(ind.threshold_problem(ind.PERCENT, ind.BELOW_AVERAGE, -1), "average")

    def test_returns_may_be_negative(self):
        self.assertIsNone(ind.threshold_problem(ind.RETURN, ind.BELOW, 0))
        self.assertIsNone(ind.threshold_problem(ind.RETURN, ind.BELOW, -50))
        self.assertEqual(ind.threshold_problem(ind.RETURN, ind.BELOW, -101), "return")

    def test_missing_and_unknown(self):
        self.assertEqual(ind.threshold_problem(ind.COUNT, ind.ABOVE, None), "missing")
        self.assertEqual(ind.threshold_problem(ind.COUNT, "between", 1), "comparison")

    def test_every_problem_is_known(self):
        self.assertTrue(set(ind.PROBLEMS) >= {"comparison", "missing", "change", "average", "percent", "return"})


class TestCrossed(BaseCase):
    def test_above_and_below_are_strict(self):
        self.assertTrue(ind.crossed(ind.ABOVE, 10, 11))
        self.assertFalse(ind.crossed(ind.ABOVE, 10, 10))
        self.assertTrue(ind.crossed(ind.BELOW, 80, 79.9))
        self.assertFalse(ind.crossed(ind.BELOW, 80, 80))

    def test_no_value_no_alert(self):
        for comparison in ind.COMPARISONS:
            self.assertFalse(ind.crossed(comparison, 10, None, previous=5, mean=5))

    def test_change_up(self):
        self.assertTrue(ind.crossed(ind.CHANGE_UP, 10, 111, previous=100))
        self.assertFalse(ind.crossed(ind.CHANGE_UP, 10, 110, previous=100))
        self.assertFalse(ind.crossed(ind.CHANGE_UP, 10, 50, previous=100))
        # from nothing to something is a surge; from nothing to nothing is not
        self.assertTrue(ind.crossed(ind.CHANGE_UP, 10, 1, previous=0))
        self.assertFalse(ind.crossed(ind.CHANGE_UP, 10, 0, previous=0))
        self.assertFalse(ind.crossed(ind.CHANGE_UP, 10, 5, previous=None))

    def test_change_down(self):
        self.assertTrue(ind.crossed(ind.CHANGE_DOWN, 10, 80, previous=100))
        self.assertFalse(ind.crossed(ind.CHANGE_DOWN, 10, 95, previous=100))
        self.assertFalse(ind.crossed(ind.CHANGE_DOWN, 10, 5, previous=0))

    def test_below_average(self):
        self.assertTrue(ind.crossed(ind.BELOW_AVERAGE, 0, 39, mean=40))
        self.assertFalse(ind.crossed(ind.BELOW_AVERAGE, 0, 40, mean=40))
        self.assertTrue(ind.crossed(ind.BELOW_AVERAGE, 20, 31, mean=40))
        self.assertFalse(ind.crossed(ind.BELOW_AVERAGE, 20, 32, mean=40))
        self.assertFalse(ind.crossed(ind.BELOW_AVERAGE, 20, 10, mean=None))

    def test_indicators_have_kinds(self):
        self.assertEqual(ind.INDICATORS["overdue_receivables"].model, None)
        self.assertEqual(ind.INDICATORS["campaign_roi"].kind, ind.RETURN)
        self.assertEqual(ind.INDICATORS["complaint_count"].model, "crm.service.case")
