from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import call_kw
from .common_process import CrmWorkflowProcessCase


@tagged("post_install", "-at_install")
class TestNobodyToPerform(CrmWorkflowProcessCase):
    """A task whose performer resolves to nobody goes to a fallback, or to a visible error."""

    def test_task_goes_to_the_process_responsible(self):
        process = self._sequence("NOBODY-RESP", "manager")
        process.user_id = self.executive
        # the executive's employee has no manager, nor has the Board department
        instance = process._start_manually(self._event(user=self.executive))
        task = self._items(instance, "Task")
        self.assertEqual((task.state, task.user_id), ("offered", self.executive))
        self.assertTrue(self._workflow_activities(instance.event_id, self.executive))

    def test_activity_fallback_comes_before_the_responsible(self):
        process = self._sequence("NOBODY-FALLBACK", "field", fallback_user_id=self.colleague.id)
        process.user_id = self.executive
        task = self._items(process._start_manually(self._event(user=self.env["res.users"])), "Task")
        self.assertEqual(task.user_id, self.colleague)

    def test_nobody_at_all_is_a_visible_error_and_managers_are_told(self):
        process = self._sequence("NOBODY-AT-ALL", "field")
        instance = process._start_manually(self._event("Unassigned", user=self.env["res.users"]))
        task = self._items(instance, "Task")
        self.assertEqual((task.state, instance.state), ("error", "error"))
        self.assertIn("Nobody can perform Task", task.error_message)
        self.assertFalse(task.candidate_user_ids)
        told = process.message_ids.filtered(lambda message: "could not be offered to anyone" in message.body)
        self.assertIn(self.manager.partner_id, told.partner_ids)
        monitor = self.env["crm.workflow.report.activity"].search([("process_id", "=", process.id)])
        self.assertEqual(sum(monitor.mapped("error_count")), 1)
        # once someone is set, the retry offers the task
        process.user_id = self.colleague
        self._as(self.executive, task).action_retry()
        self.assertEqual((task.state, task.user_id), ("offered", self.colleague))

    def test_activation_warns_about_tasks_that_may_find_nobody(self):
        process = self._build_process(
            "NOBODY-WARN",
            [("Start", "start"), ("Task", "human", {"performer": "manager"}), ("End", "end")],
            [("Start", "Task"), ("Task", "End")],
            activate=False,
        )
        result = process.action_activate()
        self.assertEqual(process.state, "active")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Task finds nobody when the user in Responsible has no manager", result["params"]["message"])
        process.action_draft()
        process.user_id = self.colleague
        self.assertIs(process.action_activate(), True)

    def test_escalation_without_target_tells_the_managers(self):
        # the executive's employee has no manager: nobody to escalate to
        process = self._sequence("NOBODY-ESCALATE", self.executive, deadline_hours=1)
        task = self._items(process._start_manually(self._event()), "Task")
        task.deadline = "2020-01-01 00:00:00"
        self.env["crm.workflow.workitem"]._cron_escalate()
        self.assertTrue(task.escalated)
        told = process.message_ids.filtered(lambda message: "nobody can be alerted" in message.body)
        self.assertTrue(told)
        self.assertIn(self.manager.partner_id, told.partner_ids)


@tagged("post_install", "-at_install")
class TestWhoSeesAnInstance(CrmWorkflowProcessCase):
    """Whoever may read the record sees the instances that run on it, even purely automatic ones."""

    def test_agent_sees_the_automatic_workflows_of_their_event(self):
        action = self._code_action("Acknowledge", "records.write({'state': 'in_progress'})")
        process = self._build_process(
            "AUTO-ONLY",
            [("Start", "start"), ("Acknowledge", "auto", {"action": action}), ("End", "end")],
            [("Start", "Acknowledge"), ("Acknowledge", "End")],
        )
        event = self._event("Logged by the participant", user=self.participant)
        instance = process._start_manually(event)
        self.assertEqual(instance.user_id, self.participant)
        count = call_kw(self.participant, "crm.event", "read", event.ids, ["workflow_instance_count"])
        self.assertEqual(count[0]["workflow_instance_count"], 1)
        self.assertVisible(self.participant, instance, instance)
        self.assertVisible(self.manager, instance, instance)
        self.assertVisible(self.other_user, instance, instance.browse())

    def test_department_manager_retries_a_failed_automatic_step(self):
        failing = self._code_action("Fail", "raise UserError('The mail server is down')")
        process = self._build_process(
            "AUTO-FAIL",
            [("Start", "start"), ("Send", "auto", {"action": failing}), ("End", "end")],
            [("Start", "Send"), ("Send", "End")],
        )
        instance = process._start_manually(self._event(user=self.participant))
        send = self._items(instance, "Send")
        self.assertEqual(send.state, "error")
        failing.code = "pass"
        call_kw(self.manager, "crm.workflow.workitem", "action_retry", send.ids)
        self.assertEqual((send.state, instance.state), ("done", "done"))


