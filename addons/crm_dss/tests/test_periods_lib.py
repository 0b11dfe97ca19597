from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..lib.periods import check_period, day_bounds, next_period_start, period_bounds, previous_period


@tagged("post_install", "-at_install")
class TestPeriodsLib(BaseCase):
    """The report periods on plain dates: ISO weeks, months, quarters, leap years."""

    def test_week_runs_monday_to_sunday(self):
        # 2026-12-02 is a Wednesday
        self.assertEqual(period_bounds("weekly", date(2026, 12, 2)), (date(2026, 11, 30), date(2026, 12, 6)))
        self.assertEqual(period_bounds("weekly", date(2026, 11, 30)), (date(2026, 11, 30), date(2026, 12, 6)))
        self.assertEqual(period_bounds("weekly", date(2026, 12, 6)), (date(2026, 11, 30), date(2026, 12, 6)))

    def test_week_across_the_year(self):
        self.assertEqual(period_bounds("weekly", date(2027, 1, 1)), (date(2026, 12, 28), date(2027, 1, 3)))
        self.assertEqual(previous_period("weekly", date(2027, 1, 4)), (date(2026, 12, 28), date(2027, 1, 3)))

    def test_month(self):
        self.assertEqual(period_bounds("monthly", date(2026, 11, 15)), (date(2026, 11, 1), date(2026, 11, 30)))
        self.assertEqual(period_bounds("monthly", date(2026, 12, 31)), (date(2026, 12, 1), date(2026, 12, 31)))
        self.assertEqual(previous_period("monthly", date(2027, 1, 1)), (date(2026, 12, 1), date(2026, 12, 31)))
        self.assertEqual(previous_period("monthly", date(2026, 12, 2)), (date(2026, 11, 1), date(2026, 11, 30)))

    def test_february_in_leap_and_common_years(self):
        self.assertEqual(period_bounds("monthly", date(2028, 2, 10)), (date(2028, 2, 1), date(2028, 2, 29)))
        self.assertEqual(period_bounds("monthly", date(2027, 2, 10)), (date(2027, 2, 1), date(2027, 2, 28)))
        self.assertEqual(period_bounds("monthly", date(2100, 2, 10))[1], date(2100, 2, 28), "2100 is no leap year")
        self.assertEqual(period_bounds("monthly", date(2000, 2, 10))[1], date(2000, 2, 29), "2000 is one")
        self.assertEqual(previous_period("weekly", date(2028, 3, 6)), (date(2028, 2, 28), date(2028, 3, 5)))

    def test_quarter(self):
        self.assertEqual(period_bounds("quarterly", date(2026, 1, 1)), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(period_bounds("quarterly", date(2026, 6, 30)), (date(2026, 4, 1), date(2026, 6, 30)))
        self.assertEqual(period_bounds("quarterly", date(2026, 8, 15)), (date(2026, 7, 1), date(2026, 9, 30)))
        self.assertEqual(period_bounds("quarterly", date(2026, 12, 2)), (date(2026, 10, 1), date(2026, 12, 31)))
        self.assertEqual(previous_period("quarterly", date(2027, 1, 1)), (date(2026, 10, 1), date(2026, 12, 31)))
        self.assertEqual(previous_period("quarterly", date(2028, 4, 1)), (date(2028, 1, 1), date(2028, 3, 31)))

    def test_next_period_start(self):
        self.assertEqual(next_period_start("weekly", date(2026, 12, 2)), date(2026, 12, 7))
        self.assertEqual(next_period_start("monthly", date(2026, 12, 2)), date(2027, 1, 1))
        self.assertEqual(next_period_start("quarterly", date(2026, 11, 30)), date(2027, 1, 1))
        self.assertEqual(next_period_start("monthly", date(2028, 2, 29)), date(2028, 3, 1))

    def test_bad_period_and_day(self):
        for bad in ("daily", "", None, "Monthly"):
            with self.assertRaises(ValueError):
                check_period(bad)
            with self.assertRaises(ValueError):
                period_bounds(bad, date(2026, 1, 1))
        with self.assertRaises(TypeError):
            period_bounds("monthly", "2026-01-01")
        self.assertEqual(check_period("weekly"), "weekly")

    def test_day_bounds_are_local_midnights_in_utc(self):
        shanghai = day_bounds(date(2026, 3, 1), date(2026, 3, 31), "Asia/Shanghai")
        self.assertEqual(shanghai, (datetime(2026, 2, 28, 16, 0), datetime(2026, 3, 31, 16, 0)))
        self.assertEqual(
            day_bounds(date(2026, 3, 1), date(2026, 3, 1), False), (datetime(2026, 3, 1), datetime(2026, 3, 2))
        )
        self.assertEqual(day_bounds(date(2026, 3, 1), date(2026, 3, 1), "Mars/Olympus")[0], datetime(2026, 3, 1))
        # daylight saving time: New York is UTC-5 in winter, UTC-4 in summer
        self.assertEqual(
            day_bounds(date(2026, 3, 1), date(2026, 6, 30), "America/New_York"),
            (datetime(2026, 3, 1, 5, 0), datetime(2026, 7, 1, 4, 0)),
        )
