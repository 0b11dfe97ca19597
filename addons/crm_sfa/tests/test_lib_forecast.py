from datetime import date

from odoo.tests import BaseCase

from ..lib import forecast, periods


class TestPeriods(BaseCase):
    def test_bounds_of_year_quarter_and_month(self):
        self.assertEqual(periods.bounds("annual", 2026, 1), (date(2026, 1, 1), date(2026, 12, 31)))
        self.assertEqual(periods.bounds("quarterly", 2026, 1), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(periods.bounds("quarterly", 2026, 4), (date(2026, 10, 1), date(2026, 12, 31)))
        self.assertEqual(periods.bounds("monthly", 2028, 2), (date(2028, 2, 1), date(2028, 2, 29)))

    def test_invalid_period_numbers(self):
        for period_type, number in (("annual", 2), ("quarterly", 5), ("monthly", 0), ("monthly", 13), ("weekly", 1)):
            with self.subTest(period_type=period_type, number=number):
                self.assertFalse(periods.is_valid(period_type, number))
                with self.assertRaises(ValueError):
                    periods.bounds(period_type, 2026, number)

    def test_period_of_a_day(self):
        self.assertEqual(periods.period_of(date(2026, 5, 20), "quarterly"), (2026, 2))
        self.assertEqual(periods.period_of(date(2026, 5, 20), "monthly"), (2026, 5))
        self.assertEqual(periods.period_of(date(2026, 5, 20), "annual"), (2026, 1))

    def test_month_starts_and_month_arithmetic(self):
        self.assertEqual(
            periods.month_starts(date(2025, 11, 15), date(2026, 2, 3)),
            [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)],
        )
        self.assertEqual(periods.add_months(date(2026, 1, 31), -1), date(2025, 12, 1))
        self.assertEqual(periods.add_months(date(2026, 11, 5), 14), date(2028, 1, 1))

    def test_overlaps_includes_both_ends(self):
        march = (date(2026, 3, 1), date(2026, 3, 31))
        self.assertTrue(periods.overlaps(march, (date(2026, 3, 31), date(2026, 4, 30))))
        self.assertFalse(periods.overlaps(march, (date(2026, 4, 1), date(2026, 4, 30))))


class TestForecast(BaseCase):
    def test_category_follows_probability(self):
        self.assertEqual(forecast.category_from_probability(0), "pipeline")
        self.assertEqual(forecast.category_from_probability(None), "pipeline")
        self.assertEqual(forecast.category_from_probability(49.9), "pipeline")
        self.assertEqual(forecast.category_from_probability(50), "best_case")
        self.assertEqual(forecast.category_from_probability(80), "commit")
        self.assertEqual(forecast.category_from_probability(100), "commit")

    def test_raw_win_rates_without_prior(self):
        rates = forecast.win_rates({"ann": (3, 1), "bob": (0, 4)}, prior_weight=0)
        self.assertEqual(rates["ann"].rate, 0.75)
        self.assertEqual(rates["bob"].rate, 0.0)
        self.assertEqual(rates["ann"].closed, 4)

    def test_win_rates_pulled_towards_the_pooled_rate(self):
        counts = {"ann": (3, 1), "bob": (0, 4), "new": (1, 0)}
        pooled = forecast.pooled_rate(counts)
        self.assertAlmostEqual(pooled, 4 / 9)
        rates = forecast.win_rates(counts, prior_weight=5)
        self.assertAlmostEqual(rates["ann"].rate, (3 + 5 * pooled) / 9)
        # one lucky deal does not make a 100 % forecast
        self.assertAlmostEqual(rates["new"].rate, (1 + 5 * pooled) / 6)
        self.assertLess(rates["new"].rate, 0.6)

    def test_win_rates_with_a_given_prior_and_no_history(self):
        rates = forecast.win_rates({"ann": (0, 0)}, prior_rate=0.3)
        self.assertAlmostEqual(rates["ann"].rate, 0.3)
        self.assertEqual(forecast.pooled_rate({}), 0.0)
        with self.assertRaises(ValueError):
            forecast.win_rates({"ann": (-1, 0)})
        with self.assertRaises(ValueError):
            forecast.win_rates({"ann": (1, 0)}, prior_weight=-1)

    def test_projection_of_open_pipeline(self):
        self.assertEqual(forecast.project(10000, 0.25), 2500)
        self.assertEqual(forecast.project(None, 0.25), 0)
        self.assertEqual(
            forecast.projection({"ann": 10000, "bob": 4000}, {"ann": 0.5}, default_rate=0.25),
            {"ann": 5000, "bob": 1000},
        )

    def test_history_window_starts_at_a_month(self):
        self.assertEqual(forecast.window_start(date(2026, 3, 15), 12), date(2025, 3, 1))
        with self.assertRaises(ValueError):
            forecast.window_start(date(2026, 3, 15), 0)
