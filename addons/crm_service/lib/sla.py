"""The SLA clock of a service case: working time over a calendar, pauses and statuses.

No ORM here, only data in and out. Datetimes are naive and in UTC, as Odoo stores them.
Working time is given as intervals, ``(start, stop)`` pairs that the caller takes from the
contract's working calendar (its attendances less the company's public holidays); they may
be aware datetimes of any time zone (the calendar's): :func:`normalise_intervals` turns
them into sorted, merged, naive UTC intervals, which the other functions expect.

A target (first response, resolution) is a number of working hours from the opening of
the case. The clock runs while the case is worked on and stops while it waits on the
customer (and while it is solved or cancelled); the working time it was stopped shifts the
target's deadline and its warning threshold by as much when it runs again, so that
``deadline = add_working_hours(opened, target_hours + paused_hours)``.

Statuses: ``on_track``, then ``warning`` once ``warning_percent`` of the target has passed,
``breached`` once all of it has; a target done in time is ``met``, done late ``breached``.
The scheduled check raises the status of open targets (and alerts once per level); edits
of the case (priority, contract) may lower it but never raise it, so that every rise goes
through the alerts (:func:`settle`).
"""

from datetime import timedelta, timezone

ON_TRACK = "on_track"
WARNING = "warning"
BREACHED = "breached"
MET = "met"

# the levels an open target climbs, in order; ``met`` is no level: the target is done
LEVELS = (ON_TRACK, WARNING, BREACHED)

# states of a case in which the clock runs; in the others it is stopped
RUNNING_STATES = ("new", "in_progress")


def _naive_utc(moment):
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def normalise_intervals(intervals):
    """``intervals`` as naive UTC ``(start, stop)`` pairs, sorted, overlaps merged, empty ones dropped.

    Accepts aware datetimes of any time zone, and triples such as Odoo's
    ``(start, stop, records)``: only the first two items are read.
    """
    pairs = sorted(
        (_naive_utc(interval[0]), _naive_utc(interval[1])) for interval in intervals if interval[0] < interval[1]
    )
    merged = []
    for start, stop in pairs:
        if merged and start <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def add_working_hours(start, hours, intervals):
    """The moment ``hours`` working hours after ``start``: the first at which the working time
    elapsed since ``start`` reaches ``hours``; ``start`` itself for zero hours.

    ``None`` when the intervals end before: the caller asks again with a longer span.
    """
    remaining = timedelta(seconds=round(hours * 3600))  # Odoo keeps datetimes to the second
    if remaining <= timedelta(0):
        return start
    for interval_start, interval_stop in intervals:
        if interval_stop <= start:
            continue
        begin = max(interval_start, start)
        span = interval_stop - begin
        if remaining <= span:
            return begin + remaining
        remaining -= span
    return None


def working_hours_between(start, end, intervals):
    """The working hours from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
    total = timedelta(0)
    for interval_start, interval_stop in intervals:
        if interval_stop <= start:
            continue
        if interval_start >= end:
            break
        total += min(interval_stop, end) - max(interval_start, start)
    return total.total_seconds() / 3600


def deadlines(opened, hours, warning_percent, paused_hours, intervals):
    """``(warning, deadline)`` of a target of ``hours`` working hours for a case opened at
    ``opened`` whose clock was stopped ``paused_hours`` working hours so far.

    Either is ``None`` when the intervals end first.
    """
    warning = add_working_hours(opened, hours * warning_percent / 100 + paused_hours, intervals)
    deadline = add_working_hours(opened, hours + paused_hours, intervals)
    return warning, deadline


def status(clock, warning, deadline, done=None):
    """The status of a target at ``clock`` (now, or the moment the clock stopped).

    ``done`` is when the target was reached (first response, resolution), ``None`` while it
    is open. No deadline, no status (``None``).
    """
    if deadline is None:
        return None
    if done is not None:
        return MET if done <= deadline else BREACHED
    if clock >= deadline:
        return BREACHED
    if warning is not None and clock >= warning:
        return WARNING
    return ON_TRACK


def _rank(level):
    return LEVELS.index(level) if level in LEVELS else -1


def settle(stored, computed, done):
    """The status an edit of the case stores, from the ``stored`` one and the ``computed`` one.

    A done target takes the computed status (``met`` or ``breached``); an open one may go
    down (more time was given) but not up: rising is the scheduled check's, which alerts
    (:func:`rise`). A target that was done and is open again starts on track.
    """
    if computed is None or done:
        return computed
    stored = stored if stored in LEVELS else ON_TRACK
    return computed if _rank(computed) < _rank(stored) else stored


def rise(stored, computed):
    """The level an open target reaches at the scheduled check, or ``None`` if it stays where it is."""
    if computed in LEVELS and _rank(computed) > _rank(stored):
        return computed
    return None


def next_check(stored, warning, deadline, paused=False):
    """When the scheduled check must look at an open target at ``stored`` status next: the
    threshold of the next level, ``None`` when there is none or the clock is stopped."""
    if paused or deadline is None:
        return None
    if stored == ON_TRACK:
        return warning if warning is not None and warning < deadline else deadline
    if stored == WARNING:
        return deadline
    return None
