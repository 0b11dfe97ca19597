"""The suite's receivables rules on plain numbers: what is overdue, for how long, how old.

Nothing here reads the database. Every add-on that shows a receivable asks these
functions (crm_sfa's customer overview, overdue alert and credit check; crm_service's
credit check; crm_dss's dashboards, statements and early warnings), so the suite has
one definition of overdue.

**Overdue** is :func:`is_overdue`: a receivable line (one instalment of an invoice) past
its maturity date with something left to pay. An invoice whose payment terms say 50 %
now and 50 % in 60 days is overdue for its first half only, until the second half falls
due; its days overdue count from the oldest overdue instalment. Readers that sum millions
of lines in SQL use :func:`overdue_condition`, the same rule as a SQL condition.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from odoo.tools import SQL

#: Ageing buckets of overdue receivables: (key, first day overdue, last day or None).
AGEING_BUCKETS = (
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_plus", 91, None),
)
#: How the buckets are labelled on screens and in workbooks.
AGEING_LABELS = {"1_30": "1-30", "31_60": "31-60", "61_90": "61-90", "91_plus": "91+"}


def is_overdue(date_maturity, residual, today):
    """Whether a receivable line is overdue on ``today``: past its maturity date, something left to pay.

    :param date_maturity: the line's maturity (due) date, or None
    :param residual: what is left to pay on the line, in company currency; credit notes
        and unreconciled payments (negative) are never overdue
    :param today: the day of the question
    """
    return bool(date_maturity) and date_maturity < today and (residual or 0.0) > 0


@dataclass(frozen=True)
class Receivable:
    """The open receivable of a customer (or of one invoice).

    ``balance`` is everything open (credit notes and unreconciled payments lower it),
    ``overdue`` the residual of the overdue lines, ``oldest_due`` their oldest maturity.
    """

    balance: float = 0.0
    overdue: float = 0.0
    oldest_due: date | None = None

    def days_overdue(self, today):
        return days_overdue(self.oldest_due, today)


def summarize(lines, today):
    """``{key: Receivable}`` of ``(key, date_maturity, residual)`` open receivable lines.

    ``key`` is what the figures are for: a customer, an invoice.
    """
    balance = defaultdict(float)
    overdue = defaultdict(float)
    oldest = {}
    for key, date_maturity, residual in lines:
        balance[key] += residual or 0.0
        if is_overdue(date_maturity, residual, today):
            overdue[key] += residual
            oldest[key] = min(oldest.get(key, date_maturity), date_maturity)
    return {key: Receivable(balance[key], overdue.get(key, 0.0), oldest.get(key)) for key in balance}


def days_overdue(oldest_due_date, today):
    """Days since the oldest unpaid due date; 0 when nothing is due yet (or no date)."""
    if not oldest_due_date:
        return 0
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    return max((today - oldest_due_date).days, 0)


def ageing_bucket(days):
    """The key of :data:`AGEING_BUCKETS` for a line ``days`` overdue; None when not overdue."""
    for key, first, last in AGEING_BUCKETS:
        if days >= first and (last is None or days <= last):
            return key
    return None


def overdue_condition(line, today):
    """:func:`is_overdue` as a SQL condition on the journal item table aliased ``line``."""
    return SQL(
        "(%(maturity)s < %(today)s AND %(residual)s > 0)",
        maturity=SQL.identifier(line, "date_maturity"),
        residual=SQL.identifier(line, "amount_residual"),
        today=today,
    )
