import logging
from contextlib import contextmanager

from odoo.tests import tagged, warmup

from .common_process import CrmWorkflowProcessCase

_logger = logging.getLogger(__name__)

# Ceilings a little above what was measured (warm, crm_workflow alone, Odoo 18.0, tracking
# on as in production), the same for 1 and for 20 records: the cost does not grow with N.
CEILINGS = {
    "start": 36,  # measured 33
    "complete to the end": 35,  # 32
    "take": 14,  # 11
    "complete": 35,  # 32
    "delegate": 38,  # 35
    "transfer": 38,  # 35
    "send back": 38,  # 35
    "escalate": 27,  # 24
}


@tagged("crm_workflow_perf", "at_install", "is_query_count")
class TestEnginePerformance(CrmWorkflowProcessCase):
    """The engine's cost does not grow with the number of instances it moves or that exist,
    measured with tracking on (the suite's fixtures turn it off)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._sequence("PERF", cls.participant, deadline_hours=1)
        cls.two_steps = cls._build_process(
            "PERF-TWO",
            [
                ("Start", "start"),
                ("Prepare", "human", {"performer": cls.participant}),
                ("Review", "human", {"performer": cls.participant}),
                ("End", "end"),
            ],
            [("Start", "Prepare"), ("Prepare", "Review"), ("Review", "End")],
        )

    def _production(self, records, user):
        """``records`` as ``user`` in an environment with tracking on, as in production."""
        return records.with_env(self.env(user=user.id, context={}))

    @contextmanager
    def _ceiling(self, label, count):
        """``assertQueryCount`` of the label's ceiling, logging the count measured (flushed, nothing cached)."""
        self.env.flush_all()
        self.env.invalidate_all()
        ceiling = CEILINGS[label]
        with self.assertQueryCount(ceiling):
            before = self.cr.sql_log_count
            yield
            self.env.flush_all()
            self.env.cr.flush()
            measured = self.cr.sql_log_count - before
        if self.warm:
            _logger.info("crm_workflow_perf %s x%s: %s queries (ceiling %s)", label, count, measured, ceiling)

    def _tasks(self, process, count, activity="Task", **event_values):
        instances = self._production(process, self.manager)._start_manually(
            self._production(self._events(count, **event_values), self.manager)
        )
        return self._items(instances, activity)

    def _each_size(self, label, prepare, act):
        """Run ``act`` on what ``prepare(n)`` returns, for 1 and for 20 records, under the same ceiling."""
        # the first action of the transaction fills caches every later one shares
        act(prepare(1))
        for count in (1, 20):
            records = prepare(count)
            with self.subTest(label=label, count=count), self._ceiling(label, count):
                act(records)

    @warmup
    def test_start_costs_the_same_for_1_or_20_events(self):
        self._each_size(
            "start",
            lambda count: self._production(self._events(count), self.manager),
            lambda events: self._production(self.process, self.manager)._start_manually(events),
        )

    @warmup
    def test_completing_a_task_does_not_depend_on_other_instances(self):
        self._tasks(self.process, 50)
        self._each_size(
            "complete to the end",
            lambda count: self._production(self._tasks(self.process, 1), self.participant),
            lambda task: task.action_complete(),
        )

    @warmup
    def test_human_actions_cost_the_same_for_1_or_20_tasks(self):
        def tasks(count):
            return self._production(self._tasks(self.process, count), self.participant)

        def reviews(count):
            prepare = self._tasks(self.two_steps, count, activity="Prepare")
            self._production(prepare, self.participant).action_complete()
            return self._production(self._items(prepare.instance_id, "Review"), self.participant)

        self._each_size("take", tasks, lambda items: items.action_take())
        self._each_size("complete", tasks, lambda items: items.action_complete())
        self._each_size("delegate", tasks, lambda items: items._delegate(self.colleague, "On leave"))
        self._each_size("transfer", tasks, lambda items: items._transfer(self.colleague, "On leave"))
        self._each_size("send back", reviews, lambda items: items._send_back("Prices are wrong"))

    @warmup
    def test_escalation_costs_the_same_for_1_or_20_tasks(self):
        def overdue(count):
            items = self._tasks(self.process, count)
            items.write({"deadline": "2020-01-01 00:00:00"})
            return items

        Workitem = self._production(self.env["crm.workflow.workitem"], self.env.ref("base.user_root"))
        self._each_size("escalate", overdue, lambda items: Workitem._cron_escalate())
