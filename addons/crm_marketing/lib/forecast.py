"""Revenue forecast of a monthly series on plain numbers.

Nothing here reads the database. ``crm.marketing.forecast`` reads the monthly revenue of
each segment in one grouped query and calls :func:`forecast` per series.

**Methods** (:data:`METHODS`):

- ``linear``: a straight line fitted by least squares, extended;
- ``holt``: Holt's double exponential smoothing (level and trend), its two smoothing
  factors chosen on a small grid by the lowest in-sample one-step-ahead squared error;
- ``seasonal_naive``: each month repeats the same month one year earlier; a candidate
  only when the series holds at least :data:`SEASONAL_MIN_MONTHS` months (two seasons),
  so that one odd year is not taken for a pattern.

**Choice** by backtest: the last :func:`holdout_size` months are held out, each candidate
forecasts them from the months before, and the one with the lowest error wins (ties go
to the simpler method, in the order of :data:`METHODS`); it then forecasts the future
from the whole series. The error is the MAPE (mean absolute percentage error, in %) of
the holdout, or the MAE (mean absolute error, in money) when a held-out month is zero,
where a percentage has no meaning. A series too short to hold anything out (fewer than
:data:`MIN_BACKTEST_MONTHS` months) gets the linear trend and no error.

Forecasts are never negative: revenue below zero (more credit notes than invoices) is no
target anyone sets, so negative values are cut to zero, in the backtest as in the result.
"""

from dataclasses import dataclass

METHODS = ("linear", "holt", "seasonal_naive")
METHOD_LABELS = [
    ("linear", "Linear trend"),
    ("holt", "Holt (double exponential smoothing)"),
    ("seasonal_naive", "Seasonal naive"),
]
MEASURES = [("mape", "MAPE (%)"), ("mae", "MAE (amount)")]
SEASON = 12
SEASONAL_MIN_MONTHS = 2 * SEASON
MIN_BACKTEST_MONTHS = 4
HOLT_ALPHAS = (0.1, 0.3, 0.5, 0.7, 0.9)
HOLT_BETAS = (0.05, 0.1, 0.3, 0.5)


@dataclass(frozen=True)
class Forecast:
    """The chosen method, the forecast values and the backtest error (None: not measured)."""

    method: str
    values: tuple
    error: float | None
    measure: str | None


def linear_trend(series, horizon):
    """The least-squares line through ``series`` (x = 0, 1, ...), for the ``horizon`` next points."""
    n = len(series)
    if n < 2:
        return [series[0] if series else 0.0] * horizon
    mean_x = (n - 1) / 2
    mean_y = sum(series) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(series)) / sum((x - mean_x) ** 2 for x in range(n))
    intercept = mean_y - slope * mean_x
    return [intercept + slope * (n + step) for step in range(horizon)]


def _holt_run(series, alpha, beta):
    """Level, trend and in-sample one-step squared error of Holt's smoothing."""
    level, trend = series[0], series[1] - series[0]
    sse = 0.0
    for value in series[1:]:
        sse += (value - (level + trend)) ** 2
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return level, trend, sse


def holt(series, horizon, alpha=None, beta=None):
    """Holt's linear exponential smoothing; factors from the grid when not given."""
    if len(series) < 2:
        return linear_trend(series, horizon)
    if alpha is None or beta is None:
        alpha, beta = min(
            ((a, b) for a in HOLT_ALPHAS for b in HOLT_BETAS),
            key=lambda factors: _holt_run(series, *factors)[2],
        )
    level, trend, _sse = _holt_run(series, alpha, beta)
    return [level + trend * (step + 1) for step in range(horizon)]


def seasonal_naive(series, horizon, season=SEASON):
    """Each future month is the same month one season earlier (the last season repeated)."""
    if len(series) < season:
        raise ValueError("the seasonal naive forecast needs at least one full season")
    last = series[-season:]
    return [last[step % season] for step in range(horizon)]


FUNCTIONS = {"linear": linear_trend, "holt": holt, "seasonal_naive": seasonal_naive}


def forecast_error(actual, predicted):
    """``(error, measure)``: MAPE in % when no actual value is zero, else MAE."""
    if len(actual) != len(predicted) or not actual:
        raise ValueError("the error needs as many predictions as actual values, at least one")
    if all(actual):
        return sum(abs(a - p) / abs(a) for a, p in zip(actual, predicted, strict=True)) / len(actual) * 100, "mape"
    return sum(abs(a - p) for a, p in zip(actual, predicted, strict=True)) / len(actual), "mae"


def holdout_size(months):
    """How many final months the backtest holds out: a quarter of the series, 1 to 6."""
    return min(6, max(1, months // 4))


def candidates(months):
    """The methods that may forecast a series of ``months`` months."""
    return [method for method in METHODS if method != "seasonal_naive" or months >= SEASONAL_MIN_MONTHS]


def _predict(method, series, horizon):
    return [max(0.0, value) for value in FUNCTIONS[method](series, horizon)]


def forecast(series, horizon):
    """:class:`Forecast` of the ``horizon`` months after ``series`` (oldest month first)."""
    if horizon < 1:
        raise ValueError("the forecast needs a horizon of at least one month")
    series = [float(value) for value in series]
    if len(series) < MIN_BACKTEST_MONTHS:
        return Forecast("linear", tuple(_predict("linear", series, horizon)), None, None)
    holdout = holdout_size(len(series))
    train, test = series[:-holdout], series[-holdout:]
    scored = []
    for method in candidates(len(series)):
        error, measure = forecast_error(test, _predict(method, train, holdout))
        scored.append((error, METHODS.index(method), method, measure))
    error, _rank, method, measure = min(scored)
    return Forecast(method, tuple(_predict(method, series, horizon)), error, measure)
