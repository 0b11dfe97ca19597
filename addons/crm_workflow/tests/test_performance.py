import logging
from contextlib import contextmanager

from odoo.tests import tagged, warmup

from .common_process import CrmWorkflowProcessCase

_logger = logging.getLogger(__name__)

# Ceilings a little above what was measured (warm, crm_workflow alone, Odoo 18.0):
# starting start -> human -> end as a manager: 32 queries on 1 event, 32 on 50 events
# (with the look-up of running instances and the savepoint that lets a concurrent start give way);
START_CEILING = 35
# completing one task (to the end) as its performer: 37 queries alone, 37 among 50 running instances.
COMPLETE_CEILING = 40


@tagged("crm_workflow_perf", "at_install", "is_query_count")
class TestEnginePerformance(CrmWorkflowProcessCase):
    """The engine's cost does not grow with the number of instances it moves or that exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._sequence("PERF", cls.participant)
        cls.warmup_events = cls._events(2)
        cls.events = cls._events(52)

    @contextmanager
    def _ceiling(self, label, ceiling):
        """``assertQueryCount(ceiling)``, logging the count measured (flushed, nothing cached)."""
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(ceiling):
            before = self.cr.sql_log_count
            yield
            self.env.flush_all()
            self.env.cr.flush()
            measured = self.cr.sql_log_count - before
        if self.warm:
            _logger.info("crm_workflow_perf %s: %s queries (ceiling %s)", label, measured, ceiling)
        self.measured[label] = measured

    def setUp(self):
        super().setUp()
        self.measured = {}

    @warmup
    def test_start_costs_the_same_for_1_or_50_events(self):
        process = self.process.with_user(self.manager)
        # the first start of the transaction fills caches every later start shares
        process._start_manually(self.warmup_events.with_user(self.manager))
        one, fifty = self.events[:1].with_user(self.manager), self.events[1:51].with_user(self.manager)
        with self._ceiling("start on 1 event", START_CEILING):
            single = process._start_manually(one)
        with self._ceiling("start on 50 events", START_CEILING):
            batch = process._start_manually(fifty)
        self.assertEqual(len(single), 1)
        self.assertEqual(len(batch), 50)
        self.assertEqual(set(self._items(batch, "Task").mapped("state")), {"offered"})
        self.assertEqual(len(self._workflow_activities(fifty)), 50)
        self.assertEqual(len(self._items(batch, "Task").log_ids), 50)

    @warmup
    def test_completing_a_task_does_not_depend_on_other_instances(self):
        warm = self.process._start_manually(self.warmup_events[:1])
        self._items(warm, "Task").with_user(self.participant).action_complete()
        alone = self.process._start_manually(self.events[:1])
        task = self._items(alone, "Task").with_user(self.participant)
        with self._ceiling("complete a task, 1 instance", COMPLETE_CEILING):
            task.action_complete()
        self.assertEqual(alone.state, "done")

        crowd = self.process._start_manually(self.events[1:52])
        task = self._items(crowd[:1], "Task").with_user(self.participant)
        with self._ceiling("complete a task, 50 other instances", COMPLETE_CEILING):
            task.action_complete()
        self.assertEqual(crowd[:1].state, "done")
        self.assertEqual(set(crowd[1:].mapped("state")), {"running"})
