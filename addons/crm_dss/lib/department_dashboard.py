"""Plain-Python figures of the department dashboards: periods, months, rates.

No ORM here: the model ``crm.dss.dashboard`` (``models/crm_dss_department_dashboard.py``)
reads grouped figures and hands them to these functions.
"""

from calendar import monthrange
from datetime import date

#: the boards of capability 2, in menu order
BOARDS = ("sales", "customer", "service", "finance")


def period(date_from=None, date_to=None, today=None):
    """``(date_from, date_to)`` as dates: the current month by default.

    :param date_from: a date or an ISO string, or None
    :param date_to: a date or an ISO string, or None
    :raise ValueError: a string that is not an ISO date, or a period that ends before it starts
    """
    today = today or date.today()
    start = _as_date(date_from) or today.replace(day=1)
    end = _as_date(date_to) or start.replace(day=monthrange(start.year, start.month)[1])
    if end < start:
        raise ValueError("the period ends before it starts")
    return start, end


def _as_date(value):
    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def months(date_from, date_to):
    """The first days of the months from ``date_from`` to ``date_to`` included."""
    first, result = date_from.replace(day=1), []
    while first <= date_to:
        result.append(first)
        first = (
            first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
        )
    return result


def month_series(totals, date_from, date_to):
    """Labels (``YYYY-MM``) and values of ``{first day of month: amount}`` for every month of the period."""
    keys = months(date_from, date_to)
    return [key.strftime("%Y-%m") for key in keys], [round(totals.get(key, 0.0), 2) for key in keys]


def percent(part, whole):
    """``part`` in percent of ``whole`` (0-100, one decimal); 0 when there is no whole."""
    if not whole:
        return 0.0
    return round(100.0 * (part or 0.0) / whole, 1)


def convert(rates, company_id, amount):
    """``amount`` of the company ``company_id`` in the reader's currency.

    :param rates: ``{company id: rate into the reader's currency}`` (``crm.dss.dashboard._dss_rates``);
        a company it does not name keeps its amount
    """
    return (amount or 0.0) * rates.get(company_id, 1.0)


def converted_totals(rows, rates):
    """``{key: total}`` of ``(company_id, key, amount)`` rows, each amount converted before the sum.

    Amounts of companies in different currencies only add up once converted (see :func:`convert`).
    """
    totals = {}
    for company_id, key, amount in rows:
        totals[key] = totals.get(key, 0.0) + convert(rates, company_id, amount)
    return totals


def restrict_drills(sections, may_read):
    """Take away the drill-downs of ``sections`` (the dashboard contract) the reader could not open.

    The figures are read as superuser, a drill-down opens the records with the reader's
    own rights: an action on a model they may not read would only end in an access
    error, so it becomes ``None`` (the figure shows, not clickable). Looks at the KPIs'
    ``action``, the charts' ``actions`` and the table rows' ``action``.

    :param may_read: ``callable(model name) -> bool``, asked once per model
    """
    allowed = {}

    def keep(action):
        if not action:
            return None
        model = action["res_model"]
        if model not in allowed:
            allowed[model] = bool(may_read(model))
        return action if allowed[model] else None

    for section in sections:
        for kpi in section.get("kpis", ()):
            kpi["action"] = keep(kpi.get("action"))
        for chart in section.get("charts", ()):
            if "actions" in chart:
                chart["actions"] = [keep(action) for action in chart["actions"]]
        for table in section.get("tables", ()):
            for row in table.get("rows", ()):
                if "action" in row:
                    row["action"] = keep(row["action"])
    return sections


def first_orders(orders):
    """The first confirmed order of each customer of ``orders``.

    :param orders: iterable of ``(company_id, partner_id, date_order, user_id)``
    :return: ``{(company_id, partner_id): (date_order, user_id)}`` (earliest date; on a
        tie the first given)
    """
    result = {}
    for company_id, partner_id, date_order, user_id in orders:
        key = (company_id, partner_id)
        if key not in result or date_order < result[key][0]:
            result[key] = (date_order, user_id)
    return result
