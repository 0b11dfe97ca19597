"""Which salesperson gets which lead: territories, interests, team and load.

The ORM layer turns leads and team members into :class:`Lead` and :class:`Member`
and asks :func:`assign` for a decision; nothing here reads or writes the database.

A member is *eligible* for a lead when all of these hold:

- **team**: the lead has no team, or the member belongs to it;
- **allowed**: the member takes any lead, or the lead is among ``allowed_lead_ids``
  (the leads matching the team's and the member's assignment domains in Odoo);
- **place**: the member names no country and no state, or the lead's country is one
  of the member's countries, or its state one of the member's states;
- **zip**: the member names no zip range, or the lead's zip is in one of them
  (see :func:`zip_in_range`);
- **interests**: the member names no interest, or the lead shares one with them
  (product categories and tags, as opaque hashable tokens).

Among the eligible members the leads go round-robin, as Odoo's own assignment does:
the members wait in a queue (whoever received a lead longest ago first, then the
lowest id); each lead goes to the first eligible member of the queue who has capacity
left, who then moves to the end of the queue, or leaves it when their capacity is used up.
Members who name a territory or interests come first: a lead goes to a member without
any (who takes anything) only when no eligible specialist has capacity left.
"""

import re
from dataclasses import dataclass, field

_ZIP_BOUND = re.compile(r"^[0-9A-Z]+$")


def normalize_zip(value):
    """Upper case, without spaces or dashes: ``"sw1a 1aa"`` -> ``"SW1A1AA"``; ``""`` when empty."""
    return re.sub(r"[\s-]", "", value or "").upper()


def parse_zip_ranges(text):
    """``"75000-75999, 69; 13"`` -> ``(("75000", "75999"), ("69", "69"), ("13", "13"))``.

    Ranges are separated by commas, semicolons or new lines; a range is ``from-to`` or a
    single value (a range of one). Bounds are letters and digits (spaces inside a bound
    are dropped). Raises ``ValueError`` naming the first part that is not a range.
    """
    ranges = []
    for raw in re.split(r"[,;\n]", text or ""):
        part = raw.strip()
        if not part:
            continue
        bounds = [normalize_zip(bound) for bound in part.split("-")] if "-" in part else [normalize_zip(part)] * 2
        if len(bounds) != 2 or not all(_ZIP_BOUND.match(bound) for bound in bounds):
            raise ValueError(part)
        low, high = bounds
        if low[: len(high)] > high:
            raise ValueError(part)
        ranges.append((low, high))
    return tuple(ranges)


def zip_in_range(zip_code, low, high):
    """Whether ``zip_code`` lies in ``[low, high]``, comparing on each bound's length.

    A bound compares with as many leading characters of the zip as it has itself, so
    ``75000-75999`` holds every five-character zip from 75000 to 75999 and ``75-77``
    every zip that starts with 75, 76 or 77 (``"SW1"-"SW9"`` works the same way).
    """
    code = normalize_zip(zip_code)
    if not code:
        return False
    return code[: len(low)] >= low and code[: len(high)] <= high


@dataclass(frozen=True)
class Lead:
    """A lead to assign: its id, team (``None`` for none) and what matches it to members."""

    id: int
    team_id: int | None = None
    country_id: int | None = None
    state_id: int | None = None
    zip: str | None = None
    interests: frozenset = frozenset()


@dataclass(frozen=True)
class Member:
    """A team member who may receive leads.

    ``capacity`` is how many leads they may still receive in this run (``None``: no
    limit); ``last_assigned`` when they last received one (any comparable value,
    ``None``: never), which orders the round-robin queue.
    """

    id: int
    team_id: int | None = None
    capacity: int | None = None
    country_ids: frozenset = frozenset()
    state_ids: frozenset = frozenset()
    zip_ranges: tuple = ()
    interests: frozenset = frozenset()
    last_assigned: object = None
    allowed_lead_ids: frozenset | None = None

    @property
    def has_criteria(self):
        """Whether the member names a territory or an interest (a specialist)."""
        return bool(self.country_ids or self.state_ids or self.zip_ranges or self.interests)

    def accepts(self, lead):
        """Whether this member is eligible for ``lead`` (capacity aside)."""
        if lead.team_id is not None and lead.team_id != self.team_id:
            return False
        if self.allowed_lead_ids is not None and lead.id not in self.allowed_lead_ids:
            return False
        if (self.country_ids or self.state_ids) and not (
            lead.country_id in self.country_ids or lead.state_id in self.state_ids
        ):
            return False
        if self.zip_ranges and not any(zip_in_range(lead.zip, low, high) for low, high in self.zip_ranges):
            return False
        return not self.interests or bool(self.interests & lead.interests)


@dataclass
class Assignment:
    """The decision: ``assigned`` ``{lead id: member id}``; the leads no eligible member
    could take, ``unmatched`` (nobody eligible) and ``overflow`` (everyone eligible full)."""

    assigned: dict = field(default_factory=dict)
    unmatched: list = field(default_factory=list)
    overflow: list = field(default_factory=list)

    def by_member(self):
        """``{member id: [lead ids in assignment order]}``."""
        result = {}
        for lead_id, member_id in self.assigned.items():
            result.setdefault(member_id, []).append(lead_id)
        return result


def _queue_key(member):
    return (member.last_assigned is not None, member.last_assigned or 0, member.id)


def assign(leads, members):
    """Assign ``leads`` (in the order given: the most promising first) among ``members``.

    Returns an :class:`Assignment`. Members without capacity left take nothing.
    """
    queue = sorted((member for member in members if member.capacity is None or member.capacity > 0), key=_queue_key)
    left = {member.id: member.capacity for member in queue}
    result = Assignment()
    specialist = {member.id: member.has_criteria for member in members}
    for lead in leads:
        position = _first_eligible(queue, lead, specialist)
        if position is None:
            full = any(member.accepts(lead) for member in members)
            (result.overflow if full else result.unmatched).append(lead.id)
            continue
        member = queue.pop(position)
        result.assigned[lead.id] = member.id
        if left[member.id] is not None:
            left[member.id] -= 1
        if left[member.id] is None or left[member.id] > 0:
            queue.append(member)
    return result


def _first_eligible(queue, lead, specialist):
    """Position in ``queue`` of the first specialist eligible for ``lead``, else of the first other eligible member."""
    fallback = None
    for position, member in enumerate(queue):
        if (fallback is None or specialist[member.id]) and member.accepts(lead):
            if specialist[member.id]:
                return position
            fallback = position
    return fallback
