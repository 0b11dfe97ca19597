"""What-if simulation of a process: a discrete-event simulation on plain data.

The process is a :class:`ProcessModel`: activities, transitions and the shares of
the paths out of XOR splits, all as plain Python values (ids may be ints or
strings). Instances arrive as a Poisson process; every instance carries tokens
through the graph the way the engine moves work items:

- a start or an end takes no time;
- every other activity takes a duration drawn from its recorded durations (the
  empirical distribution, sampled with replacement), or from an exponential
  distribution of ``mean_hours`` when nothing was recorded, or no time at all;
- an activity with ``performers = c`` serves ``c`` tokens at once and queues the
  others first come, first served; ``None`` means no limit (applications and
  gateways run as soon as they are reached);
- an XOR split follows one outgoing transition, chosen by the branch
  probabilities (uniformly when none is known for that split; a transition
  missing from known shares is never taken); an AND split follows all of them, and
  so does an OR split (a multi-choice is simulated as if every condition held);
- an AND or OR join (with several incoming transitions) waits until a token came
  through each of them, then runs once (an OR join after a multi-choice whose
  conditions all hold); any other activity
  runs once per arriving token, as the engine spawns one work item per arrival;
- an instance ends when it has no token left, at its last end.

A :class:`Scenario` changes a model: performers, deadlines, and removed steps. A
removed step stays in the graph as an instantaneous routing point with no limit:
its incoming paths lead straight to its successors, and its split and join still
apply, so a removed synchronisation does not make the work after it run twice.

:func:`simulate` runs one model; :func:`compare` runs the baseline and the
scenario with the same seed. Random numbers come from one stream per purpose
(arrivals, and per activity its durations and its branches), so the two runs meet
the same arrivals and, step for step, similar draws (common random numbers): the
difference between them is mostly the change, not noise.
"""

import heapq
import math
import random
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace

from . import graph

KINDS = ("start", "human", "auto", "gateway", "end")
MODES = ("xor", "and", "or")
INSTANT_KINDS = ("start", "end")
# Beyond this many events per simulated instance, the branch shares of some loop
# keep instances going round: stop and say so rather than run forever.
MAX_EVENTS_PER_INSTANCE = 5000
# Measured instances needed after the warm-up for averages and a throughput.
MIN_MEASURED = 10
SATURATION = 0.98


@dataclass(frozen=True)
class Activity:
    """One step of the simulated process."""

    id: object
    kind: str
    name: str = ""
    split_mode: str = "xor"
    join_mode: str = "xor"
    performers: int | None = None
    durations: tuple = ()
    mean_hours: float = 0.0
    deadline_hours: float = 0.0
    removed: bool = False

    @property
    def label(self):
        return repr(self.name) if self.name else repr(self.id)

    @property
    def instant(self):
        return self.kind in INSTANT_KINDS or self.removed

    @property
    def capacity(self):
        """Servers working in parallel; ``None`` for no limit."""
        return None if self.instant else self.performers

    @property
    def deadline(self):
        return 0.0 if self.instant else self.deadline_hours


def _check_performers(label, performers):
    if performers is None:
        return None
    if isinstance(performers, bool) or not isinstance(performers, int) or performers < 1:
        raise ValueError(
            f"The activity {label} cannot have {performers!r} performers: "
            "give a whole number of 1 or more, or None for no limit."
        )
    return performers


def _check_hours(label, what, value):
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value) or value < 0:
        raise ValueError(f"The {what} of the activity {label} must be a number of hours of 0 or more, not {value!r}.")
    return float(value)


