from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_process import CrmWorkflowProcessCase

T0 = datetime(2025, 3, 3, 9, 0, 0)


class TestEngineRouting(CrmWorkflowProcessCase):
    """Instances move through sequences, XOR and AND splits and joins as their performers work."""

    def test_participant_completes_task_and_instance_ends(self):
        process = self._sequence("ENGINE-SEQ", self.participant)
        event = self._event("Broken printer")
        with freeze_time(T0) as frozen:
            instance = process._start_manually(event)
            task = self._items(instance, "Task")
            self.assertEqual(instance.state, "running")
            self.assertRecordValues(task, [{"state": "offered", "user_id": self.participant.id, "date_offered": T0}])
            self.assertEqual(task.candidate_user_ids, self.participant)
            self.assertEqual(self._items(instance, "Start").state, "done")
            frozen.tick(timedelta(hours=1))
            self._as(self.participant, task).action_take()
            self.assertRecordValues(task, [{"state": "taken", "date_taken": T0 + timedelta(hours=1)}])
            frozen.tick(timedelta(hours=2))
            self._as(self.participant, task).action_complete()
        self.assertRecordValues(
            instance,
            [{"state": "done", "date_start": T0, "date_end": T0 + timedelta(hours=3), "cycle_hours": 3.0}],
        )
        self.assertRecordValues(
            task,
            [{"state": "done", "date_done": T0 + timedelta(hours=3), "waiting_hours": 1.0, "processing_hours": 2.0}],
        )
        self.assertEqual(set(self._items(instance).mapped("state")), {"done"})
        self.assertEqual(self._items(instance).activity_id.mapped("kind"), ["start", "human", "end"])
        self.assertEqual(self._log_actions(task), ["offered", "taken", "completed"])
        logs = task.log_ids.sorted("id")
        self.assertEqual(logs[1:].user_id, self.participant)
        # the participant's Odoo activity was marked done with the task
        self.assertFalse(self._workflow_activities(event))
        self.assertEqual(self._as(self.participant, instance).state, "done")

    def test_completing_an_offered_task_takes_it_first(self):
        process = self._sequence("ENGINE-DIRECT", self.participant)
        with freeze_time(T0) as frozen:
            instance = process._start_manually(self._event())
            task = self._items(instance, "Task")
            frozen.tick(timedelta(minutes=30))
            self._as(self.participant, task).action_complete()
        self.assertRecordValues(task, [{"state": "done", "waiting_hours": 0.5, "processing_hours": 0.0}])
        self.assertEqual(self._log_actions(task), ["offered", "taken", "completed"])
        self.assertEqual(instance.state, "done")

    def test_done_task_cannot_be_completed_twice(self):
        process = self._sequence("ENGINE-TWICE", self.participant)
        instance = process._start_manually(self._event())
        task = self._items(instance, "Task")
        self._as(self.participant, task).action_complete()
        with self.assertRaisesRegex(UserError, "Task"):
            self._as(self.participant, task).action_complete()
        self.assertEqual(self._log_actions(task).count("completed"), 1)

    def test_xor_split_follows_the_first_matching_condition(self):
        process = self._build_process(
            "ENGINE-XOR",
            [
                ("Start", "start"),
                ("Urgent call", "human", {"performer": self.manager}),
                ("Standard call", "human", {"performer": self.participant}),
                ("End", "end"),
            ],
            [
                ("Start", "Urgent call", "[('severity', 'in', ('high', 'critical'))]"),
                ("Start", "Standard call"),
                ("Urgent call", "End"),
                ("Standard call", "End"),
            ],
        )
        high = self._event("Angry customer", severity="high")
        low = self._event("Question", severity="low")
        instances = process._start_manually(high | low)
        self.assertEqual(len(instances), 2)
        by_event = {instance.event_id: instance for instance in instances}
        # the second path's condition holds for both, but an XOR split takes one path
        self.assertEqual(self._items(by_event[high], state="offered").activity_id.name, "Urgent call")
        self.assertEqual(self._items(by_event[high], state="offered").user_id, self.manager)
        self.assertEqual(self._items(by_event[low], state="offered").activity_id.name, "Standard call")
        self.assertEqual(len(self._items(instances, state="offered")), 2)

    def test_and_split_and_join_wait_for_both_paths(self):
        process = self._build_process(
            "ENGINE-AND",
            [
                ("Start", "start", {"split_mode": "and"}),
                ("Check stock", "human", {"performer": self.participant}),
                ("Check credit", "human", {"performer": self.colleague}),
                ("Both checked", "gateway", {"join_mode": "and"}),
                ("Ship", "human", {"performer": self.participant}),
                ("End", "end"),
            ],
            [
                ("Start", "Check stock"),
                ("Start", "Check credit"),
                ("Check stock", "Both checked"),
                ("Check credit", "Both checked"),
                ("Both checked", "Ship"),
                ("Ship", "End"),
            ],
        )
        instance = process._start_manually(self._event())
        stock, credit = self._items(instance, "Check stock"), self._items(instance, "Check credit")
        self.assertEqual((stock.state, credit.state), ("offered", "offered"))
        self.assertEqual((stock.user_id, credit.user_id), (self.participant, self.colleague))

        self._as(self.participant, stock).action_complete()
        join = self._items(instance, "Both checked")
        self.assertRecordValues(join, [{"state": "waiting"}])
        self.assertFalse(self._items(instance, "Ship"))
        self.assertEqual(instance.state, "running")

        self._as(self.colleague, credit).action_complete()
        self.assertEqual(len(self._items(instance, "Both checked")), 1, "one join for both paths")
        self.assertEqual(join.state, "done")
        self.assertEqual(set(join.arrived_transition_ids.source_id.mapped("name")), {"Check stock", "Check credit"})
        ship = self._items(instance, "Ship")
        self.assertRecordValues(ship, [{"state": "offered", "user_id": self.participant.id}])
        self._as(self.participant, ship).action_complete()
        self.assertEqual(instance.state, "done")

    def test_no_matching_transition_parks_the_instance_in_error(self):
        process = self._build_process(
            "ENGINE-STUCK",
            [("Start", "start"), ("Qualify", "human", {"performer": self.participant}), ("End", "end")],
            [("Start", "Qualify"), ("Qualify", "End", "[('severity', '=', 'critical')]")],
        )
        event = self._event(severity="normal")
        instance = process._start_manually(event)
        task = self._items(instance, "Qualify")
        self._as(self.participant, task).action_complete()
        self.assertEqual(instance.state, "error")
        self.assertEqual(task.state, "error")
        self.assertIn("No path out of Qualify matches the record", task.error_message)
        self.assertEqual(self._log_actions(task)[-1], "error")
        self.assertFalse(self._items(instance, "End"))


