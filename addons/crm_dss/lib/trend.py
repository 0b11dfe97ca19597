"""Linear trend of a monthly series: least-squares line, forecast, backtest error.

The series is a list of numbers, one a month, oldest first. ``fit`` draws the
least-squares line through it, ``forecast`` extends that line, and ``backtest`` fits
the line without the last ``holdout`` months and measures how far its forecast of them
falls from what happened (MAPE, in percent; months with a zero actual are skipped).
"""


def fit(values):
    """``(slope, intercept)`` of the least-squares line through ``values`` at x = 0, 1, ...

    One value gives a flat line through it; no value a flat line at 0.
    """
    count = len(values)
    if count == 0:
        return 0.0, 0.0
    if count == 1:
        return 0.0, float(values[0])
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    sxx = sum((x - mean_x) ** 2 for x in range(count))
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def forecast(values, periods=3):
    """The next ``periods`` values on the trend line of ``values``."""
    slope, intercept = fit(values)
    start = len(values)
    return [intercept + slope * x for x in range(start, start + periods)]


def mape(actual, predicted):
    """Mean absolute percentage error of ``predicted`` against ``actual`` (None if no month counts)."""
    errors = [abs(a - p) / abs(a) for a, p in zip(actual, predicted, strict=True) if a]
    return 100.0 * sum(errors) / len(errors) if errors else None


def backtest(values, holdout=3):
    """MAPE of the trend fitted without the last ``holdout`` values, on those values.

    None when the series is too short (fewer than two values left to fit).
    """
    if holdout <= 0 or len(values) - holdout < 2:
        return None
    train, test = values[:-holdout], values[-holdout:]
    return mape(test, forecast(train, holdout))


def trend(values, periods=3, holdout=3):
    """``{"slope", "intercept", "fitted", "forecast", "mape"}`` of ``values``."""
    slope, intercept = fit(values)
    return {
        "slope": slope,
        "intercept": intercept,
        "fitted": [intercept + slope * x for x in range(len(values))],
        "forecast": forecast(values, periods),
        "mape": backtest(values, holdout),
    }