def _activity(activity_id, values):
    """Build a checked :class:`Activity` from a dict (or return a given one, checked)."""
    if isinstance(values, Activity):
        values = {name: getattr(values, name) for name in Activity.__dataclass_fields__ if name != "id"}
    unknown = set(values) - set(Activity.__dataclass_fields__) - {"id"}
    if unknown:
        raise ValueError(f"The activity {activity_id!r} has unknown attributes: {', '.join(sorted(unknown))}.")
    name = values.get("name") or ""
    label = repr(name) if name else repr(activity_id)
    kind = values.get("kind")
    if kind not in KINDS:
        raise ValueError(f"The activity {label} has the kind {kind!r}: use one of {', '.join(KINDS)}.")
    split_mode, join_mode = values.get("split_mode") or "xor", values.get("join_mode") or "xor"
    if split_mode not in MODES or join_mode not in MODES:
        raise ValueError(f"The activity {label} splits and joins with 'xor', 'and' or 'or' only.")
    durations = tuple(_check_hours(label, "duration", value) for value in values.get("durations") or ())
    return Activity(
        id=activity_id,
        kind=kind,
        name=name,
        split_mode=split_mode,
        join_mode=join_mode,
        performers=_check_performers(label, values.get("performers")),
        durations=durations,
        mean_hours=_check_hours(label, "mean duration", values.get("mean_hours") or 0.0),
        deadline_hours=_check_hours(label, "deadline", values.get("deadline_hours") or 0.0),
        removed=bool(values.get("removed")),
    )


class ProcessModel:
    """A process definition with what was learnt from its history, ready to simulate.

    :param activities: ``{id: {"kind", "split_mode", "join_mode", "performers",
        "durations", "mean_hours", "deadline_hours", "name"}}`` (only ``kind`` is
        required) or ``{id: Activity}``
    :param transitions: ``[(transition_id, source_id, target_id)]``, in priority order
    :param branch_probabilities: ``{transition_id: weight}`` for paths out of XOR
        splits; the weights of one split need not add up to 1
    :raise ValueError: on a definition that cannot run, naming what is wrong
    """

    def __init__(self, activities, transitions, branch_probabilities=None):
        self.activities = {activity_id: _activity(activity_id, values) for activity_id, values in activities.items()}
        self.transitions = [tuple(transition) for transition in transitions]
        self.branch_probabilities = dict(branch_probabilities or {})
        self._check()
        self.outgoing = defaultdict(list)
        self.incoming = defaultdict(list)
        for transition_id, source, target in self.transitions:
            self.outgoing[source].append((transition_id, target))
            self.incoming[target].append(transition_id)
        self.start = next(activity.id for activity in self.activities.values() if activity.kind == "start")

    def _check(self):
        if any(len(transition) != 3 for transition in self.transitions):
            raise ValueError("Give every transition as (transition_id, source_id, target_id).")
        problems = graph.validate({key: activity.kind for key, activity in self.activities.items()}, self.transitions)
        if problems:
            details = ", ".join(
                f"{problem.code} ({problem.transition_id if problem.activity_id is None else problem.activity_id!r})"
                if problem.activity_id is not None or problem.transition_id is not None
                else problem.code
                for problem in problems
            )
            raise ValueError(f"The process cannot be simulated, its definition is incomplete: {details}.")
        known = {transition_id for transition_id, __, __ in self.transitions}
        for transition_id, weight in self.branch_probabilities.items():
            if transition_id not in known:
                raise ValueError(
                    f"A branch probability is given for the transition {transition_id!r}, not in the process."
                )
            if not isinstance(weight, int | float) or isinstance(weight, bool) or math.isnan(weight) or weight < 0:
                raise ValueError(f"The branch probability of the transition {transition_id!r} must be 0 or more.")

    def replace_activities(self, activities):
        """A copy of the model in which ``activities`` (``{id: Activity}``) replace theirs."""
        return ProcessModel({**self.activities, **activities}, self.transitions, self.branch_probabilities)


