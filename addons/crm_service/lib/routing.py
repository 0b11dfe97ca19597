"""Which team a new service case goes to, and which of the team's agents gets it.

The ORM layer (``models/crm_service_routing_rule.py``) turns cases, rules and agents into
the plain values below and asks :func:`first_rule` and :func:`assign` for a decision;
nothing here reads or writes the database.

**Rules.** A rule's conditions are sets of ids (or of priority keys); an empty set
matches any case. A case matches a rule of its company when all of these hold:

- **type**: the case's type is one of the rule's types;
- **product**: the case's product is one of the rule's products, and its category lies
  under one of the rule's categories (``child_of``: the case carries its category and
  all the category's parents);
- **region**: the rule names no country and no state, or the customer's country is one
  of its countries, or their state one of its states (as territories do in ``crm_sfa``:
  ``China`` + ``Ontario`` covers China and Ontario);
- **severity**: the case's priority is one of the rule's priorities.

The first matching rule, in the order given (sequence, then id), routes the case.

**Agents.** A team gives its cases to the agents who can take one now: active, of the
case's company, not on leave at that moment. *Round robin* goes through the agents in
the order of their ids, continuing after the one who received the last case and
wrapping around; *least loaded* gives each case to the agent with the fewest open cases
(the lowest id among equals), counting the cases given in this batch; *manual* gives
none (the team leader dispatches). A rule may name an agent: they get the case when they
can take it, without moving the round robin, else the team's method decides.
"""

from dataclasses import dataclass, field

ROUND_ROBIN = "round_robin"
LEAST_LOADED = "least_loaded"
MANUAL = "manual"
# the states of a case that count in an agent's load
OPEN_STATES = ("new", "in_progress", "waiting")


def parse_priorities(text):
    """``"1,2"`` -> ``frozenset({"1", "2"})``; the empty set for nothing (any priority)."""
    return frozenset(part.strip() for part in (text or "").split(",") if part.strip())


def format_priorities(priorities, known):
    """The stored text of a set of priorities, in the order of ``known`` (the selection's keys):
    ``{"2", "0"}`` -> ``"0,2"``; ``False`` for none. Unknown keys raise ``ValueError``."""
    unknown = set(priorities) - set(known)
    if unknown:
        raise ValueError(", ".join(sorted(unknown)))
    return ",".join(key for key in known if key in priorities) or False


def category_path(parent_path):
    """The ids of a category and its parents from its ``parent_path`` (``"1/4/9/"``)."""
    return frozenset(int(part) for part in (parent_path or "").split("/") if part)


@dataclass(frozen=True)
class Case:
    """A case to route: what the rules look at."""

    id: int
    company_id: int
    type_id: int | None = None
    product_id: int | None = None
    category_ids: frozenset = frozenset()
    country_id: int | None = None
    state_id: int | None = None
    priority: str | None = None


@dataclass(frozen=True)
class Rule:
    """A routing rule's conditions (empty: any)."""

    id: int
    company_id: int
    type_ids: frozenset = frozenset()
    product_ids: frozenset = frozenset()
    category_ids: frozenset = frozenset()
    country_ids: frozenset = frozenset()
    state_ids: frozenset = frozenset()
    priorities: frozenset = frozenset()

    def matches(self, case):
        """Whether ``case`` meets every condition of the rule."""
        if case.company_id != self.company_id:
            return False
        if self.type_ids and case.type_id not in self.type_ids:
            return False
        if self.product_ids and case.product_id not in self.product_ids:
            return False
        if self.category_ids and not self.category_ids & case.category_ids:
            return False
        if (self.country_ids or self.state_ids) and not (
            case.country_id in self.country_ids or case.state_id in self.state_ids
        ):
            return False
        return not self.priorities or case.priority in self.priorities


def first_rule(case, rules):
    """The id of the first of ``rules`` (in routing order) that ``case`` matches, else ``None``."""
    return next((rule.id for rule in rules if rule.matches(case)), None)


@dataclass(frozen=True)
class Agent:
    """A user who may receive cases: ``leaves`` are ``(start, end)`` intervals of absence
    (any comparable values, end excluded), ``open_cases`` their load before this batch."""

    id: int
    active: bool = True
    company_ids: frozenset = frozenset()
    leaves: tuple = ()
    open_cases: int = 0

    def on_leave(self, now):
        return any(start <= now < end for start, end in self.leaves)

    def can_take(self, company_id, now):
        """Whether the agent can take a case of ``company_id`` at ``now``."""
        return self.active and company_id in self.company_ids and not self.on_leave(now)


@dataclass(frozen=True)
class Request:
    """A case to give an agent: its company and the agent its rule names, if any."""

    company_id: int
    preferred: Agent | None = None


@dataclass
class Assignment:
    """The decision for a batch: ``agents`` the id of each request's agent (``None``: nobody),
    in the order of the requests; ``last_assigned`` the last agent the team's method chose (where
    the round robin continues next time)."""

    agents: list = field(default_factory=list)
    last_assigned: int | None = None


def assign(method, agents, requests, now, last_assigned=None):
    """Give each of ``requests`` (in order) an agent of the team by its ``method``.

    ``agents`` are the team's members, ``last_assigned`` the id of the agent who received
    the team's last case. Returns an :class:`Assignment`.
    """
    queue = sorted(agents, key=lambda agent: agent.id)
    loads = {agent.id: agent.open_cases for agent in queue}
    result = Assignment(last_assigned=last_assigned)
    for request in requests:
        preferred = request.preferred
        if preferred is not None and preferred.can_take(request.company_id, now):
            chosen = preferred.id
        else:
            candidates = [agent.id for agent in queue if agent.can_take(request.company_id, now)]
            chosen = _pick(method, candidates, loads, result.last_assigned)
            if chosen is not None:
                result.last_assigned = chosen
        if chosen is not None and chosen in loads:
            loads[chosen] += 1
        result.agents.append(chosen)
    return result


def _pick(method, candidates, loads, last_assigned):
    """The candidate (ids in ascending order) the method gives the next case to, or ``None``."""
    if not candidates or method not in (ROUND_ROBIN, LEAST_LOADED):
        return None
    if method == LEAST_LOADED:
        return min(candidates, key=lambda agent_id: (loads[agent_id], agent_id))
    if last_assigned is None:
        return candidates[0]
    return next((agent_id for agent_id in candidates if agent_id > last_assigned), candidates[0])
