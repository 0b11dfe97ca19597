from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_sales_process import CrmSfaSalesProcessCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-03 10:00:00")
class TestStageTasks(CrmSfaSalesProcessCommon):
    """Entering a stage gives the lead's salesperson the tasks of the team's sales process, once per entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Task = cls.env["crm.stage.task"].with_user(cls.sales_admin)
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.task_call = Task.create(
            {
                "stage_id": cls.stage_qualified.id,
                "team_id": cls.team.id,
                "activity_type_id": cls.call.id,
                "summary": "Call the decision maker",
                "days_deadline": 2,
                "note": "<p>Ask about budget and timing.</p>",
                "sequence": 1,
            }
        )
        cls.task_check = Task.create(
            {
                "stage_id": cls.stage_qualified.id,
                "activity_type_id": cls.todo.id,
                "summary": "Check the customer's credit",
                "sequence": 2,
            }
        )
        cls.task_proposal = Task.create(
            {
                "stage_id": cls.stage_proposition.id,
                "team_id": cls.team.id,
                "activity_type_id": cls.todo.id,
                "summary": "Send the proposal",
                "days_deadline": 3,
            }
        )

    def _summaries(self, lead):
        return sorted(lead.activity_ids.mapped("summary"))

    def test_entering_a_stage_gives_its_tasks_once(self):
        lead = self._new_lead().with_user(self.participant)
        self.assertFalse(lead.activity_ids, "New has no tasks")
        lead.stage_id = self.stage_qualified
        self.assertEqual(self._summaries(lead), ["Call the decision maker", "Check the customer's credit"])
        call = lead.activity_ids.filtered(lambda activity: activity.activity_type_id == self.call)
        self.assertEqual(call.user_id, self.participant)
        self.assertEqual(call.date_deadline, date(2025, 3, 5))
        self.assertEqual(str(call.note), "<p>Ask about budget and timing.</p>")
        self.assertEqual(
            lead.activity_ids.filtered(lambda activity: activity.activity_type_id == self.todo).date_deadline,
            date(2025, 3, 3),
        )
        lead.write({"stage_id": self.stage_qualified.id, "priority": "2"})
        lead.expected_revenue = 1000
        self.assertEqual(len(lead.activity_ids), 2, "staying in the stage gives nothing more")

    def test_each_entry_gives_the_tasks_again(self):
        lead = self._new_lead().with_user(self.participant)
        lead.stage_id = self.stage_qualified
        lead.stage_id = self.stage_proposition
        self.assertEqual(len(lead.activity_ids), 3)
        lead.stage_id = self.stage_qualified
        self.assertEqual(len(lead.activity_ids), 5)

    def test_tasks_of_the_lead_team_and_of_every_team(self):
        lead = self._new_lead(team=self.other_team).with_user(self.participant)
        lead.stage_id = self.stage_qualified
        self.assertEqual(self._summaries(lead), ["Check the customer's credit"])

    def test_lead_without_salesperson_gets_the_tasks_when_assigned(self):
        lead = self._new_lead(user=self.env["res.users"]).with_user(self.participant)
        lead.stage_id = self.stage_qualified
        self.assertFalse(lead.activity_ids, "nobody to give them to")
        # as Odoo's assignment does: the salesperson with their team
        lead.write({"user_id": self.participant.id, "team_id": self.team.id})
        self.assertEqual(len(lead.activity_ids), 2)
        self.assertEqual(lead.activity_ids.user_id, self.participant)
        lead.sudo().user_id = self.colleague
        lead.sudo().user_id = self.participant
        self.assertEqual(len(lead.sudo().activity_ids), 2, "a new salesperson does not make a new entry")

    def test_lead_created_in_a_stage(self):
        lead = self._new_lead(stage=self.stage_proposition)
        self.assertEqual(self._summaries(lead), ["Send the proposal"])
        self.assertEqual(lead.activity_ids.date_deadline, date(2025, 3, 6))

    def test_archived_task_gives_nothing(self):
        self.task_check.with_user(self.sales_admin).active = False
        lead = self._new_lead().with_user(self.participant)
        lead.stage_id = self.stage_qualified
        self.assertEqual(self._summaries(lead), ["Call the decision maker"])

    def test_leads_moved_together(self):
        leads = self.env["crm.lead"]
        for index in range(20):
            leads |= self._new_lead(f"Batch {index}", user=(self.participant, self.colleague)[index % 2])
        leads.with_user(self.manager).stage_id = self.stage_qualified
        self.assertEqual(len(leads.activity_ids), 40)
        for lead in leads:
            self.assertEqual(lead.activity_ids.user_id, lead.user_id)


@tagged("post_install", "-at_install")
class TestStageTaskAccess(CrmSfaSalesProcessCommon):
    """Salespeople read the sales process, the sales administrator maintains it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.values = {
            "stage_id": cls.stage_qualified.id,
            "team_id": cls.team.id,
            "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
            "summary": "Qualify",
        }
        cls.task = cls.env["crm.stage.task"].create(cls.values)

    def test_salesperson_reads_only(self):
        task = self.task.with_user(self.participant)
        self.assertEqual(task.summary, "Qualify")
        with self.assertRaises(AccessError):
            task.summary = "Skip it"
        with self.assertRaises(AccessError):
            self.env["crm.stage.task"].with_user(self.participant).create(self.values)
        with self.assertRaises(AccessError):
            task.unlink()

    def test_sales_admin_maintains(self):
        task = self.env["crm.stage.task"].with_user(self.sales_admin).create(self.values)
        task.days_deadline = 5
        self.assertEqual(task.display_name, "Qualified: Qualify")
        task.unlink()
        self.assertFalse(task.exists())

    def test_portal_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.env["crm.stage.task"].with_user(self.portal).search([])

    def test_second_company_tasks_stay_there(self):
        team_2 = self.env["crm.team"].create({"name": "SFA Company 2", "company_id": self.company_2.id})
        task_2 = self.env["crm.stage.task"].create(dict(self.values, team_id=team_2.id))
        self.assertVisible(self.participant, self.task | task_2, self.task)
        self.assertVisible(self.company2_user, self.task | task_2, task_2)
