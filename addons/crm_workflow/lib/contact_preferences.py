"""What a change of a contact's channels means for their opt-out log, on plain data.

The partner (``models/res_partner.py``) reads the channels before and after a write and
asks :func:`channel_changes` which opt-outs and opt-ins to record; why they changed
travels with the write as a :class:`Reason` in the context, which only code can put
there (a context sent over RPC is JSON: it never holds a :class:`Reason`).
"""

from dataclasses import dataclass

# set by code on what it sends for the suite (the workflow engine's automatic steps): the
# mails it makes then reach no one who refused email (crm_workflow/models/mail_*.py)
CONTEXT_CONTACT_PREFERENCES = "crm_workflow_contact_preferences"

CONTACT_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("phone", "Phone"), ("post", "Post")]
CHANNELS = tuple(channel for channel, _label in CONTACT_CHANNELS)

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
KINDS = [(OPT_OUT, "Opt-out"), (OPT_IN, "Opt-in")]

NOT_GIVEN = "not_given"
OPTOUT_REASONS = [
    (NOT_GIVEN, "Not given"),
    ("too_many", "Too many messages"),
    ("not_relevant", "Not relevant to them"),
    ("never_signed_up", "Never signed up"),
    ("other_channel", "Prefers another channel"),
    ("legal", "Legal request (right to object)"),
    ("other", "Other"),
]

# who or what changed the channel
SOURCE_USER = "user"
SOURCE_CONTACT = "contact"
SOURCE_UNSUBSCRIBE = "unsubscribe"
SOURCE_BLACKLIST = "blacklist"
SOURCE_IMPORT = "import"
OPTOUT_SOURCES = [
    (SOURCE_USER, "A user"),
    (SOURCE_CONTACT, "The contact (portal)"),
    (SOURCE_UNSUBSCRIBE, "Unsubscribe page"),
    (SOURCE_BLACKLIST, "Blacklist"),
    (SOURCE_IMPORT, "Import"),
]


def field_of(channel):
    """The partner's field that allows ``channel``."""
    return f"crm_allow_{channel}"


@dataclass(frozen=True)
class Reason:
    """Why channels change, told by code to the partner's write: reason, note, source."""

    reason: str = NOT_GIVEN
    note: str = ""
    source: str = SOURCE_USER


def channel_changes(before, after):
    """The opt-outs and opt-ins between two states of the contacts' channels.

    ``before`` and ``after`` map a contact's key to ``{channel: allowed}``; a channel
    missing from ``after`` did not change. Returns ``[(key, channel, kind)]`` in the
    order of ``before``, then of :data:`CHANNELS`: an opt-out when an allowed channel
    is refused, an opt-in when a refused one is allowed again; nothing when it stays.

    >>> channel_changes({1: {"email": True, "sms": False}}, {1: {"email": False, "sms": False}})
    [(1, 'email', 'opt_out')]
    """
    changes = []
    for key, was in before.items():
        now = after.get(key, {})
        for channel in CHANNELS:
            if channel in now and bool(now[channel]) != bool(was.get(channel)):
                changes.append((key, channel, OPT_IN if now[channel] else OPT_OUT))
    return changes


def created_refusals(allowed):
    """The opt-outs a new contact comes with: ``[channel]`` refused in ``allowed``
    (``{channel: allowed}``; a channel not given is allowed, the default)."""
    return [channel for channel in CHANNELS if channel in allowed and not allowed[channel]]
