"""Early warnings on plain numbers: indicators, the periods they are read over, thresholds.

Nothing here reads the database. ``crm.dss.indicator`` reads one value per company for a
period in grouped queries; ``crm.dss.alert.rule`` asks :func:`crossed` whether each value
crosses the rule's threshold and :func:`threshold_problem` whether a threshold makes sense
for its indicator and comparison.

**Periods.** A rule watches the current day, week (Monday to Sunday) or month up to
today, compared with the whole previous one (:func:`period_bounds`): an alert is raised
as soon as the period to date crosses the threshold, and once per period and company.
"""

from dataclasses import dataclass
from datetime import timedelta

# Kinds of value, which say which thresholds make sense
COUNT = "count"  # a number of documents: never negative
PERCENT = "percent"  # a rate in percent: 0 to 100
AMOUNT = "amount"  # money in company currency: never negative
RETURN = "return"  # a return on investment in percent: -100 and above

# A rating of 4 or 5 (out of 5) is a satisfied customer, as Odoo's ratings count it.
SATISFIED_RATING = 4


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures: its code, its kind of value, and the model of the
    add-on that records it (None: always available)."""

    code: str
    kind: str
    model: str | None = None


INDICATORS = {
    indicator.code: indicator
    for indicator in (
        Indicator("complaint_count", COUNT, "crm.service.case"),
        Indicator("satisfaction_rate", PERCENT, "crm.service.case"),
        Indicator("sla_breaches", COUNT, "crm.service.case"),
        Indicator("conversion_rate", PERCENT, "crm.lead"),
        Indicator("overdue_receivables", AMOUNT),
        Indicator("campaign_roi", RETURN, "crm.marketing.campaign"),
    )
}

ABOVE = "above"
BELOW = "below"
CHANGE_UP = "change_up"
CHANGE_DOWN = "change_down"
BELOW_AVERAGE = "below_average"
COMPARISONS = (ABOVE, BELOW, CHANGE_UP, CHANGE_DOWN, BELOW_AVERAGE)
#: the comparisons that need the previous period's value
WITH_PREVIOUS = (CHANGE_UP, CHANGE_DOWN)

PERIODS = ("day", "week", "month")


def period_bounds(period, today):
    """``(start, end, previous_start, previous_end)`` of the ``period`` holding ``today``:
    the current period runs from its first day to ``today``, the previous one is whole."""
    if period == "day":
        start = today
        previous_start = today - timedelta(days=1)
    elif period == "week":
        start = today - timedelta(days=today.weekday())
        previous_start = start - timedelta(days=7)
    elif period == "month":
        start = today.replace(day=1)
        previous_start = (start - timedelta(days=1)).replace(day=1)
    else:
        raise ValueError(f"a period is a day, a week or a month, not {period!r}")
    return start, today, previous_start, start - timedelta(days=1)


def percent(part, whole):
    """``part`` in percent of ``whole``; None when ``whole`` is nothing (no rate, no alert)."""
    return 100.0 * part / whole if whole else None


def change_percent(value, previous):
    """How much ``value`` changed from ``previous``, in percent of ``previous``; None when
    there was nothing before (``previous`` zero or less)."""
    if previous is None or previous <= 0:
        return None
    return 100.0 * (value - previous) / previous


def average(values):
    """The mean of ``values`` (the companies' values of one indicator); None when empty."""
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


def threshold_problem(kind, comparison, threshold):
    """What is wrong with ``threshold`` for an indicator of ``kind`` and ``comparison``, as a
    key of :data:`PROBLEMS`; None when it is fine."""
    if comparison not in COMPARISONS:
        return "comparison"
    if threshold is None:
        return "missing"
    if comparison in WITH_PREVIOUS:
        fine, problem = threshold > 0, "change"
    elif comparison == BELOW_AVERAGE:
        fine, problem = 0 <= threshold < 100, "average"
    elif kind == PERCENT:
        fine, problem = 0 <= threshold <= 100, "percent"
    elif kind == RETURN:
        fine, problem = threshold >= -100, "return"
    else:
        fine, problem = threshold >= 0, "negative"
    return None if fine else problem


#: the reasons :func:`threshold_problem` gives, for the model to turn into sentences
PROBLEMS = ("comparison", "missing", "change", "average", "percent", "return", "negative")


def crossed(comparison, threshold, value, previous=None, mean=None):
    """Whether ``value`` crosses ``threshold`` under ``comparison``.

    :param previous: the previous period's value (changes); growing from nothing (zero)
        to something is a rise above any threshold, a fall from nothing is none
    :param mean: the average of the companies (``below_average``: the value lies more than
        ``threshold`` percent below it)
    """
    if value is None:
        return False
    if comparison in WITH_PREVIOUS:
        return _changed(comparison, threshold, value, previous)
    if comparison == ABOVE:
        return value > threshold
    if comparison == BELOW:
        return value < threshold
    if comparison == BELOW_AVERAGE:
        return mean is not None and value < mean * (1 - threshold / 100.0)
    raise ValueError(f"unknown comparison {comparison!r}")


def _changed(comparison, threshold, value, previous):
    if previous is None:
        return False
    change = change_percent(value, previous)
    if change is None:
        return comparison == CHANGE_UP and value > 0
    return change > threshold if comparison == CHANGE_UP else -change > threshold