@dataclass(frozen=True)
class Scenario:
    """Changes to a model: ``performers`` and ``deadlines`` by activity id (``None``
    performers for no limit, a 0 deadline for none), and the ids of ``removed`` steps."""

    performers: dict = field(default_factory=dict)
    removed: frozenset = frozenset()
    deadlines: dict = field(default_factory=dict)

    def apply(self, model):
        """The model with the changes made; :raise ValueError: on a change the model cannot take."""
        changed = {}
        for activity_id in [*self.performers, *self.removed, *self.deadlines]:
            if activity_id not in model.activities:
                raise ValueError(f"The scenario changes the activity {activity_id!r}, which is not in the process.")
        for activity_id in self.removed:
            activity = model.activities[activity_id]
            if activity.kind in INSTANT_KINDS:
                raise ValueError(
                    f"The {activity.kind} activity {activity.label} cannot be removed: every run needs it."
                )
            changed[activity_id] = replace(activity, removed=True)
        for activity_id, performers in self.performers.items():
            activity = changed.get(activity_id, model.activities[activity_id])
            changed[activity_id] = replace(activity, performers=_check_performers(activity.label, performers))
        for activity_id, hours in self.deadlines.items():
            activity = changed.get(activity_id, model.activities[activity_id])
            changed[activity_id] = replace(activity, deadline_hours=_check_hours(activity.label, "deadline", hours))
        return model.replace_activities(changed)


@dataclass(frozen=True)
class ActivityResult:
    """What one activity did for the measured instances.

    ``utilisation`` is the share of its performers' time spent working in the
    measured window (``None`` with no limit on performers); ``busy_avg`` the mean
    number of tokens in service; ``overdue_share`` ``None`` without a deadline.
    """

    visits: int
    waiting_avg: float
    processing_avg: float
    utilisation: float | None
    busy_avg: float
    overdue_share: float | None


@dataclass(frozen=True)
class SimulationResult:
    """Cycle times (hours) of the measured instances, throughput in the measured
    window, the share of steps with a deadline that finished past it (``None`` when
    no step has one) and the figures of each activity."""

    cycle_avg: float
    cycle_p90: float
    throughput_per_day: float
    overdue_share: float | None
    completed: int
    stuck: int
    activities: dict

    @property
    def saturated(self):
        """Activities whose performers are (nearly) always busy: their queue grows
        with every instance, and the figures with the number simulated."""
        return [
            activity_id
            for activity_id, result in self.activities.items()
            if result.utilisation is not None and result.utilisation >= SATURATION
        ]