@tagged("post_install", "-at_install")
class TestOnWriteTrigger(CrmWorkflowProcessCase):
    """``on_write`` starts when the record enters the condition, once while an instance runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._build_process(
            "ON-WRITE",
            [("Start", "start"), ("Task", "human", {"performer": cls.participant}), ("End", "end")],
            [("Start", "Task"), ("Task", "End")],
            trigger="on_write",
            trigger_domain="[('severity', '=', 'critical')]",
        )

    def _instances(self, event):
        return self.env["crm.workflow.instance"].search(
            [("process_id", "=", self.process.id), ("res_id", "=", event.id)]
        )

    def test_starts_when_entering_the_condition_only(self):
        event = self._event()
        event.description = "<p>Nothing critical</p>"
        self.assertFalse(self._instances(event))
        event.severity = "critical"
        self.assertEqual(len(self._instances(event)), 1)
        # saving it again while it is critical starts nothing more
        event.name = "Still critical"
        event.description = "<p>More details</p>"
        self.assertEqual(len(self._instances(event)), 1)

    def test_leaving_and_entering_again_waits_for_the_running_instance(self):
        event = self._event()
        event.severity = "critical"
        event.severity = "normal"
        event.severity = "critical"
        self.assertEqual(len(self._instances(event)), 1, "one instance runs: no second one")
        self._items(self._instances(event), "Task").with_user(self.participant).action_complete()
        event.severity = "normal"
        event.severity = "critical"
        self.assertEqual(len(self._instances(event)), 2, "the first one finished: a new one starts")

    def test_parallel_runs_when_the_process_allows_them(self):
        self.process.allow_parallel = True
        event = self._event()
        event.severity = "critical"
        event.severity = "normal"
        event.severity = "critical"
        self.assertEqual(len(self._instances(event)), 2)


@tagged("post_install", "-at_install")
class TestRetryResumes(CrmWorkflowProcessCase):
    """Retrying continues where the item failed: what succeeded is not run again."""

    def test_routing_error_after_an_application_does_not_run_it_again(self):
        letter = self._code_action("Apology", "records.message_post(body='Apology letter sent')")
        process = self._build_process(
            "RETRY-ROUTE",
            [("Start", "start"), ("Apology", "auto", {"action": letter}), ("End", "end")],
            [("Start", "Apology"), ("Apology", "End", "[('severity', '=', 'high')]")],
        )
        event = self._event(user=self.participant)
        instance = process._start_manually(event)
        apology = self._items(instance, "Apology")
        self.assertEqual((apology.state, apology.error_stage), ("error", "route"))
        event.severity = "high"
        apology.with_user(self.manager).action_retry()
        self.assertEqual(instance.state, "done")
        sent = event.message_ids.filtered(lambda message: "Apology letter sent" in (message.body or ""))
        self.assertEqual(len(sent), 1, "the letter went out once")

    def test_routing_error_after_a_task_does_not_offer_it_again(self):
        process = self._build_process(
            "RETRY-TASK",
            [("Start", "start"), ("Call", "human", {"performer": self.participant}), ("End", "end")],
            [("Start", "Call"), ("Call", "End", "[('severity', '=', 'high')]")],
        )
        event = self._event(user=self.participant)
        instance = process._start_manually(event)
        call = self._items(instance, "Call")
        call.with_user(self.participant).action_complete()
        self.assertEqual(call.state, "error")
        event.severity = "high"
        call.with_user(self.manager).action_retry()
        self.assertEqual((call.state, instance.state), ("done", "done"))
        self.assertEqual(self._log_actions(call).count("offered"), 1)

    def test_only_errors_are_retried(self):
        process = self._sequence("RETRY-STATE", self.participant)
        task = self._items(process._start_manually(self._event()), "Task")
        with self.assertRaisesRegex(UserError, "cannot be retried"):
            task.with_user(self.manager).action_retry()


@tagged("post_install", "-at_install")
class TestControlFlowPatterns(CrmWorkflowProcessCase):
    """WCP-1 to WCP-7 run as named; nets that would wait forever or run a step twice are
    refused at activation, naming the activity."""

    def _diamond(self, code, split, join, conditions=("[]", "[]"), activate=True):
        """Start splits into two tasks of the participant, which meet at a join, then a
        letter is sent once, then the end."""
        self.letter = self._code_action("Letter", "records.message_post(body='Letter sent')")
        return self._build_process(
            code,
            [
                ("Start", "start", {"split_mode": split}),
                ("Call", "human", {"performer": self.participant}),
                ("Visit", "human", {"performer": self.participant}),
                ("Join", "gateway", {"join_mode": join}),
                ("Letter", "auto", {"action": self.letter}),
                ("End", "end"),
            ],
            [
                ("Start", "Call", conditions[0]),
                ("Start", "Visit", conditions[1]),
                ("Call", "Join"),
                ("Visit", "Join"),
                ("Join", "Letter"),
                ("Letter", "End"),
            ],
            activate=activate,
        )

    def _letters(self, event):
        return event.message_ids.filtered(lambda message: "Letter sent" in (message.body or ""))

    def _complete(self, instance, *names):
        for name in names:
            self._items(instance, name).with_user(self.participant).action_complete()

    def test_parallel_split_and_synchronisation(self):  # WCP-2, WCP-3
        process = self._diamond("WCP-AND", "and", "and")
        event = self._event()
        instance = process._start_manually(event)
        self._complete(instance, "Call")
        self.assertFalse(self._letters(event))
        self._complete(instance, "Visit")
        self.assertEqual((len(self._letters(event)), instance.state), (1, "done"))

    def test_exclusive_choice_and_simple_merge(self):  # WCP-4, WCP-5
        process = self._diamond("WCP-XOR", "xor", "xor", ("[('severity', '=', 'high')]", "[]"))
        event = self._event(severity="high")
        instance = process._start_manually(event)
        self.assertFalse(self._items(instance, "Visit"))
        self._complete(instance, "Call")
        self.assertEqual((len(self._letters(event)), instance.state), (1, "done"))

    def test_multi_choice_and_synchronising_merge(self):  # WCP-6, WCP-7
        process = self._diamond(
            "WCP-OR", "or", "or", ("[('severity', 'in', ['high', 'critical'])]", "[('severity', '=', 'critical')]")
        )
        high, critical = self._event(severity="high"), self._event(severity="critical")
        one_path = process._start_manually(high)
        self.assertFalse(self._items(one_path, "Visit"))
        self._complete(one_path, "Call")
        self.assertEqual((len(self._letters(high)), one_path.state), (1, "done"), "the merge does not wait for Visit")
        both_paths = process._start_manually(critical)
        self._complete(both_paths, "Visit")
        self.assertFalse(self._letters(critical), "Call still runs: the merge waits")
        self._complete(both_paths, "Call")
        self.assertEqual((len(self._letters(critical)), both_paths.state), (1, "done"))

    def test_nets_that_misbehave_are_refused_naming_the_activity(self):
        cases = [
            ("and", "xor", ("[]", "[]"), "The activity Join can be reached by paths running at the same time"),
            ("or", "xor", ("[('severity', '=', 'high')]", "[]"), "The activity Join can be reached by paths"),
            ("xor", "and", ("[('severity', '=', 'high')]", "[]"), "The AND join Join may wait forever"),
            ("or", "and", ("[('severity', '=', 'high')]", "[]"), "The AND join Join may wait forever"),
            ("and", "and", ("[('severity', '=', 'high')]", "[]"), "The parallel split Start takes every path"),
        ]
        for index, (split, join, conditions, message) in enumerate(cases):
            with self.subTest(split=split, join=join):
                process = self._diamond(f"WCP-BAD-{index}", split, join, conditions, activate=False)
                with self.assertRaisesRegex(ValidationError, message):
                    process.with_user(self.manager).action_activate()
                self.assertEqual(process.state, "draft")


@tagged("post_install", "-at_install")
class TestMonitor(CrmWorkflowProcessCase):
    """The monitor aggregates what the reader may see, after the filters."""

    def test_bottleneck_rank_is_computed_within_the_filtered_set(self):
        busy = self._sequence("MONITOR-BUSY", self.participant)
        calm = self._sequence("MONITOR-CALM", self.participant)
        for process, count in ((busy, 5), (calm, 1)):
            tasks = self._items(process._start_manually(self._events(count)), "Task")
            tasks.with_user(self.participant).action_take()
            tasks.write({"waiting_hours": 3.0, "state": "offered"})
        Report = self.env["crm.workflow.report.activity"].with_user(self.manager)
        # as the web client reads the monitor: the figures come with the search
        rows = Report.search_read(
            [("process_id", "in", (busy | calm).ids), ("activity_id.kind", "=", "human")],
            ["process_id", "bottleneck_rank"],
        )
        ranks = {row["process_id"][0]: row["bottleneck_rank"] for row in rows}
        self.assertLess(ranks[busy.id], ranks[calm.id])
        only_calm = Report.search_read(
            [("process_id", "=", calm.id), ("activity_id.kind", "=", "human")], ["bottleneck_rank"]
        )
        self.assertEqual(only_calm[0]["bottleneck_rank"], 1, "ranked among the filtered processes only")
        groups = Report._read_group([("process_id", "=", calm.id)], ["process_id"], ["running_count:sum"])
        self.assertEqual(groups, [(calm, 1)])