class TestEnginePerformers(CrmWorkflowProcessCase):
    """Who a human task is offered to, and the Odoo activity each performer gets."""

    def _offered(self, performer, event=None):
        process = self._sequence("ENGINE-PERFORMER", performer)
        instance = process._start_manually(event or self._event())
        task = self._items(instance, "Task")
        self.assertEqual(task.state, "offered")
        return task

    def test_performer_user(self):
        task = self._offered(self.colleague)
        self.assertEqual(task.candidate_user_ids, self.colleague)
        self.assertEqual(task.user_id, self.colleague)

    def test_performer_group_offers_to_every_member(self):
        desk = self.env["res.groups"].create(
            {"name": "Complaint desk", "users": [Command.set((self.participant | self.colleague).ids)]}
        )
        task = self._offered(desk)
        self.assertEqual(task.candidate_user_ids, self.participant | self.colleague)
        self.assertFalse(task.user_id, "nobody owns a task offered to several people")

    def test_performer_department_offers_to_its_members(self):
        task = self._offered(self.dept_sales)
        self.assertEqual(task.candidate_user_ids, self.participant | self.colleague | self.manager)

    def test_performer_job_offers_to_its_holders(self):
        job = self.env["hr.job"].create({"name": "Key account manager"})
        (self.employee_colleague | self.employee_sub_user).job_id = job
        task = self._offered(job)
        self.assertEqual(task.candidate_user_ids, self.colleague | self.sub_user)

    def test_performer_field_is_the_event_responsible(self):
        task = self._offered("field", self._event(user=self.colleague))
        self.assertEqual(task.candidate_user_ids, self.colleague)

    def test_performer_manager_is_the_employee_parent_or_the_department_manager(self):
        self.employee_other_user.parent_id = self.employee_executive
        self.employee_participant.parent_id = False
        process = self._sequence("ENGINE-PERF-MANAGER", "manager")
        other_event = self._event("Support event", user=self.other_user)
        sales_event = self._event("Sales event", user=self.participant)
        instances = process._start_manually(other_event | sales_event)
        by_event = {instance.event_id: self._items(instance, "Task") for instance in instances}
        # the employee's manager first...
        self.assertEqual(by_event[other_event].candidate_user_ids, self.executive)
        # ...else the manager of the employee's department
        self.assertEqual(by_event[sales_event].candidate_user_ids, self.manager)

    def test_archived_members_are_not_offered_the_task(self):
        desk = self.env["res.groups"].create(
            {"name": "Complaint desk", "users": [Command.set((self.participant | self.colleague).ids)]}
        )
        self.colleague.active = False
        task = self._offered(desk)
        self.assertEqual(task.candidate_user_ids, self.participant)

    def test_each_performer_gets_an_odoo_activity_on_the_record(self):
        desk = self.env["res.groups"].create(
            {"name": "Complaint desk", "users": [Command.set((self.participant | self.colleague).ids)]}
        )
        event = self._event()
        with freeze_time(T0):
            task = self._offered(desk, event)
        activities = self._workflow_activities(event)
        self.assertEqual(activities.user_id, self.participant | self.colleague)
        self.assertRecordValues(
            activities,
            [{"summary": "Task", "crm_workflow_workitem_id": task.id, "date_deadline": T0.date()}] * 2,
        )
        self.assertEqual(task.mail_activity_ids, activities)

    def test_marking_the_activity_done_completes_the_task(self):
        desk = self.env["res.groups"].create(
            {"name": "Complaint desk", "users": [Command.set((self.participant | self.colleague).ids)]}
        )
        event = self._event()
        task = self._offered(desk, event)
        mine = self._workflow_activities(event, self.participant)
        self._as(self.participant, mine).action_feedback(feedback="Called the customer")
        self.assertRecordValues(task, [{"state": "done", "user_id": self.participant.id}])
        self.assertEqual(task.instance_id.state, "done")
        # the colleague's activity for the same task went with it
        self.assertFalse(self._workflow_activities(event))
        self.assertTrue(event.message_ids.filtered(lambda message: "Called the customer" in (message.body or "")))

    def test_deadline_sets_the_activity_due_date(self):
        process = self._sequence("ENGINE-DUE", self.participant, deadline_hours=30)
        event = self._event()
        with freeze_time(T0):
            instance = process._start_manually(event)
        task = self._items(instance, "Task")
        self.assertEqual(task.deadline, T0 + timedelta(hours=30))
        self.assertEqual(self._workflow_activities(event).date_deadline, (T0 + timedelta(hours=30)).date())