def percentile(values, share):
    """The ``share`` percentile (0..1) of ``values``, interpolated as SQL's PERCENTILE_CONT."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _check_run(arrival_rate, instances, warmup):
    if not isinstance(arrival_rate, int | float) or isinstance(arrival_rate, bool) or not arrival_rate > 0:
        raise ValueError(f"The arrival rate must be a positive number of instances per hour, not {arrival_rate!r}.")
    if math.isinf(arrival_rate):
        raise ValueError("The arrival rate must be finite.")
    if not isinstance(instances, int) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError("Give the number of instances and of warm-up instances as whole numbers of 0 or more.")
    if instances - warmup < MIN_MEASURED:
        raise ValueError(
            f"Simulate at least {MIN_MEASURED} instances beyond the warm-up ({instances} instances, warm-up {warmup})."
        )


def simulate(model, arrival_rate, *, instances=2000, warmup=None, seed=0):
    """Simulate ``instances`` runs of ``model`` arriving at ``arrival_rate`` per hour.

    The first ``warmup`` instances (a tenth by default, at most 200) fill the queues
    and are left out of the figures. The same model, rate and seed give the same
    result.

    :rtype: SimulationResult
    :raise ValueError: on a rate, count or model that cannot be simulated
    """
    if warmup is None:
        warmup = min(instances // 10, 200) if isinstance(instances, int) else 0
    _check_run(arrival_rate, instances, warmup)
    return _Run(model, arrival_rate, instances, warmup, seed).run()


def compare(model, scenario, arrival_rate, *, instances=2000, warmup=None, seed=0):
    """Simulate the model as it is and with the scenario's changes, with the same
    random streams: ``(baseline, changed)`` results."""
    changed = scenario.apply(model)
    return (
        simulate(model, arrival_rate, instances=instances, warmup=warmup, seed=seed),
        simulate(changed, arrival_rate, instances=instances, warmup=warmup, seed=seed),
    )


class _Run:
    """One simulation: an event list ordered by time, then by creation."""

    def __init__(self, model, arrival_rate, instances, warmup, seed):
        self.model = model
        self.activities = model.activities
        self.arrival_rate = arrival_rate
        self.instances = instances
        self.warmup = warmup
        # Named streams: a change to one activity does not shift the draws of another.
        # The simulation needs reproducible, not unpredictable, numbers.
        self.arrival_rng = random.Random(f"{seed}:arrivals")  # noqa: S311
        self.duration_rng = {key: random.Random(f"{seed}:duration:{key}") for key in self.activities}  # noqa: S311
        self.branch_rng = {key: random.Random(f"{seed}:branch:{key}") for key in self.activities}  # noqa: S311
        self.events = []
        self.sequence = 0
        self.now = 0.0
        # instances
        self.arrived_at = []
        self.tokens = []
        self.joins = []
        self.ended_at = {}
        # activities
        self.queue = {key: deque() for key in self.activities}
        self.busy = dict.fromkeys(self.activities, 0)
        self.area = dict.fromkeys(self.activities, 0.0)
        self.area_changed = dict.fromkeys(self.activities, 0.0)
        self.window = [None, None]
        self.window_area = [{}, {}]
        self.visits = dict.fromkeys(self.activities, 0)
        self.waiting = dict.fromkeys(self.activities, 0.0)
        self.processing = dict.fromkeys(self.activities, 0.0)
        self.with_deadline = dict.fromkeys(self.activities, 0)
        self.overdue = dict.fromkeys(self.activities, 0)

    # event list -------------------------------------------------------------

    def _push(self, time, action, *payload):
        self.sequence += 1
        heapq.heappush(self.events, (time, self.sequence, action, payload))

    def run(self):
        self._push(self.arrival_rng.expovariate(self.arrival_rate), "arrive")
        limit = MAX_EVENTS_PER_INSTANCE * self.instances
        handled = 0
        while self.events:
            self.now, __, action, payload = heapq.heappop(self.events)
            handled += 1
            if handled > limit:
                raise ValueError(
                    "The simulated instances keep going round a loop: a path back is taken almost every time. "
                    "Check the branch shares of the loops."
                )
            if action == "arrive":
                self._arrive()
            else:
                self._finish(*payload)
        return self._result()

    # instances -----------------------------------------------------------------

    def _arrive(self):
        instance = len(self.arrived_at)
        self.arrived_at.append(self.now)
        self.tokens.append(1)
        self.joins.append({})
        if instance == self.warmup:
            self._snapshot(0)
        if instance == self.instances - 1:
            self._snapshot(1)
        else:
            self._push(self.now + self.arrival_rng.expovariate(self.arrival_rate), "arrive")
        self._enter(self.model.start, instance, None)

    def _measured(self, instance):
        return instance >= self.warmup

    # activities -------------------------------------------------------------------

    def _account(self, key):
        """Bring the integral of busy servers over time up to now."""
        self.area[key] += self.busy[key] * (self.now - self.area_changed[key])
        self.area_changed[key] = self.now

    def _snapshot(self, index):
        for key in self.activities:
            self._account(key)
        self.window[index] = self.now
        self.window_area[index] = dict(self.area)

    def _enter(self, key, instance, transition_id):
        activity = self.activities[key]
        incoming = self.model.incoming[key]
        if graph.waits_for_arrivals(activity.join_mode, len(incoming)):
            arrived = self.joins[instance].setdefault(key, set())
            arrived.add(transition_id)
            self.tokens[instance] -= 1
            if not graph.join_ready("and", arrived, incoming):
                return
            del self.joins[instance][key]
            self.tokens[instance] += 1
        capacity = activity.capacity
        if capacity is None or self.busy[key] < capacity:
            self._serve(key, instance, self.now)
        else:
            self.queue[key].append((instance, self.now))

    def _serve(self, key, instance, offered):
        activity = self.activities[key]
        self._account(key)
        self.busy[key] += 1
        duration = self._duration(activity)
        if self._measured(instance):
            self.visits[key] += 1
            self.waiting[key] += self.now - offered
            self.processing[key] += duration
        self._push(self.now + duration, "finish", key, instance, offered)

    def _duration(self, activity):
        if activity.instant:
            return 0.0
        rng = self.duration_rng[activity.id]
        if activity.durations:
            return rng.choice(activity.durations)
        if activity.mean_hours:
            return rng.expovariate(1.0 / activity.mean_hours)
        return 0.0

    def _finish(self, key, instance, offered):
        activity = self.activities[key]
        self._account(key)
        self.busy[key] -= 1
        if self.queue[key]:
            self._serve(key, *self.queue[key].popleft())
        if activity.deadline and self._measured(instance):
            self.with_deadline[key] += 1
            if self.now - offered > activity.deadline + 1e-9:
                self.overdue[key] += 1
        outgoing = self.model.outgoing[key]
        if activity.kind == "end" or not outgoing:
            self.tokens[instance] -= 1
            if not self.tokens[instance] and not self.joins[instance]:
                self.ended_at[instance] = self.now
            return
        chosen = outgoing if activity.split_mode in ("and", "or") else [self._branch(activity, outgoing)]
        self.tokens[instance] += len(chosen) - 1
        for transition_id, target in chosen:
            self._enter(target, instance, transition_id)

    def _branch(self, activity, outgoing):
        if len(outgoing) == 1:
            return outgoing[0]
        shares = self.model.branch_probabilities
        weights = [shares.get(transition_id) for transition_id, __ in outgoing]
        if all(weight is None for weight in weights) or not sum(weight or 0 for weight in weights):
            weights = [1.0] * len(outgoing)
        weights = [weight or 0.0 for weight in weights]
        draw = self.branch_rng[activity.id].random() * sum(weights)
        for path, weight in zip(outgoing, weights, strict=True):
            if draw < weight:
                return path
            draw -= weight
        return next(path for path, weight in zip(outgoing, weights, strict=True) if weight)

    # figures ------------------------------------------------------------------------

    def _result(self):
        measured = range(self.warmup, self.instances)
        cycles = [self.ended_at[i] - self.arrived_at[i] for i in measured if i in self.ended_at]
        start, end = self.window
        span = end - start
        finished_in_window = sum(1 for moment in self.ended_at.values() if start <= moment <= end)
        activities = {}
        for key, activity in self.activities.items():
            busy_time = self.window_area[1][key] - self.window_area[0][key]
            visits = self.visits[key]
            capacity = activity.capacity
            activities[key] = ActivityResult(
                visits=visits,
                waiting_avg=self.waiting[key] / visits if visits else 0.0,
                processing_avg=self.processing[key] / visits if visits else 0.0,
                utilisation=busy_time / (capacity * span) if capacity and span else None,
                busy_avg=busy_time / span if span else 0.0,
                overdue_share=self.overdue[key] / self.with_deadline[key] if self.with_deadline[key] else None,
            )
        with_deadline = sum(self.with_deadline.values())
        return SimulationResult(
            cycle_avg=sum(cycles) / len(cycles) if cycles else 0.0,
            cycle_p90=percentile(cycles, 0.9),
            throughput_per_day=finished_in_window / span * 24.0 if span else 0.0,
            overdue_share=sum(self.overdue.values()) / with_deadline if with_deadline else None,
            completed=len(cycles),
            stuck=len(measured) - len(cycles),
            activities=activities,
        )
