from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CrmWorkflowCommon


class TestDiagram(CrmWorkflowCommon):
    """The server side of the process diagram: what it shows and how it saves edits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model_event = cls.env["ir.model"]._get_id("crm.event")
        cls.process = cls.env["crm.workflow.process"].create(
            {
                "name": "Diagram complaint",
                "code": "DIAGRAM-COMPLAINT",
                "model_id": cls.model_event,
                "activity_ids": [
                    Command.create({"name": "Start", "kind": "start", "sequence": 1, "x": 40, "y": 60}),
                    Command.create(
                        {
                            "name": "Call the customer",
                            "kind": "human",
                            "sequence": 2,
                            "performer_type": "user",
                            "performer_user_id": cls.participant.id,
                            "deadline_hours": 4.0,
                            "x": 200,
                            "y": 52,
                        }
                    ),
                    Command.create({"name": "End", "kind": "end", "sequence": 3, "x": 440, "y": 60}),
                ],
            }
        )
        cls.start, cls.task, cls.end = cls.process.activity_ids
        cls.process.transition_ids = [
            Command.create({"source_id": cls.start.id, "target_id": cls.task.id}),
            Command.create(
                {
                    "source_id": cls.task.id,
                    "target_id": cls.end.id,
                    "name": "Called",
                    "condition": "[('severity', '!=', 'critical')]",
                }
            ),
        ]
        cls.to_task, cls.to_end = cls.process.transition_ids

    def _activate_and_start(self):
        self.process.action_activate()
        instance = self.process._start_manually(self.event_participant)
        self.assertEqual(instance.workitem_ids.filtered(lambda item: item.state == "offered").activity_id, self.task)
        return instance

    # diagram_data ------------------------------------------------------------

    def test_data_describes_activities_and_transitions(self):
        data = self.process.with_user(self.manager).diagram_data()
        self.assertEqual(data["process"]["id"], self.process.id)
        self.assertEqual(data["process"]["version"], 1)
        activities = {activity["id"]: activity for activity in data["activities"]}
        self.assertEqual(list(activities), self.process.activity_ids.ids)
        task = activities[self.task.id]
        self.assertEqual(task["kind"], "human")
        self.assertEqual((task["x"], task["y"]), (200, 52))
        self.assertEqual(task["performer"], self.participant.name)
        self.assertEqual(task["deadline_hours"], 4.0)
        self.assertEqual((task["split_mode"], task["join_mode"]), ("xor", "xor"))
        self.assertEqual(task["status"], "none")
        self.assertFalse(activities[self.start.id]["performer"])
        transitions = {transition["id"]: transition for transition in data["transitions"]}
        self.assertEqual(
            {key: transitions[self.to_end.id][key] for key in ("source_id", "target_id", "name", "has_condition")},
            {"source_id": self.task.id, "target_id": self.end.id, "name": "Called", "has_condition": True},
        )
        self.assertFalse(transitions[self.to_task.id]["has_condition"])

    def test_data_names_other_performers(self):
        self.task.write({"performer_type": "department", "performer_department_id": self.dept_sales.id})
        self.assertEqual(self.process.diagram_data()["activities"][1]["performer"], "Sales")
        self.task.write({"performer_type": "manager", "performer_field_id": self._user_field().id})
        self.assertEqual(self.process.diagram_data()["activities"][1]["performer"], "Manager of Responsible")
        self.task.write({"performer_type": "user", "performer_user_id": False})
        self.assertFalse(self.process.diagram_data()["activities"][1]["performer"])

    def _user_field(self):
        return self.env["ir.model.fields"]._get("crm.event", "user_id")

    def test_data_of_an_instance_tells_where_it_stands(self):
        instance = self._activate_and_start()
        data = self.process.with_user(self.manager).diagram_data(instance.id)
        status = {activity["id"]: activity["status"] for activity in data["activities"]}
        self.assertEqual(status, {self.start.id: "done", self.task.id: "open", self.end.id: "none"})
        self.assertEqual(data["activities"][1]["workitem_states"], ["offered"])

        instance.workitem_ids.filtered(lambda item: item.activity_id == self.task).with_user(
            self.participant
        ).action_complete()
        data = self.process.diagram_data(instance.id)
        self.assertEqual({activity["status"] for activity in data["activities"]}, {"done"})

    def test_participant_sees_the_whole_instance_they_take_part_in(self):
        instance = self._activate_and_start()
        data = self.process.with_user(self.participant).diagram_data(instance.id)
        self.assertEqual([activity["status"] for activity in data["activities"]], ["done", "open", "none"])

    def test_data_refuses_an_instance_of_another_process(self):
        instance = self._activate_and_start()
        other = self.process.copy({"code": "DIAGRAM-OTHER"})
        with self.assertRaisesRegex(UserError, "does not run on"):
            other.diagram_data(instance.id)

    def test_data_refuses_an_instance_the_user_may_not_read(self):
        instance = self._activate_and_start()
        with self.assertRaises(AccessError):
            self.process.with_user(self.other_user).diagram_data(instance.id)

    # diagram_save: a draft is edited in place ----------------------------------

    def test_build_a_draft_process_from_the_diagram(self):
        Process = self.env["crm.workflow.process"].with_user(self.manager)
        process = Process.create({"name": "Drawn", "code": "DIAGRAM-DRAWN", "model_id": self.model_event})
        result = process.diagram_save(
            {
                "create_activities": [
                    {"kind": "start", "x": 40, "y": 48},
                    {"kind": "human", "x": 260, "y": 40},
                    {"kind": "end", "x": 480, "y": 48},
                ]
            }
        )
        self.assertEqual(result, process.id)
        start, task, end = process.activity_ids
        self.assertEqual(process.activity_ids.mapped("kind"), ["start", "human", "end"])
        self.assertEqual(task.name, "Human Task", "a new activity is named after its kind")
        self.assertEqual((task.x, task.y), (260, 40))

        process.diagram_save({"create_transitions": [{"source_id": start.id, "target_id": task.id}]})
        process.diagram_save({"create_transitions": [{"source_id": task.id, "target_id": end.id}]})
        process.diagram_save(
            {
                "update_activities": [
                    [task.id, {"name": "Review", "performer_type": "user", "performer_user_id": self.colleague.id}]
                ],
                "move": [[end.id, 520, 60]],
            }
        )
        self.assertEqual(task.performer_user_id, self.colleague)
        self.assertEqual((end.x, end.y), (520, 60))
        self.assertEqual([(t.source_id, t.target_id) for t in process.transition_ids], [(start, task), (task, end)])
        process.action_activate()
        self.assertEqual(process.state, "active")

    def test_delete_from_the_diagram(self):
        process = self.process.with_user(self.manager)
        process.diagram_save({"delete_transitions": [self.to_end.id]})
        self.assertEqual(process.transition_ids, self.to_task)
        process.diagram_save({"delete_activities": [self.task.id]})
        self.assertEqual(process.activity_ids, self.start | self.end)
        self.assertFalse(process.transition_ids, "the transitions of a deleted activity go with it")

    # diagram_save: a process with running instances gets a new version -------

    def test_editing_a_running_process_saves_a_new_version(self):
        instance = self._activate_and_start()
        result = self.process.with_user(self.manager).diagram_save(
            {"update_activities": [[self.task.id, {"name": "Call the customer back"}]]}
        )
        new = self.env["crm.workflow.process"].browse(result)
        self.assertNotEqual(new, self.process)
        self.assertEqual((new.code, new.version, new.previous_id), (self.process.code, 2, self.process))
        self.assertEqual(new.activity_ids.mapped("name"), ["Start", "Call the customer back", "End"])
        self.assertEqual(self.task.name, "Call the customer", "the running version is left as it was")
        self.assertEqual(instance.process_id, self.process, "the running instance stays on its version")
        self.assertEqual((new.state, self.process.state), ("active", "superseded"))

        # the new version has no instance yet: further edits stay on it
        twin = new.activity_ids.filtered(lambda activity: activity.kind == "human")
        self.assertEqual(new.with_user(self.manager).diagram_save({"move": [[twin.id, 300, 80]]}), new.id)
        self.assertEqual((twin.x, twin.y), (300, 80))

    def test_editing_the_old_version_again_returns_the_newest_version(self):
        self._activate_and_start()
        process = self.process.with_user(self.manager)
        second = process.diagram_save({"update_activities": [[self.task.id, {"name": "Second"}]]})
        third = process.diagram_save({"update_activities": [[self.task.id, {"name": "Third"}]]})
        versions = self.env["crm.workflow.process"].browse([second, third])
        self.assertEqual(versions.mapped("version"), [2, 3])
        self.assertEqual(
            versions.activity_ids.filtered(lambda a: a.kind == "human").mapped("name"), ["Second", "Third"]
        )

    def test_editing_a_transition_of_a_running_process_edits_its_twin(self):
        self._activate_and_start()
        result = self.process.with_user(self.manager).diagram_save(
            {"update_transitions": [[self.to_end.id, {"name": "Reached", "condition": "[]"}]]}
        )
        new = self.env["crm.workflow.process"].browse(result)
        self.assertEqual(new.transition_ids.mapped("name"), [False, "Reached"])
        self.assertEqual(self.to_end.name, "Called")
        data = new.diagram_data()
        self.assertFalse(any(transition["has_condition"] for transition in data["transitions"]))

    def test_moving_an_activity_of_a_running_process_keeps_the_version(self):
        self._activate_and_start()
        result = self.process.with_user(self.manager).diagram_save({"move": [[self.task.id, 220, 90]]})
        self.assertEqual(result, self.process.id)
        self.assertEqual((self.task.x, self.task.y), (220, 90))
        self.assertFalse(self.env["crm.workflow.process"].search([("previous_id", "=", self.process.id)]))

    # diagram_save: bad input ----------------------------------------------------

    def _assert_unchanged(self, before):
        self.assertEqual(self._snapshot(), before)

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.env["crm.workflow.process"].search_count([("code", "=", self.process.code)]),
            [(activity.name, activity.x, activity.y) for activity in self.process.activity_ids],
            [(t.source_id.id, t.target_id.id, t.name) for t in self.process.transition_ids],
        )

    def test_transition_to_another_process_is_refused_and_changes_nothing(self):
        self._activate_and_start()
        other = self.env["crm.workflow.process"].create(
            {
                "name": "Other",
                "code": "DIAGRAM-OTHER",
                "model_id": self.model_event,
                "activity_ids": [Command.create({"name": "Elsewhere", "kind": "human"})],
            }
        )
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "not part of"):
            self.process.with_user(self.manager).diagram_save(
                {
                    "move": [[self.task.id, 500, 500]],
                    "update_activities": [[self.task.id, {"name": "Renamed"}]],
                    "create_transitions": [{"source_id": self.task.id, "target_id": other.activity_ids.id}],
                }
            )
        self._assert_unchanged(before)

    def test_bad_changes_are_refused(self):
        before = self._snapshot()
        process = self.process.with_user(self.manager)
        for changes, message in [
            ({"rename_everything": []}, "cannot make"),
            ([["move"]], "cannot make"),
            ({"update_activities": [[self.task.id]]}, "cannot make"),
            ({"create_activities": [{"kind": "meeting"}]}, "kind of the new activity"),
            ({"create_transitions": [{"source_id": self.start.id}]}, "needs an activity"),
            ({"move": [[self.task.id, "left", 3]]}, "no position"),
            ({"update_activities": [[self.task.id, {"process_id": 1}]]}, "another process"),
            ({"delete_transitions": [self.to_task.id + 10000]}, "transitions that are not part"),
            ({"delete_activities": [self.task.id + 10000]}, "activities that are not part"),
        ]:
            with self.subTest(changes=changes), self.assertRaisesRegex(UserError, message):
                process.diagram_save(changes)
        self._assert_unchanged(before)

    def test_participant_cannot_edit_the_diagram(self):
        with self.assertRaises(AccessError):
            self.process.with_user(self.participant).diagram_save(
                {"update_activities": [[self.task.id, {"name": "Mine"}]]}
            )
        with self.assertRaises(AccessError):
            self.process.with_user(self.participant).diagram_save({"move": [[self.task.id, 10, 10]]})

    def test_nothing_to_save_returns_the_process(self):
        self.assertEqual(self.process.diagram_save({}), self.process.id)


@tagged("post_install", "-at_install")
class TestDiagramTour(HttpCase):
    """A workflow manager draws a process in the diagram; the diagram then shows an instance."""

    def test_manager_draws_process_and_monitors_instance(self):
        department = self.env["hr.department"].create({"name": "Diagram Tour Team"})
        manager = new_test_user(
            self.env,
            login="wf_diagram_manager",
            password="wf_diagram_manager",
            name="Diagram Tour Manager",
            groups="base.group_user,crm_workflow.group_crm_workflow_manager",
        )
        performer = new_test_user(
            self.env, login="wf_diagram_performer", name="Diagram Tour Performer", groups="base.group_user"
        )
        self.env["hr.employee"].create(
            [{"name": user.name, "user_id": user.id, "department_id": department.id} for user in manager | performer]
        )

        self.start_tour(
            "/odoo/action-crm_workflow.crm_workflow_process_action", "crm_workflow_diagram_tour", login=manager.login
        )

        process = self.env["crm.workflow.process"].search([("name", "=", "Diagram Tour Process")])
        self.assertEqual(process.state, "active")
        self.assertEqual(process.model, "crm.event")
        self.assertEqual(process.activity_ids.mapped("kind"), ["start", "human", "end"])
        start, task, end = process.activity_ids
        self.assertEqual((task.name, task.performer_user_id), ("Check the complaint", performer))
        self.assertEqual([(t.source_id, t.target_id) for t in process.transition_ids], [(start, task), (task, end)])

        event = self.env["crm.event"].create({"name": "Diagram tour event", "user_id": performer.id})
        instance = process._start_manually(event)
        offered = instance.workitem_ids.filtered(lambda item: item.state == "offered")
        self.assertEqual(instance.state, "running")
        self.assertEqual(offered.activity_id, task)
        self.assertEqual(offered.user_id, performer)

        self.start_tour(
            f"/odoo/action-crm_workflow.crm_workflow_instance_action/{instance.id}",
            "crm_workflow_diagram_monitor_tour",
            login=manager.login,
        )
