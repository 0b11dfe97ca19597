import math

from odoo.tests import BaseCase

from ..lib import forecast, revenue_change


class TestLibForecast(BaseCase):
    """The forecast methods and their choice by backtest, on plain numbers."""

    def test_linear_trend(self):
        self.assertEqual(forecast.linear_trend([10, 20, 30, 40], 2), [50, 60])
        self.assertEqual(forecast.linear_trend([7], 3), [7, 7, 7])
        self.assertEqual(forecast.linear_trend([], 1), [0.0])
        # least squares through noise: slope 11 / 5 = 2.2, intercept 4.5 - 2.2 * 1.5 = 1.2, at x = 4: 10
        self.assertEqual([round(v, 6) for v in forecast.linear_trend([1, 4, 5, 8], 1)], [10])

    def test_holt_follows_a_trend(self):
        self.assertEqual([round(v, 6) for v in forecast.holt([5, 10, 15, 20], 2, alpha=0.5, beta=0.5)], [25, 30])
        # smoothing factors from the grid: a clean line is forecast exactly whatever they are
        self.assertEqual([round(v, 6) for v in forecast.holt([100, 90, 80, 70, 60], 2)], [50, 40])

    def test_seasonal_naive(self):
        year = list(range(1, 13))
        self.assertEqual(forecast.seasonal_naive(year + year, 14), [*year, 1, 2])
        with self.assertRaises(ValueError):
            forecast.seasonal_naive(year[:11], 1)

    def test_error_measures(self):
        error, measure = forecast.forecast_error([100, 200], [110, 150])
        self.assertEqual(measure, "mape")
        self.assertAlmostEqual(error, (10 / 100 + 50 / 200) / 2 * 100)  # 17.5 %
        # a month without revenue: a percentage of zero means nothing, the MAE is taken
        error, measure = forecast.forecast_error([0, 200], [30, 150])
        self.assertEqual((error, measure), (40, "mae"))
        for actual, predicted in (([], []), ([1, 2], [1])):
            with self.subTest(actual=actual), self.assertRaises(ValueError):
                forecast.forecast_error(actual, predicted)

    def test_holdout_and_candidates(self):
        self.assertEqual([forecast.holdout_size(n) for n in (4, 8, 12, 24, 36)], [1, 2, 3, 6, 6])
        self.assertEqual(forecast.candidates(23), ["linear", "holt"])
        self.assertEqual(forecast.candidates(24), ["linear", "holt", "seasonal_naive"])

    def test_linear_series_picks_the_linear_trend(self):
        series = [1000 + 50 * month for month in range(30)]
        result = forecast.forecast(series, 3)
        self.assertEqual(result.method, "linear")
        self.assertAlmostEqual(result.error, 0, places=6)
        self.assertEqual(result.measure, "mape")
        self.assertEqual([round(v, 6) for v in result.values], [2500, 2550, 2600])

    def test_seasonal_series_picks_the_seasonal_naive(self):
        pattern = [100, 80, 120, 300, 90, 60, 200, 250, 50, 400, 150, 110]
        result = forecast.forecast(pattern * 3, 12)
        self.assertEqual(result.method, "seasonal_naive")
        self.assertAlmostEqual(result.error, 0)
        self.assertEqual(list(result.values), pattern)
        # the same pattern over less than two years is no evidence of a season
        self.assertNotEqual(forecast.forecast(pattern + pattern[:10], 3).method, "seasonal_naive")

    def test_level_shift_picks_holt(self):
        # flat, then a jump: the line lags behind, the smoothing catches up
        series = [100] * 12 + [300] * 6
        result = forecast.forecast(series, 1)
        self.assertEqual(result.method, "holt")
        holdout = forecast.holdout_size(len(series))
        expected = forecast.forecast_error(
            series[-holdout:], [max(0.0, v) for v in forecast.holt(series[:-holdout], holdout)]
        )
        self.assertEqual((result.error, result.measure), expected)

    def test_error_is_the_backtest_of_the_chosen_method(self):
        series = [120, 80, 150, 90, 200, 130, 170, 160]
        result = forecast.forecast(series, 2)
        holdout = forecast.holdout_size(len(series))
        errors = {
            method: forecast.forecast_error(
                series[-holdout:],
                [max(0.0, v) for v in forecast.FUNCTIONS[method](series[:-holdout], holdout)],
            )[0]
            for method in forecast.candidates(len(series))
        }
        self.assertEqual(result.error, min(errors.values()))
        self.assertEqual(result.error, errors[result.method])

    def test_short_and_falling_series(self):
        short = forecast.forecast([100, 200], 2)
        self.assertEqual((short.method, short.error, short.measure), ("linear", None, None))
        self.assertEqual(short.values, (300, 400))
        # never a negative forecast
        falling = forecast.forecast([500, 400, 300, 200, 100], 4)
        self.assertTrue(all(value >= 0 for value in falling.values))
        self.assertEqual(falling.values[-1], 0)
        with self.assertRaises(ValueError):
            forecast.forecast([1, 2, 3], 0)
        self.assertFalse(any(math.isnan(v) for v in forecast.forecast([0] * 10, 3).values))


class TestLibRevenueChange(BaseCase):
    """The split of a change of revenue into new, lost, grown and shrunk customers."""

    def test_decompose(self):
        rows = [
            ("north", "a", 100, 150),  # grown +50
            ("north", "b", 200, 120),  # shrunk -80
            ("north", "c", 0, 70),  # new +70
            ("north", "d", 40, 0),  # lost -40
            ("north", "a", 10, 0),  # same customer, another row: a is 110 -> 150, +40
            ("south", "e", 0, 0),  # nothing
            ("south", "f", 30, 30),  # unchanged
        ]
        changes = revenue_change.decompose(rows)
        north = changes["north"]
        self.assertEqual((north.before, north.after), (350, 340))
        self.assertEqual((north.new, north.lost, north.grown, north.shrunk), (70, -40, 40, -80))
        self.assertEqual(north.new + north.lost + north.grown + north.shrunk, north.change)
        self.assertEqual(north.counts, {"new": 1, "lost": 1, "grown": 1, "shrunk": 1})
        self.assertEqual(north.driver, "shrunk")
        south = changes["south"]
        self.assertEqual((south.change, south.driver), (0, None))
        self.assertEqual(south.counts["grown"], 1)  # a customer buying the same is no change

    def test_parts_always_add_up(self):
        rows = [("g", customer, (customer * 37) % 11 * 10.5, (customer * 53) % 7 * 13.25) for customer in range(200)]
        change = revenue_change.decompose(rows)["g"]
        self.assertAlmostEqual(change.new + change.lost + change.grown + change.shrunk, change.change)
        self.assertEqual(sum(change.counts.values()), sum(1 for _g, _c, b, a in rows if b or a))
