from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import CrmWorkflowCommon

T0 = datetime(2025, 3, 3, 8, 0, 0)
# How long the participant spent on each call-back, in hours; one arrives every hour.
CALL_HOURS = [0.5, 1.0, 0.75, 1.25, 0.5, 1.0, 0.75, 1.25]
NOW = T0 + timedelta(hours=12)


class TestSimulationWizard(CrmWorkflowCommon):
    """A workflow manager simulates a process from its history and compares a change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.process = cls._new_process("SIM-CALLBACK", "Call back")
        cls.call = cls.process.activity_ids.filtered(lambda activity: activity.kind == "human")
        cls._record_history()

    @classmethod
    def _new_process(cls, code, task_name):
        """start -> one human task (2 h deadline) done by the participant -> end, active."""
        process = cls.env["crm.workflow.process"].create(
            {
                "name": f"Simulated {task_name}",
                "code": code,
                "model_id": cls.env["ir.model"]._get_id("crm.event"),
                "activity_ids": [
                    Command.create({"name": "Start", "kind": "start", "sequence": 1}),
                    Command.create(
                        {
                            "name": task_name,
                            "kind": "human",
                            "sequence": 2,
                            "performer_type": "user",
                            "performer_user_id": cls.participant.id,
                            "deadline_hours": 2.0,
                        }
                    ),
                    Command.create({"name": "End", "kind": "end", "sequence": 3}),
                ],
            }
        )
        start, task, end = process.activity_ids
        process.transition_ids = [
            Command.create({"source_id": start.id, "target_id": task.id}),
            Command.create({"source_id": task.id, "target_id": end.id}),
        ]
        process.action_activate()
        return process

    @classmethod
    def _record_history(cls):
        """Eight events arrive an hour apart; the participant calls each back in turn."""
        events = cls.env["crm.event"].create(
            [
                {"name": f"Call-back request {index}", "user_id": cls.participant.id, "company_id": cls.company.id}
                for index in range(len(CALL_HOURS))
            ]
        )
        items = cls.env["crm.workflow.workitem"]
        for index, event in enumerate(events):
            with freeze_time(T0 + timedelta(hours=index)):
                instance = cls.process._start_manually(event)
            items |= instance.workitem_ids.filtered(lambda item: item.activity_id == cls.call)
        free_at = T0
        for index, (item, hours) in enumerate(zip(items, CALL_HOURS, strict=True)):
            taken = max(T0 + timedelta(hours=index), free_at)
            free_at = taken + timedelta(hours=hours)
            with freeze_time(taken):
                item.with_user(cls.participant).action_take()
            with freeze_time(free_at):
                item.with_user(cls.participant).action_complete()
        cls.instances = items.instance_id

    def _open(self, process=None, user=None):
        Simulation = self.env["crm.workflow.simulation"].with_user(user or self.manager)
        return Simulation.create({"process_id": (process or self.process).id})

    @freeze_time(NOW)
    def test_history_fills_the_steps(self):
        wizard = self._open()
        self.assertEqual(wizard.history_count, 8)
        # 8 instances in the 12 hours since the first one started
        self.assertAlmostEqual(wizard.arrival_per_day, 16.0, places=2)
        self.assertEqual(wizard.line_ids.activity_id, self.call)
        line = wizard.line_ids
        self.assertEqual(line.done_count, 8)
        self.assertAlmostEqual(line.avg_hours, sum(CALL_HOURS) / len(CALL_HOURS), delta=0.01)  # 2 digits
        self.assertEqual(line.current_performers, 1)
        self.assertEqual(line.performers, 1)
        self.assertEqual(line.deadline_hours, 2.0)

    @freeze_time(NOW)
    def test_more_performers_shorten_the_cycle(self):
        wizard = self._open()
        wizard.line_ids.performers = 3
        wizard.action_run()
        self.assertEqual(wizard.state, "done")
        self.assertLess(wizard.scenario_cycle_avg, wizard.baseline_cycle_avg)
        self.assertLessEqual(wizard.scenario_cycle_p90, wizard.baseline_cycle_p90)
        self.assertLess(wizard.line_ids.scenario_waiting_hours, wizard.line_ids.baseline_waiting_hours)
        self.assertLess(wizard.line_ids.scenario_utilisation, wizard.line_ids.baseline_utilisation)
        # capacity suffices both ways: as many done per day as arrive
        self.assertAlmostEqual(wizard.baseline_throughput, 16.0, delta=16.0 * 0.15)
        self.assertAlmostEqual(wizard.scenario_throughput, 16.0, delta=16.0 * 0.15)
        recorded = self.instances.mapped("cycle_hours")
        self.assertAlmostEqual(wizard.recorded_cycle_avg, sum(recorded) / len(recorded), delta=0.01)
        self.assertTrue(wizard.has_deadlines)
        self.assertIn("Scenario", wizard.result_html)
        self.assertIn("progress-bar", wizard.result_html)

    @freeze_time(NOW)
    def test_same_settings_same_figures(self):
        first, second = self._open(), self._open()
        for wizard in first | second:
            wizard.line_ids.performers = 2
            wizard.action_run()
        self.assertEqual(first.baseline_cycle_avg, second.baseline_cycle_avg)
        self.assertEqual(first.scenario_cycle_p90, second.scenario_cycle_p90)

    @freeze_time(NOW)
    def test_removing_the_only_step_leaves_no_cycle_time(self):
        wizard = self._open()
        wizard.line_ids.removed = True
        wizard.action_run()
        self.assertGreater(wizard.baseline_cycle_avg, 0.5)
        self.assertEqual(wizard.scenario_cycle_avg, 0.0)

    @freeze_time(NOW)
    def test_tighter_deadline_more_steps_overdue(self):
        wizard = self._open()
        wizard.line_ids.scenario_deadline_hours = 0.25
        wizard.action_run()
        self.assertGreater(wizard.scenario_overdue_share, wizard.baseline_overdue_share)

    @freeze_time(NOW)
    def test_history_of_earlier_versions_counts(self):
        new_version = self.process._new_version()
        self.assertEqual(new_version.state, "active")
        wizard = self._open(new_version)
        self.assertEqual(wizard.history_count, 8)
        self.assertEqual(wizard.line_ids.activity_id.process_id, new_version)
        self.assertEqual(wizard.line_ids.done_count, 8)
        wizard.action_run()
        self.assertGreater(wizard.baseline_cycle_avg, 0.0)

    @freeze_time(NOW)
    def test_no_history_asks_for_durations(self):
        fresh = self._new_process("SIM-FRESH", "Welcome call")
        wizard = self._open(fresh)
        self.assertFalse(wizard.history_count)
        self.assertFalse(wizard.arrival_per_day)
        self.assertEqual(wizard.line_ids.done_count, 0)
        with self.assertRaisesRegex(UserError, "Run the process for a while first"):
            wizard.action_run()
        wizard.write({"arrival_per_day": 12.0})
        wizard.line_ids.avg_hours = 0.5
        wizard.line_ids.performers = 2
        wizard.action_run()
        self.assertGreater(wizard.baseline_cycle_avg, wizard.scenario_cycle_avg)
        self.assertAlmostEqual(wizard.baseline_throughput, 12.0, delta=12.0 * 0.15)

    @freeze_time(NOW)
    def test_period_without_history(self):
        wizard = self._open()
        with freeze_time(NOW + timedelta(days=30)):
            wizard.write({"period_days": 7})
            wizard.write(wizard._history_values(wizard._history()))
            self.assertFalse(wizard.history_count)
            with self.assertRaisesRegex(UserError, "no history in the last 7 days"):
                wizard.action_run()

    @freeze_time(NOW)
    def test_scenario_needs_a_performer(self):
        wizard = self._open()
        with self.assertRaisesRegex(ValidationError, "needs at least one performer"):
            wizard.line_ids.performers = 0

    @freeze_time(NOW)
    def test_form_loads_history_when_opened_from_the_process(self):
        Simulation = self.env["crm.workflow.simulation"].with_user(self.manager)
        with Form(Simulation.with_context(default_process_id=self.process.id)) as form:
            self.assertEqual(form.history_count, 8)
            self.assertEqual(len(form.line_ids), 1)
            with form.line_ids.edit(0) as line:
                self.assertEqual(line.done_count, 8)
                line.performers = 2
        wizard = form.record
        self.assertEqual(wizard.line_ids.done_count, 8)
        self.assertEqual(wizard.line_ids.current_performers, 1)
        action = wizard.action_run()
        self.assertEqual(action["res_id"], wizard.id)
        self.assertLess(wizard.scenario_cycle_avg, wizard.baseline_cycle_avg)

    @freeze_time(NOW)
    def test_comparison_shows_each_figure_three_ways(self):
        wizard = self._open()
        wizard.line_ids.performers = 3
        wizard.action_run()
        table = html.fromstring(wizard.result_html)
        self.assertEqual(
            [cell.text_content().strip() for cell in table.xpath("thead/tr/th")],
            ["Figure", "Recorded", "Today (simulated)", "Scenario", "Change"],
        )
        rows = table.xpath("tbody/tr")
        self.assertEqual(
            [row.xpath("string(th)").strip() for row in rows],
            ["Cycle time, average (h)", "Cycle time, 90th percentile (h)", "Done per day", "Steps past their deadline"],
        )
        recorded, today, scenario, change = rows[0].xpath("td")
        self.assertRegex(recorded.text_content().strip(), r"^\d+\.\d$")
        self.assertRegex(today.text_content().strip(), r"^\d+\.\d$")
        # today's cycle is the longer: its bar is full, the scenario's shorter, the change good
        self.assertEqual(today.xpath(".//div[contains(@class, 'progress-bar')]/@style"), ["width: 100%;"])
        [width] = scenario.xpath(".//div[contains(@class, 'progress-bar bg-primary')]/@style")
        self.assertEqual(width, f"width: {round(100 * wizard.scenario_cycle_avg / wizard.baseline_cycle_avg)}%;")
        [span] = change.xpath("span")
        self.assertEqual(span.get("class"), "text-success")
        self.assertTrue(span.text.startswith("\N{MINUS SIGN}") and span.text.endswith(" %"))

    @freeze_time(NOW)
    def test_comparison_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["crm_workflow"], ["zh_CN"], overwrite=True)
        wizard = self._open()
        wizard.action_run()
        table = html.fromstring(wizard.with_context(lang="zh_CN")._render_comparison())
        self.assertEqual(table.xpath("string(thead/tr/th[1])").strip(), "指标")
        self.assertEqual(table.xpath("string(tbody/tr[3]/th)").strip(), "每日完成数")

    def test_participant_cannot_simulate(self):
        with self.assertRaises(AccessError):
            self._open(user=self.participant)
