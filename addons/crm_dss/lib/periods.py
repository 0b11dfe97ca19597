"""The periods of the decision reports: weekly, monthly and quarterly, on plain dates.

A periodic report is built for the last *full* period before the day it runs: on Monday
the previous week (Monday to Sunday), on the 1st of a month the previous month, on the
first day of a quarter the previous quarter. Nothing here reads the database.
"""

from datetime import date, datetime, time, timedelta

import pytz

#: The periods a report template may have, as (key, label).
PERIODS = (
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
)
PERIOD_KEYS = tuple(key for key, _label in PERIODS)


def check_period(period):
    """Return ``period`` if it is one of :data:`PERIODS`, else raise ValueError."""
    if period not in PERIOD_KEYS:
        raise ValueError(f"a report period is one of {', '.join(PERIOD_KEYS)}, not {period!r}")
    return period


def _check_day(day):
    if not isinstance(day, date):
        raise TypeError(f"a period is computed from a date, not {day!r}")


def period_bounds(period, day):
    """``(first day, last day)`` of the ``period`` that contains ``day`` (both included).

    Weeks run from Monday to Sunday (ISO weeks); quarters start in January, April, July
    and October.
    """
    check_period(period)
    _check_day(day)
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "monthly":
        start = day.replace(day=1)
        months = 1
    else:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        months = 3
    month = start.month - 1 + months
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def previous_period(period, day):
    """``(first day, last day)`` of the last full ``period`` that ended before ``day``'s period."""
    start, _end = period_bounds(period, day)
    return period_bounds(period, start - timedelta(days=1))


def next_period_start(period, day):
    """The first day of the ``period`` after the one that contains ``day``: when a
    template that ran on ``day`` runs next (for the period that contains ``day``)."""
    _start, end = period_bounds(period, day)
    return end + timedelta(days=1)


def day_bounds(date_from, date_to, tz_name):
    """``(start, stop)``: naive UTC datetimes of local midnight of ``date_from`` and of the day
    after ``date_to`` in the time zone ``tz_name`` (UTC when empty or unknown), so that a
    datetime ``value`` falls in those days when ``start <= value < stop``."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc

    def utc(day):
        return zone.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    return utc(date_from), utc(date_to + timedelta(days=1))
