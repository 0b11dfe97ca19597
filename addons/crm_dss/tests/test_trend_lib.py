from odoo.tests import BaseCase, tagged

from ..lib import trend


@tagged("post_install", "-at_install")
class TestTrendLib(BaseCase):
    """Least-squares trend, its forecast and the backtest error (MAPE)."""

    def test_fit_of_a_straight_line_is_exact(self):
        slope, intercept = trend.fit([1, 3, 5, 7])
        self.assertAlmostEqual(slope, 2.0)
        self.assertAlmostEqual(intercept, 1.0)
        self.assertEqual([round(v, 6) for v in trend.forecast([1, 3, 5, 7], 3)], [9, 11, 13])

    def test_fit_of_noisy_values(self):
        slope, intercept = trend.fit([2, 4, 5, 4, 5])
        self.assertAlmostEqual(slope, 0.6)
        self.assertAlmostEqual(intercept, 2.8)

    def test_short_series(self):
        self.assertEqual(trend.fit([]), (0.0, 0.0))
        self.assertEqual(trend.fit([5]), (0.0, 5.0))
        self.assertEqual(trend.forecast([5], 2), [5.0, 5.0])
        self.assertIsNone(trend.backtest([1, 2, 3], holdout=3))

    def test_mape(self):
        self.assertAlmostEqual(trend.mape([100, 200], [110, 180]), 10.0)
        # months with nothing sold are skipped, not divided by
        self.assertAlmostEqual(trend.mape([0, 100], [5, 90]), 10.0)
        self.assertIsNone(trend.mape([0, 0], [1, 2]))

    def test_backtest_of_a_line_is_zero(self):
        self.assertAlmostEqual(trend.backtest([10, 20, 30, 40, 50, 60], holdout=3), 0.0)

    def test_backtest_measures_the_holdout(self):
        # fitted on 10, 20, 30 -> forecast 40, 50, 60 against 40, 50, 30
        self.assertAlmostEqual(trend.backtest([10, 20, 30, 40, 50, 30], holdout=3), 100 / 3)

    def test_trend_summary(self):
        result = trend.trend([1, 3, 5, 7, 9, 11], periods=2, holdout=2)
        self.assertAlmostEqual(result["slope"], 2.0)
        self.assertEqual(len(result["fitted"]), 6)
        self.assertEqual([round(v, 6) for v in result["forecast"]], [13, 15])
        self.assertAlmostEqual(result["mape"], 0.0)
