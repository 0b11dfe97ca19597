from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import call_kw
from .common_process import CrmWorkflowProcessCase

# What the audit wrote as a workflow department manager: a domain that, evaluated as
# superuser by the automation rule, would have made them a Settings administrator.
ESCALATION = "[('id', '=', user.sudo().write({'groups_id': [(4, %d)]}) and 0)]"


@tagged("post_install", "-at_install")
class TestSecurityRpc(CrmWorkflowProcessCase):
    """Each finding of the audit, attacked through ``call_kw`` as the least-privileged user
    who could exploit it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_system = cls.env.ref("base.group_system")
        cls.notify = cls._code_action("Notify", "records.write({'state': 'in_progress'})")
        cls.process = cls._build_process(
            "RPC-AUTO",
            [("Start", "start"), ("Notify", "auto", {"action": cls.notify}), ("End", "end")],
            [("Start", "Notify"), ("Notify", "End")],
            trigger="on_create",
            trigger_domain="[('severity', '=', 'critical')]",
        )
        cls.process_company2 = cls._build_process(
            "RPC-C2", [("Start", "start"), ("End", "end")], [("Start", "End")], company_id=cls.company_2.id
        )
        cls.manual = cls._build_process("RPC-MANUAL", [("Start", "start"), ("End", "end")], [("Start", "End")])
        cls.event_sales = cls._event("Sales event", user=cls.participant)
        cls.event_support = cls._event("Support event", user=cls.other_user)

    def _process_values(self, **values):
        return {"name": "Attack", "model_id": self.event_model.id, **values}

    # 1. Conditions are data, not code ------------------------------------------------

    def test_trigger_domain_expression_is_refused(self):
        attack = ESCALATION % self.group_system.id
        with self.assertRaisesRegex(ValidationError, "is not a value"):
            call_kw(self.manager, "crm.workflow.process", "create", self._process_values(trigger_domain=attack))
        with self.assertRaisesRegex(ValidationError, "is not a value"):
            call_kw(self.manager, "crm.workflow.process", "write", [self.process.id], {"trigger_domain": attack})
        self.assertNotIn(self.group_system, self.manager.groups_id)
        self.assertEqual(self.process.trigger_domain, "[('severity', '=', 'critical')]")
        self.assertEqual(self.process.automation_id.filter_domain, "[('severity', '=', 'critical')]")

    def test_conditions_are_stored_as_normalised_literals(self):
        process_id = call_kw(
            self.manager,
            "crm.workflow.process",
            "create",
            self._process_values(trigger_domain="[('severity','=','high'), ('user_id', '=', uid)]"),
        )
        process = self.env["crm.workflow.process"].browse(process_id)
        self.assertEqual(process.trigger_domain, "['&', ('severity', '=', 'high'), ('user_id', '=', uid)]")
        for bad in ("9**9**9", "[('a', 'like', 'x')] + [()]", "__import__('os')", "[('name', 'bogus', 1)]", "{}"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                call_kw(self.manager, "crm.workflow.process", "write", [process_id], {"trigger_domain": bad})

    def test_transition_and_event_rule_conditions_refuse_expressions(self):
        process = self._build_process(
            "RPC-DRAFT", [("Start", "start"), ("End", "end")], [("Start", "End")], activate=False
        )
        transition = process.transition_ids
        attack = ESCALATION % self.group_system.id
        with self.assertRaisesRegex(ValidationError, "is not a value"):
            call_kw(self.manager, "crm.workflow.transition", "write", [transition.id], {"condition": attack})
        with self.assertRaisesRegex(ValidationError, "is not a value"):
            call_kw(
                self.manager,
                "crm.event.rule",
                "create",
                {"name": "Attack", "process_code": "RPC-AUTO", "condition": attack},
            )
        self.assertEqual(transition.condition, "[]")
        self.assertFalse(self.env["crm.event.rule"].search([("name", "=", "Attack")]))

    def test_start_wizard_ids_are_a_literal_list(self):
        for bad in ("[x for x in range(10 ** 9)]", "9 ** 9 ** 9", "['1']", "[-1]"):
            with self.subTest(bad=bad):
                wizard_id = call_kw(
                    self.manager,
                    "crm.workflow.start",
                    "create",
                    {"res_model": "crm.event", "res_ids": bad, "process_id": self.process.id},
                )
                with self.assertRaisesRegex(UserError, "cannot be read"):
                    call_kw(self.manager, "crm.workflow.start", "action_start", [wizard_id])
        self.assertFalse(self.env["crm.workflow.instance"].search([("process_id", "=", self.process.id)]))

    # 3. What the system sets, users cannot write ----------------------------------------

    def test_process_automation_and_state_are_not_writable(self):
        automation = self.process.automation_id
        other_automation = self.env["base.automation"].create(
            {"name": "Someone else's rule", "model_id": self.event_model.id, "trigger": "on_create"}
        )
        for values in ({"automation_id": other_automation.id}, {"state": "active"}, {"version": 7}):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "set by the system"):
                call_kw(self.manager, "crm.workflow.process", "write", [self.process.id], values)
        draft = self._build_process("RPC-INCOMPLETE", [("Start", "start")], [], activate=False)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call_kw(self.manager, "crm.workflow.process", "write", [draft.id], {"state": "active"})
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call_kw(
                self.manager,
                "crm.workflow.process",
                "create",
                self._process_values(automation_id=other_automation.id),
            )
        self.assertEqual(self.process.automation_id, automation)
        self.assertEqual(draft.state, "draft")
        self.assertTrue(other_automation.exists())

    def test_system_fields_are_not_set_through_default_context(self):
        process_id = call_kw(
            self.manager,
            "crm.workflow.process",
            "create",
            self._process_values(),
            context={"default_state": "active", "default_version": 9},
        )
        process = self.env["crm.workflow.process"].browse(process_id)
        self.assertEqual((process.state, process.version), ("draft", 1))

    def test_instance_fields_are_not_writable_by_managers(self):
        instance = self.process._start_manually(self._event("Critical", severity="critical", user=self.participant))
        for values in ({"res_model": "res.users", "res_id": self.env.ref("base.user_admin").id}, {"state": "done"}):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "set by the system"):
                call_kw(self.manager, "crm.workflow.instance", "write", [instance.id], values)
        self.assertEqual(instance.res_model, "crm.event")

    def test_activity_link_to_a_task_is_not_writable(self):
        activity_id = call_kw(
            self.participant,
            "mail.activity",
            "create",
            {
                "res_model_id": self.event_model.id,
                "res_id": self.event_sales.id,
                "user_id": self.participant.id,
                "summary": "Mine",
            },
        )
        instance = self.manual._start_manually(self._event("Another", user=self.participant))
        item = instance.workitem_ids[:1]
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call_kw(self.participant, "mail.activity", "write", [activity_id], {"crm_workflow_workitem_id": item.id})

    # 4. Automatic steps run only allowed server actions of the process's model ----------

    def test_automatic_step_refuses_actions_not_allowed(self):
        on_users = self.env["ir.actions.server"].create(
            {
                "name": "Make me admin",
                "model_id": self.env["ir.model"]._get_id("res.users"),
                "state": "code",
                "code": f"records.write({{'groups_id': [(4, {self.group_system.id})]}})",
                "crm_workflow_usable": True,
            }
        )
        not_allowed = self.env["ir.actions.server"].create(
            {"name": "Not for workflows", "model_id": self.event_model.id, "state": "code", "code": "pass"}
        )
        process = self._build_process(
            "RPC-ACTION", [("Start", "start"), ("End", "end")], [("Start", "End")], activate=False
        )
        for action, message in ((on_users, "runs on res.users"), (not_allowed, "not marked Usable in Workflows")):
            with self.subTest(action=action.name), self.assertRaisesRegex(ValidationError, message):
                call_kw(
                    self.manager,
                    "crm.workflow.process",
                    "write",
                    [process.id],
                    {"activity_ids": [Command.create({"name": "Step", "kind": "auto", "action_id": action.id})]},
                )
        with self.assertRaises(AccessError):
            call_kw(self.manager, "ir.actions.server", "write", [not_allowed.id], {"crm_workflow_usable": True})

    def test_engine_parks_an_action_withdrawn_after_design(self):
        self.notify.crm_workflow_usable = False
        event = self._event("Critical", severity="critical", user=self.participant)
        instance = self.env["crm.workflow.instance"].search(
            [("process_id", "=", self.process.id), ("res_model", "=", "crm.event"), ("res_id", "=", event.id)]
        )
        item = self._items(instance, "Notify")
        self.assertEqual((instance.state, item.state), ("error", "error"))
        self.assertIn("not marked Usable in Workflows", item.error_message)
        self.assertEqual(event.state, "new", "the withdrawn action did not run")

    def test_action_runs_without_the_callers_context(self):
        event = self.env["crm.event"].create(
            {"name": "Critical", "severity": "critical", "user_id": self.participant.id, "company_id": self.company.id}
        )
        self.assertEqual(event.state, "in_progress")
        # a caller's active_ids cannot point the superuser's action at other records
        call_kw(
            self.participant,
            "crm.event",
            "create",
            {"name": "Critical 2", "severity": "critical", "company_id": self.company.id},
            context={"active_model": "crm.event", "active_ids": [self.event_support.id]},
        )
        self.assertEqual(self.event_support.state, "new")

    # 5. Manual start: managers who may write the records ----------------------------

    def test_manual_start_needs_a_manager_who_may_write_the_records(self):
        values = {"res_model": "crm.event", "res_ids": str(self.event_sales.ids), "process_id": self.manual.id}
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.workflow.start", "create", values)
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.workflow.process", "_start_manually", [self.process.id], [])
        with self.assertRaises(AttributeError):
            call_kw(self.participant, "crm.workflow.process", "action_start_on", [self.process.id], [])
        # the manager of Sales may not change Support's event: no start on it
        wizard_id = call_kw(
            self.manager, "crm.workflow.start", "create", dict(values, res_ids=str(self.event_support.ids))
        )
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.workflow.start", "action_start", [wizard_id])
        self.assertFalse(self.env["crm.workflow.instance"].search([("res_id", "=", self.event_support.id)]))
        wizard_id = call_kw(self.manager, "crm.workflow.start", "create", values)
        call_kw(self.manager, "crm.workflow.start", "action_start", [wizard_id])
        self.assertTrue(self.env["crm.workflow.instance"].search([("res_id", "=", self.event_sales.id)]))

    # 6. Multi-company rules on activities and transitions --------------------------

    def test_activities_and_transitions_follow_the_companies(self):
        activities = self.process_company2.activity_ids
        transitions = self.process_company2.transition_ids
        for model, records in (("crm.workflow.activity", activities), ("crm.workflow.transition", transitions)):
            with self.subTest(model=model):
                found = call_kw(self.participant, model, "search_read", [("id", "in", records.ids)], ["display_name"])
                self.assertEqual(found, [])
                with self.assertRaises(AccessError):
                    call_kw(self.participant, model, "read", records.ids, ["name"])
                self.assertEqual(
                    len(call_kw(self.company2_user, model, "search", [("id", "in", records.ids)])), len(records)
                )

    # 7. The same patterns elsewhere: human actions on tasks the caller may not read --

    def test_manager_acts_only_on_tasks_of_their_department(self):
        process = self._sequence("RPC-TASK", "field")
        support_task = self._items(process._start_manually(self._event("Support's", user=self.other_user)), "Task")
        sales_task = self._items(process._start_manually(self._event("Sales'", user=self.participant)), "Task")
        for method in ("action_take", "action_complete"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.manager, "crm.workflow.workitem", method, support_task.ids)
        self.assertEqual(support_task.state, "offered")
        call_kw(self.manager, "crm.workflow.workitem", "action_complete", sales_task.ids)
        self.assertEqual(sales_task.state, "done")

    def test_reassignment_goes_through_its_wizard(self):
        process = self._sequence("RPC-REASSIGN", "field")
        task = self._items(process._start_manually(self._event("Sales'", user=self.participant)), "Task")
        for method, error in (
            ("action_delegate", AttributeError),
            ("action_transfer", AttributeError),
            ("action_send_back", AttributeError),
            ("_delegate", AccessError),
        ):
            with self.subTest(method=method), self.assertRaises(error):
                call_kw(self.participant, "crm.workflow.workitem", method, task.ids, self.colleague.id, "Because")
        wizard_id = call_kw(
            self.participant,
            "crm.workflow.workitem.reassign",
            "create",
            {"workitem_id": task.id, "mode": "transfer", "user_id": self.colleague.id, "reason": "Holiday"},
        )
        call_kw(self.participant, "crm.workflow.workitem.reassign", "action_confirm", [wizard_id])
        self.assertEqual(task.user_id, self.colleague)
