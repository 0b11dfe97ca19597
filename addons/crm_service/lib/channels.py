"""What the case channels decide on plain data: which channel tells a customer of their
case, what a message without a subject is called, how much of a huge message a case's
description keeps.

No ORM here: the case's mail, SMS and chat code (``models/crm_service_case.py``,
``models/discuss_channel.py``) reads the records and calls these.
"""

EMAIL = "email"
SMS = "sms"

# the states of a case a customer's new message (SMS, chat) joins rather than opening another
OPEN_STATES = ("new", "in_progress", "waiting")

# the namespace of the transaction locks that serialise the incoming SMS of one number
SMS_LOCK_NAMESPACE = 0x534D53  # "SMS"


class NumberBusy(Exception):
    """Another transaction is storing an SMS of the same number right now: try again once it
    is done (it may have opened the case this SMS is to join)."""


# a subject made from a message's text is at most this long (the case's list shows ~80)
SUBJECT_LENGTH = 80
# characters of a message's text the case's description keeps; the chatter keeps it all
DESCRIPTION_LENGTH = 20_000
ELLIPSIS = "…"


def notification_channel(preferred, email_ok, sms_ok):
    """The one channel a customer is told of their case by, or ``None``.

    One message per change, never two: by the channel the customer prefers when they may
    be reached by it, else by the other one they may be reached by. Without a preference
    for email or SMS (none, phone, post), email comes first and SMS is the fallback.
    ``email_ok`` and ``sms_ok`` say whether the customer may be reached by each now (their
    consent, the blacklists, an address or a number to use).

    >>> notification_channel("sms", True, True)
    'sms'
    >>> notification_channel("sms", True, False)
    'email'
    >>> notification_channel(None, False, True)
    'sms'
    """
    order = (SMS, EMAIL) if preferred == SMS else (EMAIL, SMS)
    reachable = {EMAIL: email_ok, SMS: sms_ok}
    return next((channel for channel in order if reachable[channel]), None)


def shorten(text, length):
    """``text`` with its whitespace collapsed, cut at a word boundary to at most ``length``
    characters (an ellipsis included) when longer."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[: length - len(ELLIPSIS) + 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut[: length - len(ELLIPSIS)].rstrip() + ELLIPSIS


def subject_from_text(text, length=SUBJECT_LENGTH):
    """A subject for a message that came without one: its first line that has words,
    shortened to ``length`` characters; ``""`` for a message without text."""
    line = next((line for line in (text or "").splitlines() if line.strip()), "")
    return shorten(line, length)


def truncate(text, length=DESCRIPTION_LENGTH):
    """``(text, cut)``: ``text`` at most ``length`` characters long, and whether it was cut."""
    text = text or ""
    if len(text) <= length:
        return text, False
    return text[:length], True
