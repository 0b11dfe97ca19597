"""Structure of a process definition: validation and routing.

A process is a directed graph of activities (nodes) and transitions (edges).
Activities are given as ``{id: kind}`` with kind one of ``start``, ``end``, ``human``,
``auto``, ``gateway``; transitions as ``(transition_id, source_id, target_id)``.

The control-flow patterns of the workflow-patterns catalogue that a process is built of
(WCP-1 to WCP-7), by the split and join modes of its activities:

- WCP-1 sequence: one transition out, one in;
- WCP-2 parallel split: ``and`` split, every path is taken (no conditions);
- WCP-3 synchronisation: ``and`` join, waits for every incoming path;
- WCP-4 exclusive choice: ``xor`` split, the first path whose condition holds;
- WCP-5 simple merge: ``xor`` join, goes on at each arrival (one path arrives);
- WCP-6 multi-choice: ``or`` split, every path whose condition holds;
- WCP-7 synchronising merge: ``or`` join, waits for the paths that were taken: it goes on
  once no running path can still reach it.

:func:`soundness` explores every way a process can run (conditions may hold or not) and
names the joins that would wait forever or run twice.
"""

from collections import defaultdict, deque
from itertools import combinations

START, END = "start", "end"
# Beyond this many states a process is too large to explore: it is let through.
MAX_STATES = 20000


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
    split follows the first transition whose condition holds; an AND split (its
    transitions have no condition) and an OR split follow every one whose condition
    holds. An empty result means the process is stuck.
    """
    chosen = [transition_id for transition_id, holds in candidates if holds]
    if split_mode == "xor":
        return chosen[:1]
    return chosen


def join_ready(join_mode, arrived, incoming, still_coming=False):
    """Whether an activity may start: an XOR join on the first arrival, an AND join
    once a token came through every incoming transition, an OR join once a token
    arrived and no other running path can still reach it (``still_coming``)."""
    if join_mode == "and":
        return set(incoming) <= set(arrived)
    if join_mode == "or":
        return bool(arrived) and not still_coming
    return bool(arrived)


def waits_for_arrivals(join_mode, incoming_count):
    """Whether arrivals at an activity are collected (AND and OR joins of several paths)."""
    return join_mode in ("and", "or") and incoming_count > 1


def can_reach(forward, sources, target):
    """Whether a path leads from one of ``sources`` to ``target`` without passing through it.

    ``forward`` is ``{activity: [next activities]}``.
    """
    seen, queue = set(), deque(source for source in sources if source != target)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        for nxt in forward.get(node, ()):
            if nxt == target:
                return True
            queue.append(nxt)
    return False


def soundness(activities, transitions):
    """The joins that would wait forever or run twice, found by running the process in
    every way it can run (each condition may hold or not, paths in any order).

    ``activities`` are ``{id: (kind, split_mode, join_mode)}``; ``transitions``
    ``(transition_id, source_id, target_id, has_condition)`` in priority order. Returns
    :class:`Problem` with codes ``double_fire`` (an activity reached by two paths running
    at once, which it would run twice: an XOR join after a parallel split or a
    multi-choice), ``deadlock`` (an AND join some of whose paths may not be taken) and
    ``and_condition`` (a condition on a transition of a parallel split).
    """
    return _Net(activities, transitions).explore()


class _Net:
    """A process as a net of tokens: a token is ``("at", activity)`` (an item to run) or
    ``("arrived", transition)`` (a path waiting at an AND or OR join); a state is the
    set of tokens of one instance."""

    def __init__(self, activities, transitions):
        self.activities = activities
        self.problems = set()
        self.outgoing, self.incoming, self.forward = defaultdict(list), defaultdict(list), defaultdict(list)
        self.targets = {}
        for transition_id, source, target, has_condition in transitions:
            self.outgoing[source].append((transition_id, target, has_condition))
            self.incoming[target].append(transition_id)
            self.forward[source].append(target)
            self.targets[transition_id] = target
            if has_condition and activities[source][1] == "and":
                self.problems.add(Problem("and_condition", source, transition_id))
        self.collecting = {
            node
            for node, (_kind, _split, join) in activities.items()
            if waits_for_arrivals(join, len(self.incoming[node]))
        }
        self.starts = [node for node, (kind, _split, _join) in activities.items() if kind == START]

    def explore(self):
        if self.starts:
            initial = frozenset({("at", self.starts[0])})
            seen, queue = {initial}, deque([initial])
            while queue and len(seen) < MAX_STATES:
                moves = self._moves(queue.popleft())
                for successor in moves:
                    if successor not in seen:
                        seen.add(successor)
                        queue.append(successor)
        return sorted(self.problems, key=_order)

    def _moves(self, state):
        """The states an instance in ``state`` can move to; notes a deadlock where it cannot."""
        moves = []
        for kind, node in state:
            if kind != "at":
                continue
            for choice in self._choices(node):
                successor = state - {(kind, node)}
                for transition_id, target, _condition in choice:
                    successor = self._place(successor, transition_id, target)
                    if successor is None:
                        break
                if successor is not None:
                    moves.append(frozenset(successor))
        for join in self.collecting:
            arrived = {value for kind, value in state if kind == "arrived" and value in self.incoming[join]}
            mode = self.activities[join][2]
            if arrived and join_ready(mode, arrived, self.incoming[join], mode == "or" and self._coming(state, join)):
                moves.append(frozenset(state - {("arrived", t) for t in arrived} | {("at", join)}))
        if state and not moves:
            self.problems.update(Problem("deadlock", self.targets[value]) for kind, value in state if kind == "arrived")
        return moves

    def _choices(self, node):
        """The sets of transitions a finished activity may follow."""
        kind, split, _join = self.activities[node]
        paths = self.outgoing[node]
        if kind == END or not paths:
            return [()]
        if split == "and":
            return [tuple(paths)]
        if split == "xor":
            # any path whose condition may hold, up to the first one without condition
            options = []
            for path in paths:
                options.append((path,))
                if not path[2]:
                    break
            return options
        certain = tuple(path for path in paths if not path[2])
        optional = [path for path in paths if path[2]]
        subsets = (certain + subset for size in range(len(optional) + 1) for subset in combinations(optional, size))
        return [subset for subset in subsets if subset]

    def _place(self, state, transition_id, target):
        """``state`` with a token on its way to ``target``; None when one is there already."""
        token = ("arrived", transition_id) if target in self.collecting else ("at", target)
        if token in state:
            # named where the paths meet, not downstream where it is a consequence
            if len(self.incoming[target]) > 1:
                self.problems.add(Problem("double_fire", target))
            return None
        return state | {token}

    def _coming(self, state, join):
        """Whether a token of ``state`` other than those waiting at ``join`` can still reach it."""
        sources = [
            value if kind == "at" else self.targets[value]
            for kind, value in state
            if not (kind == "arrived" and self.targets[value] == join)
        ]
        return can_reach(self.forward, sources, join)


def _order(problem):
    return (problem.code, problem.activity_id or 0, problem.transition_id or 0)
