from odoo.tests import BaseCase

from ..lib import graph
from ..lib.graph import Problem

# start(1) -> task(2) -> end(3)
SEQUENCE = {1: "start", 2: "human", 3: "end"}
SEQUENCE_EDGES = [(10, 1, 2), (11, 2, 3)]


class TestGraphValidate(BaseCase):
    """``graph.validate`` names every activity that keeps a definition from running."""

    def test_sequence_is_valid(self):
        self.assertEqual(graph.validate(SEQUENCE, SEQUENCE_EDGES), [])

    def test_no_start(self):
        problems = graph.validate({2: "human", 3: "end"}, [(11, 2, 3)])
        self.assertIn(Problem("no_start"), problems)
        # without a start nothing is "unreachable": the missing start is the one problem
        self.assertEqual(problems, [Problem("no_start")])

    def test_several_starts_names_the_extra_ones(self):
        activities = {**SEQUENCE, 4: "start", 5: "start"}
        edges = [*SEQUENCE_EDGES, (12, 4, 2), (13, 5, 2)]
        problems = graph.validate(activities, edges)
        self.assertEqual(
            [problem for problem in problems if problem.code == "several_starts"],
            [Problem("several_starts", 4), Problem("several_starts", 5)],
        )
        # the first start counts; the others cannot be reached from it
        self.assertIn(Problem("unreachable", 4), problems)
        self.assertNotIn(Problem("several_starts", 1), problems)

    def test_no_end(self):
        problems = graph.validate({1: "start", 2: "human"}, [(10, 1, 2)])
        self.assertEqual(problems, [Problem("no_end")])

    def test_unreachable_activity(self):
        activities = {**SEQUENCE, 4: "human"}
        problems = graph.validate(activities, [*SEQUENCE_EDGES, (12, 4, 3)])
        self.assertEqual(problems, [Problem("unreachable", 4)])

    def test_dead_end_has_no_exit(self):
        activities = {**SEQUENCE, 4: "human"}
        problems = graph.validate(activities, [*SEQUENCE_EDGES, (12, 2, 4)])
        self.assertEqual(problems, [Problem("no_exit", 4)])

    def test_cycle_without_exit(self):
        # start -> end, and start -> a <-> b: the loop never reaches the end
        activities = {1: "start", 2: "human", 3: "human", 4: "end"}
        edges = [(10, 1, 4), (11, 1, 2), (12, 2, 3), (13, 3, 2)]
        self.assertEqual(graph.validate(activities, edges), [Problem("no_exit", 2), Problem("no_exit", 3)])

    def test_cycle_with_exit_is_valid(self):
        # a rework loop: review sends back to prepare, or goes on to the end
        activities = {1: "start", 2: "human", 3: "human", 4: "end"}
        edges = [(10, 1, 2), (11, 2, 3), (12, 3, 2), (13, 3, 4)]
        self.assertEqual(graph.validate(activities, edges), [])

    def test_dangling_transition(self):
        problems = graph.validate(SEQUENCE, [*SEQUENCE_EDGES, (12, 2, 99), (13, 98, 3)])
        self.assertEqual(problems, [Problem("dangling", transition_id=12), Problem("dangling", transition_id=13)])

    def test_start_with_incoming_and_end_with_outgoing(self):
        edges = [*SEQUENCE_EDGES, (12, 2, 1), (13, 3, 2)]
        problems = graph.validate(SEQUENCE, edges)
        self.assertIn(Problem("start_has_incoming", 1), problems)
        self.assertIn(Problem("end_has_outgoing", 3), problems)

    def test_problems_come_in_a_stable_order(self):
        activities = {5: "human", 1: "start", 4: "human", 3: "end", 2: "human"}
        edges = [(10, 1, 2), (11, 2, 3)]
        first = graph.validate(activities, edges)
        self.assertEqual(first, graph.validate(dict(reversed(activities.items())), list(reversed(edges))))
        self.assertEqual(
            first,
            [Problem("unreachable", 4), Problem("unreachable", 5), Problem("no_exit", 4), Problem("no_exit", 5)],
        )

    def test_problem_equality_and_repr(self):
        self.assertEqual(Problem("no_exit", 2), Problem("no_exit", 2))
        self.assertNotEqual(Problem("no_exit", 2), Problem("no_exit", 3))
        self.assertEqual(len({Problem("no_exit", 2), Problem("no_exit", 2)}), 1)
        self.assertIn("no_exit", repr(Problem("no_exit", 2)))


