"""The service manager's dashboard: what each counter of a team counts, and its graph of the week.

No ORM here, only data in and out. The counters are domains on ``crm.service.case``: the
team's computed fields count them with one grouped query per counter over all the teams,
and the dashboard's buttons open the list of the same domain, so that a number and the
list it opens cannot disagree. Datetimes are naive and in UTC, as Odoo stores them; "today"
and "the last 7 days" are days of the user's time zone, counted back from today
(today included), as the week's graph shows them.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

OPEN_STATES = ("new", "in_progress", "waiting")
WEEK_DAYS = 7
MONTH_DAYS = 30

# counter -> field of crm.service.team that shows it
COUNTER_FIELDS = {
    "open": "open_case_count",
    "unassigned": "unassigned_case_count",
    "sla_warning": "sla_warning_case_count",
    "sla_breached": "sla_breached_case_count",
    "opened_today": "opened_today_case_count",
    "solved": "solved_case_count",
}


def zone(tz_name):
    """The time zone ``tz_name``, UTC when it is empty or unknown."""
    try:
        return ZoneInfo(tz_name) if tz_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def day_start(now, tz_name, days_back=0):
    """When the day ``days_back`` days before today began, today being the day of ``now``
    (naive UTC) in ``tz_name``: local midnight, as naive UTC."""
    local_zone = zone(tz_name)
    today = now.replace(tzinfo=UTC).astimezone(local_zone).date()
    start = datetime.combine(today - timedelta(days=days_back), time.min, tzinfo=local_zone)
    return start.astimezone(UTC).replace(tzinfo=None)


def local_today(now, tz_name):
    """The date of ``now`` (naive UTC) in ``tz_name``."""
    return now.replace(tzinfo=UTC).astimezone(zone(tz_name)).date()


def counter_domains(now, tz_name):
    """``{counter: domain on crm.service.case}`` of the dashboard's counters (without the team).

    Open cases are those waiting on the team or the customer; an SLA warning or breach is
    one of an open case's targets (first response or resolution), the definition of the
    cases' *SLA Warning* and *SLA Breached* filters.
    """
    opened = [("state", "in", OPEN_STATES)]
    warning = ["|", ("sla_response_status", "=", "warning"), ("sla_resolution_status", "=", "warning")]
    breached = ["|", ("sla_response_status", "=", "breached"), ("sla_resolution_status", "=", "breached")]
    return {
        "open": opened,
        "unassigned": [*opened, ("user_id", "=", False)],
        "sla_warning": [*opened, *warning],
        "sla_breached": [*opened, *breached],
        "opened_today": [("date_open", ">=", day_start(now, tz_name))],
        "solved": [("state", "=", "solved"), ("date_closed", ">=", day_start(now, tz_name, WEEK_DAYS - 1))],
    }


def rated_domain(now, tz_name):
    """The cases rated in the last 30 days: their last rating is one of these days, and
    it is the one the average reads (``rating_last_value``, as the report's rating)."""
    since = day_start(now, tz_name, MONTH_DAYS - 1)
    return [
        ("rating_last_value", ">", 0),
        ("rating_ids", "any", [("consumed", "=", True), ("write_date", ">=", since)]),
    ]


def responded_domain(now, tz_name):
    """The cases opened in the last 30 days that had their first response: those whose
    response time the dashboard averages (on the report's rows)."""
    return [("date_open", ">=", day_start(now, tz_name, MONTH_DAYS - 1)), ("date_first_response", "!=", False)]


def babel_locale(lang):
    """Babel's locale of the Odoo language code ``lang`` (``en_US``, ``sr@latin``), English if it has none."""
    try:
        return Locale.parse((lang or "en_US").split("@")[0])
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_US")


def week_days(today, lang):
    """The seven days up to ``today`` (today last), each with its label in ``lang``: the
    bars of every team's graph, labelled once for all the teams."""
    locale = babel_locale(lang)
    days = [today - timedelta(days=offset) for offset in range(WEEK_DAYS - 1, -1, -1)]
    return [(day, format_date(day, "EEE d", locale=locale)) for day in days]


def week_graph(counts, days, key):
    """The week's graph of a team for Odoo's ``dashboard_graph`` widget (a bar chart).

    ``counts`` maps dates to numbers; ``days`` are :func:`week_days`, the last one today
    (``future`` in the widget's words: drawn in another colour).
    """
    values = [
        {"label": label, "value": counts.get(day, 0), "type": "future" if index == len(days) - 1 else "past"}
        for index, (day, label) in enumerate(days)
    ]
    return [{"values": values, "title": "", "key": key, "area": True}]