class TestEngineWorklist(CrmWorkflowProcessCase):
    """What performers do with their tasks: take, complete, delegate, transfer, send back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._sequence("ENGINE-WORK", cls.participant)
        cls.desk = cls.env["res.groups"].create(
            {"name": "Complaint desk", "users": [Command.set((cls.participant | cls.colleague).ids)]}
        )

    def setUp(self):
        super().setUp()
        self.event = self._event("Late delivery")
        self.instance = self.process._start_manually(self.event)
        self.task = self._items(self.instance, "Task")

    def _snapshot(self):
        task = self.task
        return (task.state, task.user_id, task.candidate_user_ids, task.delegated_by_id, len(task.log_ids))

    def test_someone_not_offered_the_task_cannot_take_or_complete_it(self):
        for user in (self.colleague, self.sub_user, self.other_user):
            with self.assertRaises(AccessError):
                self._as(user, self.task).action_take()
            with self.assertRaises(AccessError):
                self._as(user, self.task).action_complete()
        self.assertEqual(self.task.state, "offered")
        self.assertEqual(self._log_actions(self.task), ["offered"])

    def test_once_taken_a_shared_task_is_the_taker_s(self):
        instance = self._sequence("ENGINE-SHARED", self.desk)._start_manually(self._event())
        task = self._items(instance, "Task")
        self._as(self.colleague, task).action_take()
        self.assertEqual(task.user_id, self.colleague)
        self.assertEqual(self._workflow_activities(instance.event_id).user_id, self.colleague)
        with self.assertRaisesRegex(UserError, "already being handled by Suite Colleague"):
            self._as(self.participant, task).action_complete()
        self.assertEqual(task.state, "taken")
        self._as(self.colleague, task).action_complete()
        self.assertEqual(instance.state, "done")

    def test_manager_completes_a_department_task(self):
        self._as(self.manager, self.task).action_complete()
        self.assertEqual(self.task.state, "done")
        self.assertEqual(self.task.user_id, self.manager)

    def test_delegate_with_reason(self):
        self._as(self.participant, self.task)._delegate(self.colleague, "On leave tomorrow")
        self.assertRecordValues(
            self.task,
            [
                {
                    "state": "taken",
                    "user_id": self.colleague.id,
                    "delegated_by_id": self.participant.id,
                }
            ],
        )
        log = self.task.log_ids.sorted("id")[-1]
        self.assertRecordValues(
            log,
            [
                {
                    "action": "delegated",
                    "user_id": self.participant.id,
                    "from_user_id": self.participant.id,
                    "to_user_id": self.colleague.id,
                    "reason": "On leave tomorrow",
                }
            ],
        )
        self.assertEqual(self._workflow_activities(self.event).user_id, self.colleague)
        # the delegator stays answerable: they still see the task
        self.assertEqual(self._as(self.participant, self.task).state, "taken")
        self._as(self.colleague, self.task).action_complete()
        self.assertEqual(self.instance.state, "done")

    def test_transfer_with_reason(self):
        self._as(self.participant, self.task)._transfer(self.colleague, "The customer is in the north")
        self.assertRecordValues(
            self.task,
            [{"state": "offered", "user_id": self.colleague.id, "delegated_by_id": False, "date_taken": False}],
        )
        self.assertEqual(self.task.candidate_user_ids, self.colleague)
        log = self.task.log_ids.sorted("id")[-1]
        self.assertEqual(
            (log.action, log.from_user_id, log.to_user_id, log.reason),
            ("transferred", self.participant, self.colleague, "The customer is in the north"),
        )
        self.assertEqual(self._workflow_activities(self.event).user_id, self.colleague)
        # the task is no longer the participant's
        with self.assertRaises(AccessError):
            self._as(self.participant, self.task).action_complete()
        self._as(self.colleague, self.task).action_complete()
        self.assertEqual(self.instance.state, "done")

    def test_reassign_without_reason_changes_nothing(self):
        before = self._snapshot()
        for reason in (False, "", "   "):
            with self.assertRaisesRegex(UserError, "reason"):
                self._as(self.participant, self.task)._delegate(self.colleague, reason)
            with self.assertRaisesRegex(UserError, "reason"):
                self._as(self.participant, self.task)._transfer(self.colleague, reason)
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self._workflow_activities(self.event).user_id, self.participant)

    def test_reassign_to_archived_or_portal_user_changes_nothing(self):
        before = self._snapshot()
        self.colleague.active = False
        with self.assertRaisesRegex(UserError, self.colleague.name):
            self._as(self.participant, self.task)._delegate(self.colleague, "On leave")
        with self.assertRaisesRegex(UserError, self.portal.name):
            self._as(self.participant, self.task)._transfer(self.portal, "On leave")
        self.assertEqual(self._snapshot(), before)

    def test_reassign_through_the_wizard(self):
        wizard = (
            self.env["crm.workflow.workitem.reassign"]
            .with_user(self.participant)
            .create(
                {
                    "workitem_id": self.task.id,
                    "mode": "transfer",
                    "user_id": self.colleague.id,
                    "reason": "Knows the customer",
                }
            )
        )
        self._as(self.participant, wizard).action_confirm()
        self.assertEqual(self.task.user_id, self.colleague)
        self.assertEqual(self.task.log_ids.sorted("id")[-1].reason, "Knows the customer")

    def test_someone_not_offered_the_task_cannot_reassign_it(self):
        with self.assertRaises(AccessError):
            self._as(self.colleague, self.task)._transfer(self.colleague, "Mine now")
        self.assertEqual(self.task.user_id, self.participant)


class TestEngineSendBack(CrmWorkflowProcessCase):
    """A reviewer sends a task back to the previous human step, with a reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._build_process(
            "ENGINE-BACK",
            [
                ("Start", "start"),
                ("Prepare offer", "human", {"performer": cls.participant}),
                ("Review offer", "human", {"performer": cls.colleague}),
                ("End", "end"),
            ],
            [("Start", "Prepare offer"), ("Prepare offer", "Review offer"), ("Review offer", "End")],
        )

    def test_send_back_to_the_previous_human_step(self):
        instance = self.process._start_manually(self._event())
        prepare = self._items(instance, "Prepare offer")
        self._as(self.participant, prepare).action_complete()
        review = self._items(instance, "Review offer")
        self.assertEqual(review.state, "offered")

        self._as(self.colleague, review)._send_back("Prices are wrong")
        self.assertEqual(review.state, "cancel")
        log = review.log_ids.sorted("id")[-1]
        self.assertEqual((log.action, log.reason, log.user_id), ("sent_back", "Prices are wrong", self.colleague))
        again = self._items(instance, "Prepare offer", state="offered")
        self.assertEqual(len(again), 1)
        self.assertEqual(again.user_id, self.participant)
        self.assertEqual(self._workflow_activities(instance.event_id).user_id, self.participant)
        self.assertEqual(instance.state, "running")

        self._as(self.participant, again).action_complete()
        review_again = self._items(instance, "Review offer", state="offered")
        self.assertEqual(review_again.user_id, self.colleague)
        self._as(self.colleague, review_again).action_complete()
        self.assertEqual(instance.state, "done")

    def test_send_back_needs_a_reason_and_an_earlier_step(self):
        instance = self.process._start_manually(self._event())
        prepare = self._items(instance, "Prepare offer")
        with self.assertRaisesRegex(UserError, "no earlier human step"):
            self._as(self.participant, prepare)._send_back("Not mine")
        self._as(self.participant, prepare).action_complete()
        review = self._items(instance, "Review offer")
        with self.assertRaisesRegex(UserError, "reason"):
            self._as(self.colleague, review)._send_back(" ")
        self.assertEqual(review.state, "offered")
        self.assertEqual(len(self._items(instance, "Prepare offer")), 1)


