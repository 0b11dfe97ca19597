import threading
import time
from functools import partial
from uuid import uuid4

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import run_in_transaction

# How long the first worker keeps its transaction open once the second one has started.
HOLD_SECONDS = 1.0
MAX_TRIES = 5


@tagged("post_install", "-at_install")
class TestConcurrentWorkers(BaseCase):
    """What two users, or a user and the cron, do at the same moment in two Odoo workers:
    two real transactions (two cursors, two threads) on committed data, each retried on
    serialization failures as Odoo's workers retry requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls._setup(env)
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _setup(cls, env):
        run = uuid4().hex[:8]  # committed data: names of this run only
        Users = env["res.users"].with_context(no_reset_password=True)
        group_user = env.ref("base.group_user")
        cls.agent_a, cls.agent_b = (
            Users.create(
                {
                    "name": f"Concurrent {name}",
                    "login": f"crm_wf_concurrent_{name}_{run}",
                    "groups_id": [Command.set(group_user.ids)],
                }
            ).id
            for name in ("a", "b")
        )
        cls.desk = (
            env["res.groups"].create({"name": "Concurrent desk", "users": [Command.set([cls.agent_a, cls.agent_b])]}).id
        )
        event_model = env["ir.model"]._get_id("crm.event")
        letter = env["ir.actions.server"].create(
            {
                "name": "Concurrent letter",
                "model_id": event_model,
                "state": "code",
                "code": "records.message_post(body='Concurrent letter sent')",
                "crm_workflow_usable": True,
            }
        )

        def process(code, activities, transitions):
            record = env["crm.workflow.process"].create(
                {
                    "name": code,
                    "code": f"{code}-{run}",
                    "model_id": event_model,
                    "activity_ids": [Command.create(dict(values, name=name)) for name, values in activities],
                }
            )
            by_name = {activity.name: activity.id for activity in record.activity_ids}
            record.transition_ids = [
                Command.create({"source_id": by_name[source], "target_id": by_name[target], "sequence": index})
                for index, (source, target) in enumerate(transitions)
            ]
            record.action_activate()
            return record

        def task(user_id, **values):
            return {"kind": "human", "performer_type": "user", "performer_user_id": user_id, **values}

        join = process(
            "CONCURRENT-JOIN",
            [
                ("Start", {"kind": "start", "split_mode": "and"}),
                ("Call", task(cls.agent_a)),
                ("Visit", task(cls.agent_b)),
                ("Join", {"kind": "gateway", "join_mode": "and"}),
                ("Letter", {"kind": "auto", "action_id": letter.id}),
                ("End", {"kind": "end"}),
            ],
            [
                ("Start", "Call"),
                ("Start", "Visit"),
                ("Call", "Join"),
                ("Visit", "Join"),
                ("Join", "Letter"),
                ("Letter", "End"),
            ],
        )
        take = process(
            "CONCURRENT-TAKE",
            [
                ("Start", {"kind": "start"}),
                ("Task", {"kind": "human", "performer_type": "group", "performer_group_id": cls.desk}),
                ("End", {"kind": "end"}),
            ],
            [("Start", "Task"), ("Task", "End")],
        )
        escalate = process(
            "CONCURRENT-ESCALATE",
            [
                ("Start", {"kind": "start"}),
                ("Task", task(cls.agent_a, escalation_user_id=cls.agent_b)),
                ("End", {"kind": "end"}),
            ],
            [("Start", "Task"), ("Task", "End")],
        )
        cls.process_ids = (join | take | escalate).ids
        events = (
            env["crm.event"]
            .with_context(crm_workflow_no_rules=True)
            .create([{"name": f"Concurrent event {index}", "user_id": cls.agent_a} for index in range(7)])
        )
        cls.event_ids = events.ids
        cls.join_instance = join._start(events[0]).id
        cls.take_instance = take._start(events[1]).id
        cls.escalate_instances = escalate._start(events[2:]).ids
        overdue = escalate.instance_ids.workitem_ids.filtered(lambda item: item.state == "offered")
        overdue.write({"deadline": "2020-01-01 00:00:00"})

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            processes = env["crm.workflow.process"].browse(cls.process_ids)
            actions = processes.activity_ids.action_id
            processes.instance_ids.unlink()
            processes.unlink()
            actions.unlink()
            env["crm.event"].browse(cls.event_ids).unlink()
            env["res.groups"].browse(cls.desk).unlink()
            env["res.users"].browse([cls.agent_a, cls.agent_b]).write({"active": False})

    # Workers -------------------------------------------------------------------------

    def _worker(self, user_id, action, errors, hold=None, retry=True):
        """A thread running ``action(env)`` in a transaction of its own, as ``user_id``; with
        ``hold`` (an event), the transaction stays open until the other worker started."""

        def body(env):
            result = action(env)
            if hold is not None and not hold.is_set():
                env.cr.flush()
                hold.wait(10)
                time.sleep(HOLD_SECONDS)
            return result

        def run():
            try:
                run_in_transaction(self.registry, user_id, body, retry=retry, tries=MAX_TRIES)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        return threading.Thread(target=run)

    def _race(self, first, second):
        """Run ``first`` (holding its transaction) and ``second`` at the same moment: each is
        ``(user_id, action, options)``; returns the errors of each."""
        started = threading.Event()
        errors_first, errors_second = [], []
        one = self._worker(first[0], first[1], errors_first, hold=started, **first[2])
        two = self._worker(second[0], second[1], errors_second, **second[2])
        # the second worker's first try fails on the first one's changes: PostgreSQL reports it
        with mute_logger("odoo.sql_db"):
            one.start()
            time.sleep(0.3)
            started.set()
            two.start()
            one.join(30)
            two.join(30)
        return errors_first, errors_second

    def _env(self, cr, user_id):
        # the transaction is given its registry: looking it up by name would wait for the
        # lock the test runner holds while post-install tests run
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, user_id, {})

    def _read(self, function):
        with self.registry.cursor() as cr:
            return function(self._env(cr, SUPERUSER_ID))

    def _task(self, env, instance_id, activity):
        items = env["crm.workflow.instance"].browse(instance_id).workitem_ids
        return items.filtered(lambda item: item.activity_id.name == activity)

    # Tests ---------------------------------------------------------------------------

    def test_two_branches_of_an_and_split_pass_the_join_exactly_once(self):
        def complete(activity, env):
            self._task(env, self.join_instance, activity).action_complete()

        errors_a, errors_b = self._race(
            (self.agent_a, partial(complete, "Call"), {}),
            (self.agent_b, partial(complete, "Visit"), {}),
        )
        self.assertEqual((errors_a, errors_b), ([], []))

        def outcome(env):
            instance = env["crm.workflow.instance"].browse(self.join_instance)
            joins = self._task(env, self.join_instance, "Join")
            letters = self._task(env, self.join_instance, "Letter")
            sent = (
                env["crm.event"]
                .browse(self.event_ids[0])
                .message_ids.filtered(lambda message: "Concurrent letter sent" in (message.body or ""))
            )
            return instance.state, joins.mapped("state"), letters.mapped("state"), len(sent)

        self.assertEqual(self._read(outcome), ("done", ["done"], ["done"], 1))

    def test_two_users_taking_the_same_task_one_gets_it(self):
        def take(env):
            self._task(env, self.take_instance, "Task").action_take()

        errors_a, errors_b = self._race((self.agent_a, take, {}), (self.agent_b, take, {}))
        self.assertEqual(errors_a, [])
        self.assertEqual(len(errors_b), 1)
        self.assertIsInstance(errors_b[0], UserError)
        self.assertIn("is already being handled by Concurrent a", str(errors_b[0]))

        def outcome(env):
            task = self._task(env, self.take_instance, "Task")
            return task.state, task.user_id.id, task.log_ids.mapped("action").count("taken")

        self.assertEqual(self._read(outcome), ("taken", self.agent_a, 1))

    def test_escalation_cron_while_a_user_completes_a_task(self):
        first, *others = self.escalate_instances

        def complete(env):
            self._task(env, first, "Task").action_complete()

        def cron(env):
            env["crm.workflow.workitem"]._cron_escalate()

        # the cron is not retried: a failed cron run is an error in the log, and waits for the next run
        errors_user, errors_cron = self._race((self.agent_a, complete, {}), (SUPERUSER_ID, cron, {"retry": False}))
        self.assertEqual((errors_user, errors_cron), ([], []))

        def outcome(env):
            done = self._task(env, first, "Task")
            tasks = [self._task(env, instance, "Task") for instance in others]
            events = env["crm.workflow.instance"].browse(others).mapped("res_id")
            activities = env["mail.activity"].search(
                [("res_model", "=", "crm.event"), ("res_id", "in", events), ("user_id", "=", self.agent_b)]
            )
            return (
                (done.state, done.escalated),
                [(task.escalated, task.log_ids.mapped("action").count("escalated")) for task in tasks],
                len(activities),
            )

        done, escalated, alerts = self._read(outcome)
        self.assertEqual(done, ("done", False), "the task being completed was left to its user")
        self.assertEqual(escalated, [(True, 1)] * len(others), "every other overdue task escalated once")
        self.assertEqual(alerts, len(others))
