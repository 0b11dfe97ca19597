"""Structure of a process definition: validation and routing.

A process is a directed graph of activities (nodes) and transitions (edges).
Activities are given as ``{id: kind}`` with kind one of ``start``, ``end``, ``human``,
``auto``, ``gateway``; transitions as ``(transition_id, source_id, target_id)``.
"""

from collections import defaultdict, deque

START, END = "start", "end"


class Problem:
    """One reason a definition cannot be activated, tied to the activity at fault."""

    def __init__(self, code, activity_id=None, transition_id=None):
        self.code = code
        self.activity_id = activity_id
        self.transition_id = transition_id

    def __eq__(self, other):
        return (self.code, self.activity_id, self.transition_id) == (
            other.code,
            other.activity_id,
            other.transition_id,
        )

    def __hash__(self):
        return hash((self.code, self.activity_id, self.transition_id))

    def __repr__(self):
        return f"Problem({self.code!r}, activity={self.activity_id}, transition={self.transition_id})"


def _reachable(roots, edges):
    seen, queue = set(roots), deque(roots)
    while queue:
        node = queue.popleft()
        for nxt in edges[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def validate(activities, transitions):
    """Return the problems that keep the process from running, in a stable order.

    - ``no_start`` / ``several_starts`` / ``no_end``: the process needs exactly one
      start and at least one end;
    - ``start_has_incoming`` / ``end_has_outgoing``;
    - ``unreachable``: no path from the start leads to the activity;
    - ``no_exit``: no path from the activity leads to an end (a cycle without exit,
      or a dead end);
    - ``dangling``: a transition whose source or target is not in the process.
    """
    problems = []
    starts = [node for node, kind in activities.items() if kind == START]
    ends = [node for node, kind in activities.items() if kind == END]
    if not starts:
        problems.append(Problem("no_start"))
    problems.extend(Problem("several_starts", node) for node in sorted(starts)[1:])
    if not ends:
        problems.append(Problem("no_end"))

    forward, backward = defaultdict(list), defaultdict(list)
    for transition_id, source, target in transitions:
        if source not in activities or target not in activities:
            problems.append(Problem("dangling", transition_id=transition_id))
            continue
        forward[source].append(target)
        backward[target].append(source)

    for node in sorted(activities):
        kind = activities[node]
        if kind == START and backward[node]:
            problems.append(Problem("start_has_incoming", node))
        if kind == END and forward[node]:
            problems.append(Problem("end_has_outgoing", node))

    if starts:
        reached = _reachable(starts[:1], forward)
        problems.extend(Problem("unreachable", node) for node in sorted(activities) if node not in reached)
    if ends:
        exits = _reachable(ends, backward)
        problems.extend(
            Problem("no_exit", node) for node in sorted(activities) if node not in exits and activities[node] != END
        )
    return problems


def choose_transitions(split_mode, candidates):
    """Pick the transitions a finished activity follows.

    ``candidates`` are ``(transition_id, condition_holds)`` in priority order. An XOR
    split follows the first transition whose condition holds; an AND split follows
    every one whose condition holds. An empty result means the process is stuck.
    """
    chosen = [transition_id for transition_id, holds in candidates if holds]
    if split_mode == "xor":
        return chosen[:1]
    return chosen


def join_ready(join_mode, arrived, incoming):
    """Whether an activity may start: an XOR join on the first arrival, an AND join
    once a token came through every incoming transition."""
    if join_mode == "and":
        return set(incoming) <= set(arrived)
    return bool(arrived)
