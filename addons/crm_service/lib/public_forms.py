"""The checks of the public service pages and of the customer portal's forms, on plain data.

The controllers read the request and the configuration, these functions decide: what a
call-back request, a new case or a preference change says once cleaned, and why it is
refused (error *codes*, which the controllers turn into translated sentences), and when a
visitor has used up their attempts.
"""

from datetime import datetime, timedelta

import pytz

from .phone import MIN_DIGITS

# the rate limit of the public pages, per client address, when the configuration says nothing
DEFAULT_LIMIT = 5
DEFAULT_WINDOW_MINUTES = 10

NAME_MAX_LENGTH = 100
MESSAGE_MAX_LENGTH = 2000
PHONE_MAX_DIGITS = 20
PHONE_CHARACTERS = frozenset("0123456789+-(). ")
# how far ahead a call-back can be asked for
CALLBACK_HORIZON = timedelta(days=90)

SUBJECT_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10


def positive_int(value, default):
    """``value`` (a configuration parameter's text) as a positive integer, else ``default``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def count_attempt(window_start, attempts, refused, now, limit, window):
    """A client's new attempt at ``now`` under a fixed-window limit: ``limit`` attempts
    let through per ``window`` (a timedelta) from the first one. The client had
    ``attempts`` let through and ``refused`` refused in the window opened at
    ``window_start``. Returns ``(window_start, attempts, refused, allowed)`` after it."""
    if window_start <= now - window:
        return now, 1, 0, True
    if attempts >= limit:
        return window_start, attempts, refused + 1, False
    return window_start, attempts + 1, refused, True


def clean_text(value, max_length=None):
    """``value`` stripped (``""`` for nothing); ``None`` when longer than ``max_length``."""
    text = str(value or "").strip()
    if max_length is not None and len(text) > max_length:
        return None
    return text


def phone_error(phone):
    """Why ``phone`` is not a number one can call back, or ``None``: digits and the usual
    separators only, at least :data:`..phone.MIN_DIGITS` digits, at most :data:`PHONE_MAX_DIGITS`."""
    if not phone:
        return "phone_required"
    if not set(phone) <= PHONE_CHARACTERS:
        return "phone_invalid"
    digits = sum(char.isdigit() for char in phone)
    if digits < MIN_DIGITS:
        return "phone_short"
    if digits > PHONE_MAX_DIGITS:
        return "phone_invalid"
    return None


def parse_local_datetime(value, tz_name):
    """An ``<input type="datetime-local">`` value (``2025-03-14T15:30``) read in the time
    zone ``tz_name``, as naive UTC; ``None`` when it is not such a value."""
    try:
        local = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    if local.tzinfo is not None:
        return None
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return zone.localize(local.replace(second=0, microsecond=0)).astimezone(pytz.utc).replace(tzinfo=None)


def clean_callback(values, now, tz_name):
    """``(cleaned, errors)`` of a call-back request's form ``values`` (name, phone,
    preferred_time, message) received at ``now`` (naive UTC); the preferred time is read in
    ``tz_name``. ``errors`` maps a field to an error code; ``cleaned`` holds ``name``,
    ``phone``, ``callback_date`` (naive UTC or ``None``) and ``message``."""
    errors = {}
    name = clean_text(values.get("name"), NAME_MAX_LENGTH)
    if name is None:
        errors["name"] = "name_long"
    elif not name:
        errors["name"] = "name_required"
    phone = clean_text(values.get("phone"))
    if error := phone_error(phone):
        errors["phone"] = error
    message = clean_text(values.get("message"), MESSAGE_MAX_LENGTH)
    if message is None:
        errors["message"] = "message_long"
    callback_date = None
    preferred = clean_text(values.get("preferred_time"))
    if preferred:
        callback_date = parse_local_datetime(preferred, tz_name)
        if callback_date is None:
            errors["preferred_time"] = "time_invalid"
        # the form gives minutes: the current minute is not the past
        elif callback_date < now.replace(second=0, microsecond=0):
            errors["preferred_time"] = "time_past"
        elif callback_date > now + CALLBACK_HORIZON:
            errors["preferred_time"] = "time_far"
    return {"name": name, "phone": phone, "callback_date": callback_date, "message": message}, errors


def clean_new_case(values, files):
    """``(cleaned, errors)`` of the portal's new case form: ``values`` (subject,
    description) and ``files``, a list of ``(file name, size in bytes)``."""
    errors = {}
    subject = clean_text(values.get("subject"), SUBJECT_MAX_LENGTH)
    if subject is None:
        errors["subject"] = "subject_long"
    elif not subject:
        errors["subject"] = "subject_required"
    description = clean_text(values.get("description"), DESCRIPTION_MAX_LENGTH)
    if description is None:
        errors["description"] = "description_long"
    if len(files) > MAX_FILES:
        errors["attachments"] = "files_many"
    elif any(size > MAX_FILE_BYTES for _name, size in files):
        errors["attachments"] = "file_large"
    elif any(size == 0 for _name, size in files):
        errors["attachments"] = "file_empty"
    return {"subject": subject, "description": description}, errors


def preference_error(allowed, preferred):
    """Why the contact preferences are refused, or ``None``: ``allowed`` maps each channel
    to whether the contact accepts it, ``preferred`` is one of them or empty, and must be
    allowed."""
    if not preferred:
        return None
    if preferred not in allowed:
        return "channel_unknown"
    if not allowed[preferred]:
        return "channel_not_allowed"
    return None
