"""Plain-Python cores of the customer dossier and the marketing statement.

The ORM layer (``models/crm_dss_statement.py``) reads the figures in batch and hands them
here as plain tuples and dicts; these functions arrange them into the rows the QWeb and
XLSX templates print. Overdue is always the suite's one rule (``crm_workflow.lib.receivables``).
"""

from odoo.addons.crm_workflow.lib.receivables import days_overdue, is_overdue

#: The figures of one salesperson in the marketing statement's appraisal table.
APPRAISAL_KEYS = (
    "orders",
    "ordered",
    "invoiced",
    "outstanding",
    "overdue",
    "active_customers",
    "new_customers",
    "leads",
)


def receivable_rows(lines, today):
    """Rows of open receivable lines with their days overdue, the oldest due first.

    :param lines: dicts with at least ``date_maturity`` and ``residual``
    :return: the same dicts, each with ``overdue`` (bool) and ``days_overdue`` (int, 0 when
        not overdue), sorted by due date (lines without one last)
    """
    rows = []
    for line in lines:
        overdue = is_overdue(line["date_maturity"], line["residual"], today)
        rows.append(
            {**line, "overdue": overdue, "days_overdue": days_overdue(line["date_maturity"], today) if overdue else 0}
        )
    rows.sort(key=lambda row: (row["date_maturity"] is None, row["date_maturity"] or today, row.get("id", 0)))
    return rows


def new_customers(first_order_dates, date_from, date_to):
    """The customers whose first confirmed order ever falls in the period.

    :param first_order_dates: ``{customer: date of the first confirmed order}`` (dates)
    """
    return {key for key, first in first_order_dates.items() if first and date_from <= first <= date_to}


def appraisal(salespeople, **measures):
    """``{salesperson: {APPRAISAL_KEYS: number}}`` with a row for each salesperson.

    :param salespeople: the salespeople who get a row even without figures
    :param measures: ``{key of APPRAISAL_KEYS: {salesperson: number}}``; a salesperson
        who appears in a measure but not in ``salespeople`` gets a row too
    """
    unknown = set(measures) - set(APPRAISAL_KEYS)
    if unknown:
        raise ValueError(f"unknown appraisal measures: {sorted(unknown)}")
    table = {person: dict.fromkeys(APPRAISAL_KEYS, 0) for person in salespeople}
    for key, values in measures.items():
        for person, value in values.items():
            table.setdefault(person, dict.fromkeys(APPRAISAL_KEYS, 0))[key] += value or 0
    return table


def totals(rows, keys):
    """The sum of ``keys`` over ``rows`` (dicts)."""
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}