class TestEngineApplications(CrmWorkflowProcessCase):
    """Automatic activities run server actions; a failure parks only the item that failed."""

    FAILING_CODE = (
        "for record in records:\n"
        "    if record.severity == 'critical':\n"
        "        raise UserError('boom: the mail server is down')\n"
        "    record.write({'state': 'in_progress'})\n"
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls._code_action("Notify the customer", cls.FAILING_CODE)

    def test_failing_application_parks_the_item_in_error(self):
        process = self._build_process(
            "ENGINE-AUTO",
            [("Start", "start"), ("Notify", "auto", {"action": self.action}), ("End", "end")],
            [("Start", "Notify"), ("Notify", "End")],
        )
        calm = self._event("Question", severity="normal")
        angry = self._event("Outage", severity="critical")
        instances = process._start_manually(calm | angry)
        by_event = {instance.event_id: instance for instance in instances}

        failed = self._items(by_event[angry], "Notify")
        self.assertEqual(by_event[angry].state, "error")
        self.assertEqual(failed.state, "error")
        self.assertIn("boom: the mail server is down", failed.error_message)
        self.assertEqual(self._log_actions(failed), ["error"])
        self.assertIn("boom", failed.log_ids.reason)
        self.assertEqual(self._items(by_event[angry], "Start").state, "done")
        self.assertEqual(angry.state, "new", "what the failed application did is rolled back")
        self.assertEqual(by_event[angry].current_activities, "Notify")
        # nothing else is lost: the other instance ran the application and finished
        self.assertEqual(by_event[calm].state, "done")
        self.assertEqual(calm.state, "in_progress")
        self.assertEqual(self._items(by_event[calm]).mapped("state"), ["done"] * 3)

    def test_manager_retries_once_the_application_is_fixed(self):
        process = self._build_process(
            "ENGINE-RETRY",
            [
                ("Start", "start"),
                ("Prepare", "human", {"performer": self.participant}),
                ("Notify", "auto", {"action": self.action}),
                ("End", "end"),
            ],
            [("Start", "Prepare"), ("Prepare", "Notify"), ("Notify", "End")],
        )
        event = self._event("Outage", severity="critical")
        instance = process._start_manually(event)
        self._as(self.participant, self._items(instance, "Prepare")).action_complete()
        failed = self._items(instance, "Notify")
        self.assertEqual((instance.state, failed.state), ("error", "error"))

        with self.assertRaises(AccessError):
            self._as(self.participant, failed).action_retry()
        # retrying the unchanged application fails again, with the reason kept
        self._as(self.manager, failed).action_retry()
        self.assertEqual((instance.state, failed.state), ("error", "error"))
        self.assertIn("boom", failed.error_message)

        self.action.code = "records.write({'state': 'in_progress'})"
        self._as(self.manager, failed).action_retry()
        self.assertRecordValues(failed, [{"state": "done", "error_message": False}])
        self.assertEqual(instance.state, "done")
        self.assertEqual(event.state, "in_progress")
        self.assertEqual(self._log_actions(failed), ["error", "retried", "error", "retried"])

    def test_application_runs_once_per_record(self):
        once = self._code_action("Mark", "for record in records:\n    record.write({'name': record.name + '!'})")
        process = self._build_process(
            "ENGINE-ONCE",
            [("Start", "start"), ("Mark", "auto", {"action": once}), ("End", "end")],
            [("Start", "Mark"), ("Mark", "End")],
        )
        single = self._event("Single")
        process._start_manually(single)
        first, second = self._event("First"), self._event("Second")
        process._start_manually(first | second)
        self.assertEqual((single | first | second).mapped("name"), ["Single!", "First!", "Second!"])

    def test_only_failed_items_are_retried(self):
        process = self._sequence("ENGINE-NORETRY", self.participant)
        task = self._items(process._start_manually(self._event()), "Task")
        with self.assertRaisesRegex(UserError, "retried"):
            self._as(self.manager, task).action_retry()


class TestEngineEscalation(CrmWorkflowProcessCase):
    """The escalation cron alerts someone once about each task past its deadline."""

    def _overdue_activities(self, event):
        return self._workflow_activities(event).filtered(lambda act: act.summary == "Overdue: Task")

    def _run_escalation(self, event, *, escalation_user=None):
        options = {"deadline_hours": 2.0}
        if escalation_user:
            options["escalation_user_id"] = escalation_user.id
        process = self._sequence("ENGINE-ESC", self.participant, **options)
        Workitem = self.env["crm.workflow.workitem"]
        with freeze_time(T0) as frozen:
            instance = process._start_manually(event)
            task = self._items(instance, "Task")
            frozen.tick(timedelta(hours=1, minutes=59))
            self.assertEqual(Workitem._cron_escalate(), 0)
            self.assertFalse(self._overdue_activities(event))
            frozen.tick(timedelta(minutes=2))
            self.assertEqual(Workitem._cron_escalate(), 1)
            # the next runs leave it alone
            frozen.tick(timedelta(hours=1))
            self.assertEqual(Workitem._cron_escalate(), 0)
        self.assertTrue(task.escalated)
        self.assertEqual(task.state, "offered", "escalating does not take the task away")
        return task

    def test_escalation_user_is_alerted_once(self):
        event = self._event()
        task = self._run_escalation(event, escalation_user=self.executive)
        overdue = self._overdue_activities(event)
        self.assertEqual(len(overdue), 1)
        self.assertEqual(overdue.user_id, self.executive)
        self.assertEqual(self._log_actions(task), ["offered", "escalated"])
        self.assertEqual(task.log_ids.sorted("id")[-1].to_user_id, self.executive)

    def test_performer_manager_is_alerted_by_default(self):
        event = self._event()
        self._run_escalation(event)
        overdue = self._overdue_activities(event)
        self.assertEqual(len(overdue), 1)
        self.assertEqual(overdue.user_id, self.manager)

    def test_cron_runs_through_its_record(self):
        event = self._event()
        process = self._sequence("ENGINE-ESC-CRON", self.participant, deadline_hours=1.0)
        with freeze_time(T0) as frozen:
            process._start_manually(event)
            frozen.tick(timedelta(hours=2))
            self.env.ref("crm_workflow.ir_cron_crm_workflow_escalate").method_direct_trigger()
        self.assertEqual(self._overdue_activities(event).user_id, self.manager)


class TestEngineVersioning(CrmWorkflowProcessCase):
    """Editing a process in use makes a new version; running instances finish on theirs."""

    def setUp(self):
        super().setUp()
        self.v1 = self._sequence("ENGINE-VERSION", self.participant)
        self.task_v1 = self._activity(self.v1, "Task")
        self.to_end_v1 = self.v1.transition_ids.filtered(lambda t: t.target_id.kind == "end")

    def _edit(self, user):
        self._as(user, self.v1).write(
            {
                "activity_ids": [Command.update(self.task_v1.id, {"name": "Call back", "deadline_hours": 4.0})],
                "transition_ids": [Command.update(self.to_end_v1.id, {"name": "Called"})],
            }
        )
        return self.env["crm.workflow.process"].search([("previous_id", "=", self.v1.id)])

    def test_editing_a_process_in_use_makes_version_2(self):
        running = self.v1._start_manually(self._event("Running before the change"))
        v2 = self._edit(self.manager)

        self.assertRecordValues(
            self.v1 | v2,
            [
                {"version": 1, "state": "superseded", "code": "ENGINE-VERSION"},
                {"version": 2, "state": "active", "code": "ENGINE-VERSION"},
            ],
        )
        self.assertEqual(self.task_v1.name, "Task", "version 1 is left as it was")
        self.assertEqual(self.to_end_v1.name, False)
        task_v2 = self._activity(v2, "Call back")
        self.assertEqual(task_v2.deadline_hours, 4.0)
        self.assertEqual(v2.transition_ids.filtered(lambda t: t.target_id.kind == "end").name, "Called")
        self.assertEqual(len(v2.transition_ids), 2)
        self.assertEqual(v2.transition_ids.source_id | v2.transition_ids.target_id, v2.activity_ids)

        # the running instance finishes on version 1
        task = self._items(running, "Task")
        self._as(self.participant, task).action_complete()
        self.assertEqual(running.state, "done")
        self.assertEqual((running.process_id, running.version), (self.v1, 1))

        # new instances take version 2; version 1 starts nothing any more
        self.assertEqual(self.env["crm.workflow.process"]._get_active("ENGINE-VERSION"), v2)
        new = v2._start_manually(self._event("Started after the change"))
        self.assertEqual(new.version, 2)
        self.assertEqual(self._items(new, state="offered").activity_id, task_v2)
        with self.assertRaisesRegex(UserError, "not active"):
            self.v1._start_manually(self._event())

    def test_designer_who_does_not_see_the_instances_still_makes_a_version(self):
        # the running instance is the Support department's: the Sales manager does not see it
        process = self._sequence("ENGINE-VERSION-FIELD", "field")
        instance = process._start_manually(self._event(user=self.other_user))
        self.assertFalse(self._as(self.manager, instance).search([("id", "=", instance.id)]))
        self._as(self.manager, process).write(
            {"activity_ids": [Command.update(self._activity(process, "Task").id, {"name": "Call back"})]}
        )
        self.assertEqual(process.state, "superseded")
        self.assertEqual(self._activity(process, "Task").name, "Task")
        self.assertEqual(self._items(instance, state="offered").activity_id.name, "Task")

    def test_editing_a_process_without_instances_changes_it_in_place(self):
        self._edit(self.manager)
        self.assertEqual(self.task_v1.name, "Call back")
        self.assertEqual(self.v1.version, 1)
        self.assertEqual(self.env["crm.workflow.process"].search_count([("code", "=", "ENGINE-VERSION")]), 1)

    def test_direct_write_on_a_definition_in_use_is_refused(self):
        self.v1._start_manually(self._event())
        with self.assertRaisesRegex(UserError, "running instances"):
            self._as(self.manager, self.task_v1).write({"name": "Call back"})
        with self.assertRaisesRegex(UserError, "running instances"):
            self._as(self.manager, self.to_end_v1).write({"condition": "[('severity', '=', 'high')]"})
        with self.assertRaisesRegex(UserError, "running instances"):
            self._as(self.manager, self.task_v1).unlink()
        with self.assertRaisesRegex(UserError, "running instances"):
            self.env["crm.workflow.activity"].with_user(self.manager).create(
                {"name": "Extra", "kind": "human", "process_id": self.v1.id, "performer_user_id": self.manager.id}
            )
        self.assertEqual(self.task_v1.name, "Task")
        # moving boxes on the diagram is layout, not definition
        self._as(self.manager, self.task_v1).write({"x": 400, "y": 300})
        self.assertEqual((self.task_v1.x, self.task_v1.y), (400, 300))
        self.assertEqual(self.v1.version, 1)


class TestEngineActivation(CrmWorkflowProcessCase):
    """A definition that cannot run is refused at activation, naming the activity at fault."""

    def _assert_refused(self, process, *expected):
        with self.assertRaises(ValidationError) as caught:
            self._as(self.manager, process).action_activate()
        for text in expected:
            self.assertIn(text, str(caught.exception))
        self.assertEqual(process.state, "draft")
        self.assertFalse(process.automation_id)

    def test_valid_definition_activates(self):
        process = self._build_process(
            "ACT-OK",
            [("Start", "start"), ("Task", "human", {"performer": self.participant}), ("End", "end")],
            [("Start", "Task"), ("Task", "End")],
            activate=False,
            user=self.manager,
        )
        self.assertTrue(self._as(self.manager, process).action_validate())
        self._as(self.manager, process).action_activate()
        self.assertEqual(process.state, "active")

    def test_unreachable_activity(self):
        process = self._build_process(
            "ACT-UNREACHABLE",
            [("Start", "start"), ("Forgotten step", "human", {"performer": self.participant}), ("End", "end")],
            [("Start", "End"), ("Forgotten step", "End")],
            activate=False,
        )
        self._assert_refused(process, "Forgotten step cannot be reached from the start")

    def test_cycle_without_exit(self):
        process = self._build_process(
            "ACT-LOOP",
            [
                ("Start", "start"),
                ("Loop A", "human", {"performer": self.participant}),
                ("Loop B", "human", {"performer": self.colleague}),
                ("End", "end"),
            ],
            [("Start", "Loop A"), ("Start", "End"), ("Loop A", "Loop B"), ("Loop B", "Loop A")],
            activate=False,
        )
        self._assert_refused(process, "From the activity Loop A no path", "From the activity Loop B no path")

    def test_cycle_with_exit_activates(self):
        process = self._build_process(
            "ACT-REWORK",
            [
                ("Start", "start"),
                ("Prepare", "human", {"performer": self.participant}),
                ("Review", "human", {"performer": self.colleague}),
                ("End", "end"),
            ],
            [
                ("Start", "Prepare"),
                ("Prepare", "Review"),
                ("Review", "Prepare", "[('severity', '=', 'low')]"),
                ("Review", "End"),
            ],
            activate=False,
        )
        self._as(self.manager, process).action_activate()
        self.assertEqual(process.state, "active")

    def test_missing_start_and_end(self):
        process = self._build_process(
            "ACT-EMPTY", [("Task", "human", {"performer": self.participant})], [], activate=False
        )
        self._assert_refused(process, "no start activity", "no end activity")

    def test_bad_condition_is_refused_when_written(self):
        with self.assertRaises(ValidationError) as caught:
            self._build_process(
                "ACT-BADCOND",
                [("Start", "start"), ("Task", "human", {"performer": self.participant}), ("End", "end")],
                [("Start", "Task"), ("Task", "End", "[('nope', '=', 1)]")],
                activate=False,
                user=self.manager,
            )
        self.assertIn("Task → End", str(caught.exception))

    def test_condition_broken_later_is_refused_at_activation(self):
        process = self._build_process(
            "ACT-BROKEN",
            [("Start", "start"), ("Task", "human", {"performer": self.participant}), ("End", "end")],
            [("Start", "Task"), ("Task", "End", "[('severity', '=', 'high')]")],
            activate=False,
        )
        # as when the module that added a field is uninstalled: the condition no longer reads
        transition = process.transition_ids.filtered(lambda t: t.target_id.kind == "end")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_workflow_transition SET condition = %s WHERE id = %s", ["[('nope', '=', 1)]", transition.id]
        )
        self.env.invalidate_all()
        self._assert_refused(process, "Task → End", "nope")

    def test_performer_archived(self):
        leaver = new_test_user(self.env, login="engine_leaver", groups="base.group_user")
        process = self._sequence_draft("ACT-ARCHIVED", leaver)
        leaver.active = False
        self._assert_refused(process, "The performer of Task no longer exists")

    def test_performer_deleted(self):
        leaver = new_test_user(self.env, login="engine_leaver", groups="base.group_user")
        process = self._sequence_draft("ACT-DELETED", leaver)
        leaver.unlink()
        self._assert_refused(process, "The human task Task has no performer")

    def test_automatic_activity_without_application(self):
        process = self._build_process(
            "ACT-NOACTION",
            [("Start", "start"), ("Send the letter", "auto"), ("End", "end")],
            [("Start", "Send the letter"), ("Send the letter", "End")],
            activate=False,
        )
        self._assert_refused(process, "Send the letter has no application")

    def test_participant_cannot_activate(self):
        process = self._sequence_draft("ACT-PARTICIPANT", self.participant)
        with self.assertRaises(AccessError):
            self._as(self.participant, process).action_activate()
        self.assertEqual(process.state, "draft")

    def _sequence_draft(self, code, performer):
        return self._build_process(
            code,
            [("Start", "start"), ("Task", "human", {"performer": performer}), ("End", "end")],
            [("Start", "Task"), ("Task", "End")],
            activate=False,
        )


