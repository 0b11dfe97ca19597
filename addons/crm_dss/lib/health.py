"""States of the operations centre's health checks, in plain Python.

A check measures one figure (crons late, mails in error, megabytes...) and compares it with
the two thresholds an administrator sets: at or above ``warning`` it is a warning, at or above
``critical`` it is critical. A figure that cannot be measured (an add-on not installed, a log
file not readable) is ``unknown``. The administrators are told when a check *crosses* into a
worse state, not at every run while it stays there.
"""

import os
import re

OK, WARNING, CRITICAL, UNKNOWN = "ok", "warning", "critical", "unknown"
STATES = (OK, WARNING, CRITICAL, UNKNOWN)
SEVERITY = {UNKNOWN: 0, OK: 0, WARNING: 1, CRITICAL: 2}

#: how much of the end of the log file is read at most
LOG_TAIL_BYTES = 1024 * 1024

#: an Odoo log line: ``2026-12-02 02:51:56,123 4242 ERROR db logger: message``
LOG_ERROR_LINE = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?:ERROR|CRITICAL) ", re.MULTILINE)


def threshold_state(value, warning, critical):
    """The state of ``value`` against its thresholds (``None``: not measured)."""
    if value is None:
        return UNKNOWN
    if value >= critical:
        return CRITICAL
    if value >= warning:
        return WARNING
    return OK


def threshold_error(warning, critical):
    """What is wrong with a pair of thresholds, or ``None`` when they are usable."""
    if warning < 0 or critical < 0:
        return "negative"
    if warning >= critical:
        return "order"
    return None


def crossed(old_state, new_state):
    """Whether moving from ``old_state`` to ``new_state`` must be notified: into warning or
    critical from a less severe state (critical back to warning is not news)."""
    return new_state in (WARNING, CRITICAL) and SEVERITY[new_state] > SEVERITY.get(old_state, 0)


def count_log_errors(path, max_bytes=LOG_TAIL_BYTES):
    """Count the ERROR and CRITICAL lines in the last ``max_bytes`` of the log file at
    ``path``; ``None`` when the file cannot be read. The read is bounded whatever the size of
    the file; a line cut by the start of the window is skipped."""
    try:
        with open(path, "rb") as log:
            size = log.seek(0, os.SEEK_END)
            start = max(0, size - max_bytes)
            log.seek(start)
            tail = log.read(max_bytes)
    except OSError:
        return None
    if start and b"\n" in tail:
        tail = tail[tail.index(b"\n") + 1 :]
    return len(LOG_ERROR_LINE.findall(tail))
