import random
from dataclasses import replace

from odoo.tests import BaseCase

from ..lib import simulation
from ..lib.simulation import ProcessModel, Scenario, compare, simulate


def exponential_durations(mean, count=2000, seed=7):
    """Recorded durations that look exponential: what an M/M/c queue is made of."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    return [rng.expovariate(1.0 / mean) for __ in range(count)]


def one_step(performers=1, durations=None, deadline_hours=0.0):
    """start -> human -> end."""
    return ProcessModel(
        {
            "start": {"kind": "start"},
            "task": {
                "kind": "human",
                "name": "Handle",
                "performers": performers,
                "durations": exponential_durations(0.5) if durations is None else durations,
                "deadline_hours": deadline_hours,
            },
            "end": {"kind": "end"},
        },
        [("t1", "start", "task"), ("t2", "task", "end")],
    )


def two_steps():
    """start -> check (1 h) -> approve (2 h) -> end, no limit on performers."""
    return ProcessModel(
        {
            "start": {"kind": "start"},
            "check": {"kind": "human", "durations": [1.0]},
            "approve": {"kind": "human", "durations": [2.0]},
            "end": {"kind": "end"},
        },
        [("t1", "start", "check"), ("t2", "check", "approve"), ("t3", "approve", "end")],
    )


def parallel(join_mode="and"):
    """start -> split (AND) -> a (2 h) and b (5 h) -> join -> end."""
    return ProcessModel(
        {
            "start": {"kind": "start"},
            "split": {"kind": "gateway", "split_mode": "and"},
            "a": {"kind": "auto", "durations": [2.0]},
            "b": {"kind": "human", "durations": [5.0]},
            "join": {"kind": "gateway", "join_mode": join_mode},
            "end": {"kind": "end"},
        },
        [
            ("t1", "start", "split"),
            ("t2", "split", "a"),
            ("t3", "split", "b"),
            ("t4", "a", "join"),
            ("t5", "b", "join"),
            ("t6", "join", "end"),
        ],
    )


class TestSimulationQueues(BaseCase):
    """One step served by a few performers behaves like the M/M/c queue of the books."""

    def test_single_performer_matches_mm1_theory(self):
        # arrivals 1/h, service 2/h: utilisation 0.5, waiting 0.5 h, time in system 1 h
        result = simulate(one_step(), arrival_rate=1.0, instances=4000, seed=3)
        self.assertAlmostEqual(result.cycle_avg, 1.0, delta=0.2)
        self.assertAlmostEqual(result.activities["task"].waiting_avg, 0.5, delta=0.15)
        self.assertAlmostEqual(result.activities["task"].processing_avg, 0.5, delta=0.05)
        self.assertAlmostEqual(result.activities["task"].utilisation, 0.5, delta=0.05)
        self.assertGreater(result.cycle_p90, result.cycle_avg)
        self.assertEqual(result.stuck, 0)

    def test_more_performers_lower_waiting_and_cycle_time(self):
        model = one_step(durations=exponential_durations(0.8))
        today, changed = compare(model, Scenario(performers={"task": 2}), arrival_rate=1.0, seed=5)
        self.assertLess(changed.activities["task"].waiting_avg, today.activities["task"].waiting_avg / 4)
        self.assertLess(changed.cycle_avg, today.cycle_avg)
        self.assertLess(changed.cycle_p90, today.cycle_p90)
        self.assertLess(changed.activities["task"].utilisation, today.activities["task"].utilisation)

    def test_removing_a_step_lowers_cycle_time(self):
        today, changed = compare(two_steps(), Scenario(removed=frozenset({"approve"})), arrival_rate=1.0)
        self.assertAlmostEqual(today.cycle_avg, 3.0)
        self.assertAlmostEqual(changed.cycle_avg, 1.0)
        self.assertEqual(changed.activities["approve"].processing_avg, 0.0)
        self.assertIsNone(changed.activities["approve"].utilisation)

    def test_throughput_equals_arrival_rate_when_capacity_suffices(self):
        result = simulate(one_step(), arrival_rate=2.0, instances=3000, seed=11)
        # 2 per hour, 48 per day; the service could do 4 per hour
        self.assertAlmostEqual(result.throughput_per_day, 48.0, delta=48.0 * 0.08)
        self.assertFalse(result.saturated)

    def test_throughput_is_capped_by_an_overloaded_step(self):
        result = simulate(one_step(), arrival_rate=3.0, instances=3000, seed=11)
        # one performer finishes 2 per hour whatever arrives
        self.assertAlmostEqual(result.throughput_per_day, 48.0, delta=48.0 * 0.08)
        self.assertEqual(result.saturated, ["task"])

    def test_typed_mean_duration_is_exponential(self):
        model = one_step(durations=[])
        model = model.replace_activities({"task": replace(model.activities["task"], mean_hours=0.5, durations=())})
        result = simulate(model, arrival_rate=1.0, instances=4000, seed=2)
        self.assertAlmostEqual(result.activities["task"].processing_avg, 0.5, delta=0.05)
        self.assertAlmostEqual(result.cycle_avg, 1.0, delta=0.2)

    def test_no_durations_take_no_time(self):
        result = simulate(one_step(durations=[]), arrival_rate=1.0, instances=100)
        self.assertEqual(result.cycle_avg, 0.0)


class TestSimulationDeterminism(BaseCase):
    def test_same_seed_same_figures(self):
        first = simulate(one_step(), arrival_rate=1.5, instances=500, seed=42)
        second = simulate(one_step(), arrival_rate=1.5, instances=500, seed=42)
        self.assertEqual(first, second)

    def test_other_seed_other_figures(self):
        first = simulate(one_step(), arrival_rate=1.5, instances=500, seed=42)
        second = simulate(one_step(), arrival_rate=1.5, instances=500, seed=43)
        self.assertNotEqual(first.cycle_avg, second.cycle_avg)

    def test_warm_up_is_left_out(self):
        result = simulate(one_step(), arrival_rate=1.0, instances=300, warmup=100)
        self.assertEqual(result.completed, 200)
        self.assertEqual(result.activities["task"].visits, 200)


class TestSimulationRouting(BaseCase):
    def test_and_join_waits_for_every_branch(self):
        result = simulate(parallel("and"), arrival_rate=0.5, instances=200, warmup=0)
        # every instance ends when the longer branch (5 h) is done, whatever the queues:
        # the automatic and the gateway steps have no limit, the human step none either
        self.assertAlmostEqual(result.cycle_avg, 5.0)
        self.assertAlmostEqual(result.cycle_p90, 5.0)
        self.assertEqual(result.activities["join"].visits, 200)
        self.assertEqual(result.activities["end"].visits, 200)
        self.assertEqual(result.completed, 200)

    def test_xor_join_runs_once_per_arrival(self):
        result = simulate(parallel("xor"), arrival_rate=0.5, instances=200, warmup=0)
        self.assertEqual(result.activities["join"].visits, 400)
        self.assertEqual(result.activities["end"].visits, 400)
        self.assertAlmostEqual(result.cycle_avg, 5.0)

    def test_and_join_waits_behind_a_queue(self):
        model = parallel("and")
        model = model.replace_activities({"b": replace(model.activities["b"], performers=1)})
        # b (5 h, one performer) gets an instance every 4 hours: the join waits for its queue
        result = simulate(model, arrival_rate=0.25, instances=2000, seed=1)
        self.assertGreater(result.cycle_avg, 5.0 + result.activities["b"].waiting_avg * 0.9)
        self.assertEqual(result.activities["join"].visits, result.activities["end"].visits)

    def test_removed_join_keeps_synchronising(self):
        today, changed = compare(parallel("and"), Scenario(removed=frozenset({"b"})), arrival_rate=0.5, warmup=0)
        self.assertAlmostEqual(changed.cycle_avg, 2.0)
        self.assertEqual(changed.activities["end"].visits, today.activities["end"].visits)

    def test_xor_split_follows_branch_probabilities(self):
        model = ProcessModel(
            {
                "start": {"kind": "start"},
                "triage": {"kind": "gateway"},
                "simple": {"kind": "auto", "durations": [1.0]},
                "complex": {"kind": "auto", "durations": [9.0]},
                "end": {"kind": "end"},
            },
            [
                ("t1", "start", "triage"),
                ("t2", "triage", "simple"),
                ("t3", "triage", "complex"),
                ("t4", "simple", "end"),
                ("t5", "complex", "end"),
            ],
            {"t2": 0.8, "t3": 0.2},
        )
        result = simulate(model, arrival_rate=1.0, instances=5000, seed=9)
        share = result.activities["simple"].visits / result.completed
        self.assertAlmostEqual(share, 0.8, delta=0.03)
        self.assertAlmostEqual(result.cycle_avg, 0.8 * 1 + 0.2 * 9, delta=0.3)
        uniform = simulate(ProcessModel(model.activities, model.transitions), arrival_rate=1.0, instances=5000)
        self.assertAlmostEqual(uniform.activities["simple"].visits / uniform.completed, 0.5, delta=0.03)

    def test_loop_that_never_exits_is_reported(self):
        model = ProcessModel(
            {
                "start": {"kind": "start"},
                "work": {"kind": "auto", "durations": [0.1]},
                "review": {"kind": "gateway"},
                "end": {"kind": "end"},
            },
            [("t1", "start", "work"), ("t2", "work", "review"), ("t3", "review", "work"), ("t4", "review", "end")],
            {"t3": 1.0, "t4": 0.0},
        )
        with self.assertRaisesRegex(ValueError, "loop"):
            simulate(model, arrival_rate=1.0, instances=20, warmup=0)


class TestSimulationDeadlines(BaseCase):
    def test_share_of_steps_past_their_deadline(self):
        model = one_step(performers=None, durations=[2.0], deadline_hours=1.0)
        today, later = compare(model, Scenario(deadlines={"task": 3.0}), arrival_rate=1.0, instances=200)
        self.assertEqual(today.overdue_share, 1.0)
        self.assertEqual(today.activities["task"].overdue_share, 1.0)
        self.assertEqual(later.overdue_share, 0.0)

    def test_deadline_counts_the_waiting_too(self):
        # service 0.5 h, deadline 2 h: only the tasks that queued long enough are late
        result = simulate(one_step(performers=1, deadline_hours=2.0), arrival_rate=1.6, instances=3000, seed=4)
        self.assertGreater(result.overdue_share, 0.0)
        self.assertLess(result.overdue_share, 1.0)

    def test_no_deadline_no_share(self):
        result = simulate(one_step(), arrival_rate=1.0, instances=100)
        self.assertIsNone(result.overdue_share)
        __, changed = compare(one_step(), Scenario(deadlines={"task": 0.0}), arrival_rate=1.0, instances=100)
        self.assertIsNone(changed.overdue_share)


class TestSimulationBadInput(BaseCase):
    def test_unknown_activity_in_a_change(self):
        for scenario in (
            Scenario(performers={"nowhere": 2}),
            Scenario(removed=frozenset({"nowhere"})),
            Scenario(deadlines={"nowhere": 4.0}),
        ):
            with self.assertRaisesRegex(ValueError, "changes the activity 'nowhere', which is not in the process"):
                compare(one_step(), scenario, arrival_rate=1.0)

    def test_negative_or_zero_performers(self):
        with self.assertRaisesRegex(ValueError, "'Handle' cannot have -1 performers: give a whole number of 1 or more"):
            Scenario(performers={"task": -1}).apply(one_step())
        with self.assertRaisesRegex(ValueError, "cannot have 0 performers"):
            one_step(performers=0)
        with self.assertRaisesRegex(ValueError, "cannot have 1.5 performers"):
            Scenario(performers={"task": 1.5}).apply(one_step())

    def test_arrival_rate_must_be_positive(self):
        for rate in (0, -1.0, float("nan"), None):
            with self.assertRaisesRegex(ValueError, "arrival rate must be a positive number of instances per hour"):
                simulate(one_step(), arrival_rate=rate)

    def test_too_few_instances(self):
        with self.assertRaisesRegex(ValueError, "at least 10 instances beyond the warm-up"):
            simulate(one_step(), arrival_rate=1.0, instances=50, warmup=45)

    def test_start_and_end_cannot_be_removed(self):
        with self.assertRaisesRegex(ValueError, "start activity 'start' cannot be removed"):
            Scenario(removed=frozenset({"start"})).apply(one_step())

    def test_negative_durations_and_deadlines(self):
        with self.assertRaisesRegex(ValueError, "duration of the activity 'Handle' must be a number of hours of 0 or"):
            one_step(durations=[1.0, -2.0])
        with self.assertRaisesRegex(ValueError, "deadline of the activity 'Handle'"):
            Scenario(deadlines={"task": -1}).apply(one_step())

    def test_incomplete_definition(self):
        with self.assertRaisesRegex(ValueError, "definition is incomplete: no_end"):
            ProcessModel({"start": {"kind": "start"}, "task": {"kind": "human"}}, [("t1", "start", "task")])
        with self.assertRaisesRegex(ValueError, "kind 'robot'"):
            ProcessModel({"start": {"kind": "robot"}}, [])

    def test_branch_probabilities(self):
        model = one_step()
        with self.assertRaisesRegex(ValueError, "transition 'elsewhere', not in the process"):
            ProcessModel(model.activities, model.transitions, {"elsewhere": 0.5})
        with self.assertRaisesRegex(ValueError, "transition 't1' must be 0 or more"):
            ProcessModel(model.activities, model.transitions, {"t1": -0.5})


class TestPercentile(BaseCase):
    def test_interpolates_like_percentile_cont(self):
        self.assertEqual(simulation.percentile([], 0.9), 0.0)
        self.assertEqual(simulation.percentile([3.0], 0.9), 3.0)
        self.assertAlmostEqual(simulation.percentile(list(range(1, 11)), 0.9), 9.1)