@tagged("post_install", "-at_install")
class TestEngineAutomaticStart(CrmWorkflowProcessCase):
    """Processes start on their own when records are created, through Odoo's automation rules
    (post_install: base.automation patches the models once the registry is ready)."""

    def test_on_create_starts_matching_records(self):
        process = self._build_process(
            "TRIGGER-CREATE",
            [("Start", "start"), ("Call", "human", {"performer": "field"}), ("End", "end")],
            [("Start", "Call"), ("Call", "End")],
            activate=False,
            user=self.manager,
            trigger="on_create",
            trigger_domain="[('severity', '=', 'high')]",
        )
        before = self._event("Created before activation", severity="high", as_user=self.participant)
        self._as(self.manager, process).action_activate()
        automation = process.sudo().automation_id
        self.assertRecordValues(
            automation, [{"trigger": "on_create", "filter_domain": "[('severity', '=', 'high')]", "active": True}]
        )

        high = self._event("Angry customer", severity="high", as_user=self.participant)
        normal = self._event("Question", severity="normal", as_user=self.participant)
        instances = self.env["crm.workflow.instance"].search([("process_id", "=", process.id)])
        self.assertEqual(instances.event_id, high)
        self.assertEqual(self._items(instances, "Call").user_id, self.participant)
        self.assertFalse(normal.workflow_instance_count)
        self.assertFalse(before.workflow_instance_count)

        # archived, the process starts nothing any more
        self._as(self.manager, process).action_archive_process()
        self.assertFalse(automation.exists())
        self._event("Angry again", severity="high", as_user=self.participant)
        self.assertEqual(self.env["crm.workflow.instance"].search_count([("process_id", "=", process.id)]), 1)


