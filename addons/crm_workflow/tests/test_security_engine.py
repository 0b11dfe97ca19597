from odoo import Command
from odoo.exceptions import AccessError

from .common_process import CrmWorkflowProcessCase

BOTH_COMPANIES = "both"


class TestSecurityEngineCase(CrmWorkflowProcessCase):
    """One process run on the events of four people of two departments and two companies::

    event of          task offered to     department / company
    participant       participant         Sales / 1
    sub_user          sub_user            Sales North (under Sales) / 1
    other_user        other_user          Support / 1
    company2_user     company2_user       Company 2 Sales / 2
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._sequence("SECURITY", "field")
        cls.draft = cls._build_process(
            "SECURITY-DRAFT",
            [("Start", "start"), ("Draft task", "human", {"performer": cls.participant}), ("End", "end")],
            [("Start", "Draft task"), ("Draft task", "End")],
            activate=False,
        )
        cls.process_company2 = cls._build_process(
            "SECURITY-C2", [("Start", "start"), ("End", "end")], [("Start", "End")], company_id=cls.company_2.id
        )
        cls.ev_participant = cls._event("Participant's", user=cls.participant)
        cls.ev_sub = cls._event("Sub-department's", user=cls.sub_user)
        cls.ev_other = cls._event("Support's", user=cls.other_user)
        cls.ev_c2 = cls._event("Second company's", user=cls.company2_user, company_id=cls.company_2.id)
        events = cls.ev_participant | cls.ev_sub | cls.ev_other | cls.ev_c2
        instances = cls.process._start_manually(events)
        by_event = {instance.event_id: instance for instance in instances}
        cls.i_participant, cls.i_sub, cls.i_other, cls.i_c2 = (by_event[event] for event in events)
        cls.instances = instances
        cls.items = cls._items(instances)
        task = {instance: cls._items(instance, "Task") for instance in instances}
        cls.t_participant, cls.t_sub, cls.t_other, cls.t_c2 = (task[by_event[event]] for event in events)
        cls.logs = cls.items.log_ids
        cls.rule_shared = cls.env["crm.event.rule"].create(
            {"name": "Shared rule", "event_type": "consultation", "process_code": "SECURITY"}
        )
        cls.rule_c2 = cls.env["crm.event.rule"].create(
            {
                "name": "Second company rule",
                "event_type": "consultation",
                "process_code": "SECURITY",
                "company_id": cls.company_2.id,
            }
        )
        cls.rules = cls.rule_shared | cls.rule_c2

    def assertVisible(self, user, records, expected, **context):
        if context.pop(BOTH_COMPANIES, False):
            context["allowed_company_ids"] = (self.company | self.company_2).ids
        self.env.invalidate_all()
        return super().assertVisible(user, records, expected, **context)

    def assertDenied(self, user, records, operation, values=None):
        """``user`` gets an AccessError for ``operation`` (read, write, create, unlink) on ``records``."""
        records = self._as(user, records)
        with self.assertRaises(AccessError, msg=f"{user.login} may {operation} {records._name}"):
            if operation == "read":
                records.read(list(values or ["display_name"]))
            elif operation == "write":
                records.write(values or {})
            elif operation == "create":
                records.create(values or {})
            else:
                records.unlink()


class TestSecurityDefinitions(TestSecurityEngineCase):
    """Participants read process definitions; managers design them."""

    def test_participant_reads_definitions(self):
        processes = self.process | self.draft
        self.assertVisible(self.participant, processes, processes)
        activities = processes.activity_ids
        self.assertVisible(self.participant, activities, activities)
        transitions = processes.transition_ids
        self.assertVisible(self.participant, transitions, transitions)
        process = self._as(self.participant, self.process)
        self.assertEqual(process.activity_ids.mapped("name"), ["Start", "Task", "End"])
        self.assertEqual(process.running_count, 4)

    def test_participant_cannot_change_definitions(self):
        task = self._activity(self.draft, "Draft task")
        transition = self.draft.transition_ids[:1]
        self.assertDenied(self.participant, self.draft, "write", {"name": "Mine"})
        self.assertDenied(self.participant, task, "write", {"name": "Mine"})
        self.assertDenied(self.participant, transition, "write", {"name": "Mine"})
        self.assertDenied(
            self.participant,
            self.env["crm.workflow.process"],
            "create",
            {"name": "Mine", "code": "MINE", "model_id": self.event_model.id},
        )
        self.assertDenied(
            self.participant,
            self.env["crm.workflow.activity"],
            "create",
            {"name": "Extra", "kind": "end", "process_id": self.draft.id},
        )
        self.assertDenied(
            self.participant,
            self.env["crm.workflow.transition"],
            "create",
            {"process_id": self.draft.id, "source_id": task.id, "target_id": task.id},
        )
        self.assertDenied(self.participant, transition, "unlink")
        self.assertDenied(self.participant, task, "unlink")
        self.assertDenied(self.participant, self.draft, "unlink")
        self.assertEqual(task.name, "Draft task")

    def test_manager_designs_processes(self):
        process = self._build_process(
            "SECURITY-DESIGNED",
            [("Start", "start"), ("Call", "human", {"performer": self.colleague}), ("End", "end")],
            [("Start", "Call"), ("Call", "End")],
            activate=False,
            user=self.manager,
        )
        self.assertEqual(process.create_uid, self.manager)
        manager_process = self._as(self.manager, process)
        manager_process.write({"name": "Call back", "description": "<p>Within the day</p>"})
        call = self._as(self.manager, self._activity(process, "Call"))
        call.write({"deadline_hours": 4.0, "performer_user_id": self.participant.id})
        end = self._activity(process, "End")
        extra = (
            self.env["crm.workflow.transition"]
            .with_user(self.manager)
            .create(
                {
                    "process_id": process.id,
                    "source_id": call.id,
                    "target_id": end.id,
                    "condition": "[('severity', '=', 'low')]",
                }
            )
        )
        self._as(self.manager, extra).unlink()
        self._as(self.manager, process).action_activate()
        self.assertRecordValues(process, [{"name": "Call back", "state": "active"}])
        self.assertEqual(call.performer_user_id, self.participant)
        self._as(self.manager, self.draft).unlink()
        self.assertFalse(self.draft.exists())
        self.assertFalse(self.draft.activity_ids.exists())

    def test_process_of_a_company_is_seen_in_that_company(self):
        processes = self.process | self.process_company2
        self.assertVisible(self.participant, processes, self.process)
        self.assertVisible(self.manager, processes, self.process)
        self.assertVisible(self.company2_user, processes, processes)
        self.assertVisible(self.executive, processes, processes, both=True)
        self.assertDenied(self.participant, self.process_company2, "read")

    def test_portal_gets_access_error_on_definitions(self):
        for records in (self.process, self.process.activity_ids, self.process.transition_ids):
            with self.subTest(model=records._name):
                self.assertDenied(self.portal, records, "read")
                with self.assertRaises(AccessError):
                    self._as(self.portal, records).search([])


class TestSecurityInstances(TestSecurityEngineCase):
    """Who sees and changes which instances and work items."""

    def test_participant_sees_instances_and_tasks_they_take_part_in(self):
        self.assertVisible(self.participant, self.instances, self.i_participant)
        # the instance runs on their own event: they see all of it, the engine's steps included
        self.assertVisible(self.participant, self.items, self._items(self.i_participant))
        self.assertVisible(self.colleague, self.instances, self.instances.browse())
        self.assertVisible(self.sub_user, self.instances, self.i_sub)
        self.assertDenied(self.participant, self.i_sub, "read")
        self.assertDenied(self.participant, self.t_sub, "read")

    def test_participant_sees_only_their_task_in_an_instance_of_someone_else(self):
        self._as(self.participant, self.t_participant)._transfer(self.colleague, "Holiday")
        self.assertVisible(self.colleague, self.instances, self.i_participant)
        self.assertVisible(self.colleague, self.items, self.t_participant)
        self.assertDenied(self.colleague, self._items(self.i_participant, "Start"), "read")

    def test_manager_sees_department_and_sub_department(self):
        self.assertVisible(self.manager, self.instances, self.i_participant | self.i_sub)
        # their tasks, and the engine's steps of their instances (a failed application to retry)
        self.assertVisible(self.manager, self.items, self._items(self.i_participant | self.i_sub))
        self.assertIn("Start", self._items(self.i_participant).mapped("activity_id.name"))
        self.assertDenied(self.manager, self.i_other, "read")
        self.assertDenied(self.manager, self.t_other, "read")
        self.assertDenied(self.manager, self._items(self.i_other, "Start"), "read")

    def test_executive_sees_everything_of_both_companies(self):
        self.assertVisible(self.executive, self.instances, self.instances, both=True)
        self.assertVisible(self.executive, self.items, self.items, both=True)
        # in the first company only, the first company's
        self.assertVisible(
            self.executive,
            self.instances,
            self.i_participant | self.i_sub | self.i_other,
            allowed_company_ids=self.company.ids,
        )

    def test_second_company_user_sees_nothing_of_the_first(self):
        self.assertVisible(self.company2_user, self.instances, self.i_c2)
        self.assertVisible(self.company2_user, self.items, self._items(self.i_c2))
        self.assertDenied(self.company2_user, self.i_participant, "read")
        self.assertDenied(self.company2_user, self.t_participant, "read")

    def test_portal_gets_access_error_on_instances_and_items(self):
        for records in (self.i_participant, self.t_participant, self.t_participant.log_ids):
            with self.subTest(model=records._name):
                self.assertDenied(self.portal, records, "read")
                with self.assertRaises(AccessError):
                    self._as(self.portal, records).search([])

    def test_instances_and_items_are_changed_by_the_engine_only(self):
        for user in (self.participant, self.manager, self.executive):
            with self.subTest(user=user.login):
                self.assertDenied(user, self.t_participant, "write", {"state": "done"})
                self.assertDenied(user, self.t_participant, "unlink")
                self.assertDenied(
                    user,
                    self.env["crm.workflow.workitem"],
                    "create",
                    {"instance_id": self.i_participant.id, "activity_id": self._activity(self.process, "End").id},
                )
                self.assertDenied(user, self.i_participant, "unlink")
                self.assertDenied(
                    user,
                    self.env["crm.workflow.instance"],
                    "create",
                    {
                        "process_id": self.process.id,
                        "res_model": "crm.event",
                        "res_id": self.ev_participant.id,
                        "company_id": self.company.id,
                    },
                )
        self.assertDenied(self.participant, self.i_participant, "write", {"res_name": "Renamed"})
        self.assertEqual(self.t_participant.state, "offered")

    def test_participant_cannot_cancel_an_instance(self):
        with self.assertRaises(AccessError):
            self._as(self.participant, self.i_participant).action_cancel()
        self.assertEqual(self.i_participant.state, "running")
        self.assertEqual(self.t_participant.state, "offered")

    def test_manager_cancels_a_department_instance_only(self):
        self._as(self.manager, self.i_sub).action_cancel()
        self.assertEqual(self.i_sub.state, "cancel")
        self.assertEqual(self.t_sub.state, "cancel")
        self.assertEqual(self._log_actions(self.t_sub), ["offered", "cancelled"])
        self.assertFalse(self._workflow_activities(self.ev_sub))
        with self.assertRaises(AccessError):
            self._as(self.manager, self.i_other).action_cancel()
        self.assertEqual(self.i_other.state, "running")

    def test_work_item_history(self):
        log = {item: item.log_ids for item in self.items}
        self.assertEqual(len(self.logs), 4, "one 'offered' line per task")
        self.assertVisible(self.participant, self.logs, log[self.t_participant])
        self.assertVisible(self.sub_user, self.logs, log[self.t_sub])
        self.assertVisible(self.manager, self.logs, log[self.t_participant] | log[self.t_sub])
        self.assertVisible(self.executive, self.logs, self.logs, both=True)
        self.assertVisible(self.company2_user, self.logs, log[self.t_c2])
        for user in (self.participant, self.manager, self.executive):
            with self.subTest(user=user.login):
                self.assertDenied(user, log[self.t_participant], "write", {"reason": "Rewritten"})
                self.assertDenied(user, log[self.t_participant], "unlink")
                self.assertDenied(
                    user,
                    self.env["crm.workflow.workitem.log"],
                    "create",
                    {"workitem_id": self.t_participant.id, "action": "completed"},
                )

    def test_history_follows_the_participant_s_actions(self):
        self._as(self.participant, self.t_participant)._transfer(self.colleague, "Holiday")
        # the participant no longer holds the task, but the instance runs on their event:
        # they see its history, not that of the others' instances
        self.assertVisible(
            self.participant, self.logs | self.t_participant.log_ids, self._items(self.i_participant).log_ids
        )
        self.assertVisible(self.colleague, self.t_participant.log_ids, self.t_participant.log_ids)


class TestSecurityRulesAndMonitor(TestSecurityEngineCase):
    """Event rules and the workflow monitor."""

    def test_participant_reads_rules_but_cannot_change_them(self):
        shipped = self.env.ref("crm_workflow.event_rule_complaint") | self.env.ref("crm_workflow.event_rule_critical")
        self.assertVisible(self.participant, shipped | self.rules, shipped | self.rule_shared)
        self.assertDenied(self.participant, self.rule_shared, "write", {"active": False})
        self.assertDenied(self.participant, self.rule_shared, "unlink")
        self.assertDenied(
            self.participant,
            self.env["crm.event.rule"],
            "create",
            {"name": "Mine", "process_code": "SECURITY", "event_type": "complaint"},
        )

    def test_manager_manages_rules(self):
        rule = (
            self.env["crm.event.rule"]
            .with_user(self.manager)
            .create({"name": "Sales quality", "event_type": "sales_quality", "process_code": "SECURITY"})
        )
        self._as(self.manager, rule).write({"severity": "high", "sequence": 5})
        self.assertEqual(rule.process_id, self.process)
        self._as(self.manager, rule).unlink()
        self.assertFalse(rule.exists())

    def test_rules_of_another_company_are_hidden(self):
        self.assertVisible(self.manager, self.rules, self.rule_shared)
        self.assertVisible(self.company2_user, self.rules, self.rules)
        self.assertVisible(self.executive, self.rules, self.rules, both=True)
        self.assertDenied(self.manager, self.rule_c2, "write", {"active": False})

    def test_portal_gets_access_error_on_rules(self):
        self.assertDenied(self.portal, self.rule_shared, "read")
        with self.assertRaises(AccessError):
            self._as(self.portal, self.env["crm.event.rule"]).search([])

    def _monitor_rows(self, user, **context):
        self.env.flush_all()
        self.env.invalidate_all()
        Report = self.env["crm.workflow.report.activity"].with_user(user).with_context(**context)
        # read as the web client does, in the query of the search (a row's figures are the
        # reader's: never read them as superuser in the same transaction)
        rows = Report.search_read(
            [("process_id", "=", self.process.id)], ["activity_id", "company_id", "running_count", "done_count"]
        )
        names = {activity.id: activity.name for activity in self.process.activity_ids}
        return {
            (names[row["activity_id"][0]], self.env["res.company"].browse(row["company_id"][0])): row for row in rows
        }

    def test_monitor_follows_companies_and_rules(self):
        # the manager of Sales: the participant's and the sub-department's instances
        rows = self._monitor_rows(self.manager)
        self.assertEqual(set(rows), {("Start", self.company), ("Task", self.company)})
        self.assertEqual(
            (rows["Task", self.company]["running_count"], rows["Task", self.company]["done_count"]), (2, 0)
        )
        self.assertEqual(
            (rows["Start", self.company]["running_count"], rows["Start", self.company]["done_count"]), (0, 2)
        )
        # the executive sees every department of the companies they work in
        rows = self._monitor_rows(self.executive)
        self.assertEqual(rows["Task", self.company]["running_count"], 3)
        rows = self._monitor_rows(self.executive, allowed_company_ids=(self.company | self.company_2).ids)
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows["Task", self.company_2]["running_count"], 1)

    def test_monitor_is_for_managers(self):
        for user in (self.participant, self.company2_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._monitor_rows(user)

    def test_monitor_is_read_only(self):
        row = self.env["crm.workflow.report.activity"].search([("process_id", "=", self.process.id)], limit=1)
        for user in (self.manager, self.executive):
            with self.subTest(user=user.login):
                self.assertDenied(user, row, "write", {"running_count": 0})
                self.assertDenied(user, row, "unlink")
                self.assertDenied(user, self.env["crm.workflow.report.activity"], "create", {"running_count": 1})

    def test_portal_gets_access_error_on_the_monitor(self):
        row = self.env["crm.workflow.report.activity"].search([("process_id", "=", self.process.id)], limit=1)
        self.assertDenied(self.portal, row, "read")
        with self.assertRaises(AccessError):
            self._as(self.portal, self.env["crm.workflow.report.activity"]).search([])


class TestSecurityPortal(TestSecurityEngineCase):
    """A portal user gets an AccessError on every model of the engine."""

    def test_portal_every_model(self):
        models = [
            "crm.workflow.process",
            "crm.workflow.activity",
            "crm.workflow.transition",
            "crm.workflow.instance",
            "crm.workflow.workitem",
            "crm.workflow.workitem.log",
            "crm.event.rule",
            "crm.workflow.report.activity",
            "crm.workflow.start",
            "crm.workflow.workitem.reassign",
        ]
        for model in models:
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.portal)
                with self.assertRaises(AccessError):
                    Model.search([])
                with self.assertRaises(AccessError):
                    Model.create({})

    def test_portal_cannot_act_on_tasks(self):
        task = self.t_participant
        with self.assertRaises(AccessError):
            self._as(self.portal, task).action_complete()
        with self.assertRaises(AccessError):
            self._as(self.portal, self.process)._start_manually(self.ev_participant)
        self.assertEqual(task.state, "offered")


class TestSecurityProcessCommands(TestSecurityEngineCase):
    """The manager edits a running process in one write: a new version, as a designer may."""

    def test_manager_edits_running_process_with_commands(self):
        task = self._activity(self.process, "Task")
        self._as(self.manager, self.process).write(
            {"activity_ids": [Command.update(task.id, {"name": "Answer the customer"})]}
        )
        self.assertEqual(self.process.state, "superseded")
        self.assertEqual(task.name, "Task")
        new = self.env["crm.workflow.process"]._get_active("SECURITY")
        self.assertEqual(new.version, 2)
        self.assertEqual(self._activity(new, "Answer the customer").performer_type, "field")