class TestGraphRouting(BaseCase):
    """Which transitions a finished activity follows, and when a join may start."""

    def test_xor_takes_the_first_holding_transition(self):
        self.assertEqual(graph.choose_transitions("xor", [(1, False), (2, True), (3, True)]), [2])

    def test_xor_keeps_the_priority_order(self):
        self.assertEqual(graph.choose_transitions("xor", [(3, True), (1, True)]), [3])

    def test_and_takes_every_holding_transition(self):
        self.assertEqual(graph.choose_transitions("and", [(1, True), (2, False), (3, True)]), [1, 3])

    def test_nothing_holds_means_stuck(self):
        self.assertEqual(graph.choose_transitions("xor", [(1, False), (2, False)]), [])
        self.assertEqual(graph.choose_transitions("and", [(1, False)]), [])
        self.assertEqual(graph.choose_transitions("xor", []), [])

    def test_and_join_waits_for_every_incoming_path(self):
        self.assertFalse(graph.join_ready("and", [], [1, 2]))
        self.assertFalse(graph.join_ready("and", [1], [1, 2]))
        self.assertTrue(graph.join_ready("and", [2, 1], [1, 2]))
        # a path arriving twice does not stand for the other one
        self.assertFalse(graph.join_ready("and", [1, 1], [1, 2]))

    def test_xor_join_starts_on_the_first_arrival(self):
        self.assertFalse(graph.join_ready("xor", [], [1, 2]))
        self.assertTrue(graph.join_ready("xor", [2], [1, 2]))


def _net(split="xor", join="xor", conditions=(False, False)):
    """start(1) splits into a(2) and b(3), which meet at the join j(4) before the end(5)."""
    activities = {
        1: ("start", split, "xor"),
        2: ("human", "xor", "xor"),
        3: ("human", "xor", "xor"),
        4: ("gateway", "xor", join),
        5: ("end", "xor", "xor"),
    }
    transitions = [
        (10, 1, 2, conditions[0]),
        (11, 1, 3, conditions[1]),
        (12, 2, 4, False),
        (13, 3, 4, False),
        (14, 4, 5, False),
    ]
    return activities, transitions


class TestGraphPatterns(BaseCase):
    """``graph.soundness``: the nets built of WCP-1 to WCP-7 pass, the others are named."""

    def assertSound(self, net):
        self.assertEqual(graph.soundness(*net), [])

    def test_sequence(self):  # WCP-1
        activities = {1: ("start", "xor", "xor"), 2: ("human", "xor", "xor"), 3: ("end", "xor", "xor")}
        self.assertSound((activities, [(10, 1, 2, False), (11, 2, 3, False)]))

    def test_parallel_split_and_synchronisation(self):  # WCP-2, WCP-3
        self.assertSound(_net("and", "and"))

    def test_exclusive_choice_and_simple_merge(self):  # WCP-4, WCP-5
        self.assertSound(_net("xor", "xor", (True, False)))

    def test_multi_choice_and_synchronising_merge(self):  # WCP-6, WCP-7
        self.assertSound(_net("or", "or", (True, True)))

    def test_synchronising_merge_after_a_parallel_split_or_a_choice(self):
        self.assertSound(_net("and", "or"))
        self.assertSound(_net("xor", "or", (True, False)))

    def test_parallel_split_into_simple_merge_runs_the_merge_twice(self):
        self.assertEqual(graph.soundness(*_net("and", "xor")), [Problem("double_fire", 4)])

    def test_multi_choice_into_simple_merge_runs_the_merge_twice(self):
        self.assertEqual(graph.soundness(*_net("or", "xor", (True, True))), [Problem("double_fire", 4)])

    def test_exclusive_choice_into_synchronisation_waits_forever(self):
        self.assertEqual(graph.soundness(*_net("xor", "and", (True, False))), [Problem("deadlock", 4)])

    def test_multi_choice_into_synchronisation_waits_forever(self):
        self.assertEqual(graph.soundness(*_net("or", "and", (True, True))), [Problem("deadlock", 4)])

    def test_condition_on_a_parallel_split_is_named(self):
        self.assertIn(Problem("and_condition", 1, 10), graph.soundness(*_net("and", "and", (True, False))))

    def test_loop_back_through_a_choice_is_sound(self):
        # start -> task(2) -> choice(3) -> back to task, or on to the end(4)
        activities = {
            1: ("start", "xor", "xor"),
            2: ("human", "xor", "xor"),
            3: ("gateway", "xor", "xor"),
            4: ("end", "xor", "xor"),
        }
        transitions = [(10, 1, 2, False), (11, 2, 3, False), (12, 3, 2, True), (13, 3, 4, False)]
        self.assertSound((activities, transitions))

    def test_synchronising_merge_waits_only_for_paths_still_running(self):
        forward = {1: [2, 3], 2: [4], 3: [4], 4: [5]}
        self.assertTrue(graph.can_reach(forward, [3], 4))
        self.assertFalse(graph.can_reach(forward, [5], 4))
        self.assertTrue(graph.join_ready("or", [12], [12, 13], still_coming=False))
        self.assertFalse(graph.join_ready("or", [12], [12, 13], still_coming=True))
