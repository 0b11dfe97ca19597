"""When a salesperson's daily-plan reminders are due: at an hour of their own day.

The crons run every hour on the server's clock (UTC); each salesperson is reminded once
their own local time has passed the reminder's hour, for the plan of their own day.
"""

from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_time(utc_now, tz_name):
    """``utc_now`` (naive, UTC, as Odoo stores datetimes) in the time zone ``tz_name``, naive.

    An empty or unknown time zone is UTC.
    """
    try:
        zone = ZoneInfo(tz_name) if tz_name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return utc_now.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)


def reminder_due(local_now, hour):
    """Whether a reminder set for ``hour`` o'clock is due at ``local_now``: that hour of the day has passed.

    Due until the day ends, so that a cron that ran late still reminds; the callers
    remind each salesperson once per day.
    """
    return local_now.hour >= hour
