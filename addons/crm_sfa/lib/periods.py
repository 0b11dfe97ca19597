"""Calendar periods: a year, one of its quarters or one of its months.

A period is ``(period_type, year, number)``: ``number`` is 1 for a year, 1-4 for a
quarter, 1-12 for a month. Every period starts on the first day of a month and ends
on the last day of a month, so amounts grouped by month add up to any period.
"""

from calendar import monthrange
from datetime import date

MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}


def number_count(period_type):
    """How many periods of this type a year holds: 1, 4 or 12."""
    return 12 // months_in(period_type)


def months_in(period_type):
    """The number of months of a period of this type."""
    try:
        return MONTHS[period_type]
    except KeyError:
        raise ValueError(f"unknown period type {period_type!r}") from None


def is_valid(period_type, number):
    """Whether ``number`` names a period of this type (1 for a year, 1-4, 1-12)."""
    return period_type in MONTHS and isinstance(number, int) and 1 <= number <= number_count(period_type)


def bounds(period_type, year, number):
    """First and last day of the period, both included."""
    if not is_valid(period_type, number):
        raise ValueError(f"{number!r} is not a period number for {period_type!r}")
    length = months_in(period_type)
    first_month = (number - 1) * length + 1
    last_month = first_month + length - 1
    return date(year, first_month, 1), date(year, last_month, monthrange(year, last_month)[1])


def period_of(day, period_type):
    """``(year, number)`` of the period of this type holding ``day``."""
    return day.year, (day.month - 1) // months_in(period_type) + 1


def month_starts(date_from, date_to):
    """The first day of every month from ``date_from``'s to ``date_to``'s, in order."""
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def add_months(day, months):
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def overlaps(first, second):
    """Whether two ``(date_from, date_to)`` ranges, both ends included, share a day."""
    return first[0] <= second[1] and second[0] <= first[1]