class TestEngineStartByHand(CrmWorkflowProcessCase):
    """Processes start by hand: the start wizard on the records a user selected."""

    def test_manual_process_has_no_automation(self):
        process = self._sequence("TRIGGER-MANUAL", self.participant)
        self.assertFalse(process.automation_id)
        event = self._event()
        self.assertFalse(event.workflow_instance_count)

    def test_start_wizard(self):
        process = self._sequence("TRIGGER-WIZARD", "field")
        events = self._event("Mine", user=self.participant) | self._event("Colleague's", user=self.colleague)
        action = self._as(self.manager, events[0]).action_start_workflow()
        context = dict(action["context"], default_res_ids=str(events.ids))
        form = Form(self.env["crm.workflow.start"].with_user(self.manager).with_context(**context))
        form.process_id = process
        self.assertEqual(form.record_count, 2)
        result = form.save().action_start()
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        instances = self.env["crm.workflow.instance"].search([("process_id", "=", process.id)])
        self.assertEqual(instances.event_id, events)
        self.assertEqual(
            {instance.event_id: self._items(instance, "Task").user_id for instance in instances},
            {events[0]: self.participant, events[1]: self.colleague},
        )
        self.assertEqual(events[0].workflow_instance_count, 1)

    def test_start_wizard_refuses_records_the_user_cannot_read(self):
        process = self._sequence("TRIGGER-WIZARD-ACL", "field")
        foreign = self._event("Support's", user=self.other_user)
        wizard = (
            self.env["crm.workflow.start"]
            .with_user(self.manager)
            .create({"res_model": "crm.event", "res_ids": str(foreign.ids), "process_id": process.id})
        )
        with self.assertRaises(AccessError):
            self._as(self.manager, wizard).action_start()
        self.assertFalse(foreign.workflow_instance_count)

    def test_start_wizard_refuses_inactive_process(self):
        process = self._build_process(
            "TRIGGER-WIZARD-DRAFT",
            [("Start", "start"), ("End", "end")],
            [("Start", "End")],
            activate=False,
        )
        event = self._event(user=self.manager)
        wizard = (
            self.env["crm.workflow.start"]
            .with_user(self.manager)
            .create({"res_model": "crm.event", "res_ids": str(event.ids), "process_id": process.id})
        )
        with self.assertRaisesRegex(UserError, "not active"):
            self._as(self.manager, wizard).action_start()
