from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, warmup

from .common import CrmSfaCommon

DAY = date(2025, 3, 3)  # a Monday


class DailyPlanCommon(CrmSfaCommon):
    """A plan on ``DAY`` for each salesperson of the organisation, and a manager of Support."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["crm.daily.plan"]
        cls.plans = {
            key: cls._new_plan(user, company)
            for key, (user, company) in cls._owners().items()
            if key not in ("unassigned", "executive")
        }
        cls.all_plans = cls.Plan.concat(*cls.plans.values())

    @classmethod
    def _setup_users(cls):
        users = super()._setup_users()
        cls.other_manager = cls._new_user("suite_other_manager", cls.management_groups, cls.company)
        return users | cls.other_manager

    @classmethod
    def _setup_employees(cls):
        employees = super()._setup_employees()
        cls.employee_other_manager = cls._new_employee(cls.other_manager, cls.dept_other)
        cls.dept_other.manager_id = cls.employee_other_manager
        return employees | cls.employee_other_manager

    @classmethod
    def _new_plan(cls, user, company, day=DAY, **values):
        return cls.env["crm.daily.plan"].create(
            {
                "user_id": user.id,
                "company_id": company.id,
                "date": day,
                "line_ids": [Command.create({"kind": "call", "description": f"Call for {user.name}"})],
                **values,
            }
        )


class TestDailyPlan(DailyPlanCommon):
    # the salesperson's day

    def test_salesperson_plans_and_reports_own_day(self):
        lead = self.leads["participant"]
        Plan = self.env["crm.daily.plan"].with_user(self.participant)
        plan = Plan.create(
            {
                "date": date(2025, 3, 4),
                "line_ids": [
                    Command.create({"kind": "visit", "lead_id": lead.id, "planned_time": 9.5}),
                    Command.create({"kind": "call", "partner_id": self.customer.id, "description": "Price reminder"}),
                ],
            }
        )
        self.assertEqual(plan.employee_id, self.employee_participant)
        self.assertEqual(plan.department_id, self.dept_sales)
        self.assertEqual(plan.company_id, self.company)
        visit, call = plan.line_ids
        self.assertEqual(visit.partner_id, self.customer, "the customer comes from the opportunity")
        plan.action_plan()
        self.assertEqual(plan.state, "planned")

        visit.write({"result": "positive", "outcome_note": "Demo booked"})
        self.assertTrue(visit.done, "a line with a result took place")
        plan.action_report()
        self.assertEqual(plan.state, "reported")
        self.assertTrue(plan.reported_on)
        self.assertEqual((plan.line_count, plan.done_count), (2, 1))
        self.assertEqual(plan.completion_rate, 50.0)
        self.assertFalse(call.done)

    def test_one_plan_per_salesperson_and_day(self):
        Plan = self.env["crm.daily.plan"].with_user(self.participant)
        with self.assertRaisesRegex(ValidationError, "already has a plan for 2025-03-03"):
            Plan.create({"date": DAY})

    def test_two_plans_of_the_same_day_in_one_batch_are_refused(self):
        Plan = self.env["crm.daily.plan"].with_user(self.participant)
        with self.assertRaisesRegex(ValidationError, "already has a plan"):
            Plan.create([{"date": date(2025, 3, 5)}, {"date": date(2025, 3, 5)}])

    def test_moving_a_plan_onto_a_taken_day_is_refused(self):
        plan = self._new_plan(self.participant, self.company, day=date(2025, 3, 6)).with_user(self.participant)
        with self.assertRaisesRegex(ValidationError, "already has a plan"):
            plan.date = DAY

    def test_reporting_a_done_line_without_result_is_refused(self):
        plan = self.plans["participant"].with_user(self.participant)
        plan.action_plan()
        plan.line_ids.done = True
        with self.assertRaisesRegex(UserError, "Give a result to every line that took place"):
            plan.action_report()
        self.assertEqual(plan.state, "planned")

    def test_lines_that_did_not_happen_need_no_result(self):
        plan = self.plans["participant"].with_user(self.participant)
        plan.action_plan()
        plan.action_report()
        self.assertEqual(plan.state, "reported")
        self.assertEqual(plan.completion_rate, 0.0)

    def test_planning_an_empty_day_is_refused(self):
        plan = self.plans["participant"].with_user(self.participant)
        plan.line_ids.unlink()
        with self.assertRaisesRegex(UserError, "Add at least one call, visit or follow-up"):
            plan.action_plan()
        with self.assertRaisesRegex(UserError, "has no line"):
            plan.action_report()

    def test_user_without_employee_cannot_plan(self):
        newcomer = new_test_user(self.env, login="sfa_newcomer", groups=self.execution_groups)
        with self.assertRaisesRegex(ValidationError, "no employee record"):
            self.env["crm.daily.plan"].with_user(newcomer).create({"date": DAY})

    def test_reopen_reported_day(self):
        plan = self.plans["participant"].with_user(self.participant)
        plan.action_report()
        plan.action_reset_to_planned()
        self.assertEqual(plan.state, "planned")
        self.assertFalse(plan.reported_on)

    # access

    def test_salesperson_reads_only_own_plan(self):
        self.assertVisible(self.participant, self.all_plans, self.plans["participant"])
        self.assertVisible(self.participant, self.all_plans.line_ids, self.plans["participant"].line_ids)

    def test_salesperson_cannot_open_colleague_plan(self):
        with self.assertRaises(AccessError):
            self.plans["colleague"].with_user(self.participant).read(["name"])
        with self.assertRaises(AccessError):
            self.plans["colleague"].line_ids.with_user(self.participant).read(["description"])

    def test_salesperson_cannot_plan_for_colleague(self):
        with self.assertRaises(AccessError):
            self.env["crm.daily.plan"].with_user(self.participant).create(
                {"user_id": self.colleague.id, "date": date(2025, 3, 4)}
            )

    def test_salesperson_cannot_delete_plan(self):
        with self.assertRaises(AccessError):
            self.plans["participant"].with_user(self.participant).unlink()

    def test_manager_reads_department_plans_and_completion(self):
        department = self.pick(self.plans, "participant", "colleague", "sub_user", "branch_user", "manager")
        self.assertVisible(self.manager, self.all_plans, department, **self.hq_and_branch)
        self.assertVisible(self.manager, self.all_plans.line_ids, department.line_ids, **self.hq_and_branch)
        self.plans["colleague"].line_ids.result = "positive"
        Plan = self.env["crm.daily.plan"].with_user(self.manager).with_context(**self.hq_and_branch)
        groups = Plan.read_group([("date", "=", DAY)], ["completion_rate:avg"], ["department_id"])
        rates = {group["department_id"][0]: group["completion_rate"] for group in groups}
        self.assertEqual(set(rates), {self.dept_sales.id, self.dept_sub.id})
        self.assertAlmostEqual(rates[self.dept_sales.id], 100 / 3)

    def test_manager_writes_department_plan(self):
        plan = self.plans["colleague"].with_user(self.manager)
        plan.summary = "Reviewed with the manager"
        self.assertEqual(plan.summary, "Reviewed with the manager")

    def test_manager_reads_no_branch_plan_while_branch_not_active(self):
        department = self.pick(self.plans, "participant", "colleague", "sub_user", "manager")
        self.assertVisible(self.manager, self.all_plans, department, allowed_company_ids=[self.company.id])

    def test_other_department_manager_does_not_see_sales_plans(self):
        self.assertVisible(self.other_manager, self.all_plans, self.plans["other_user"])
        with self.assertRaises(AccessError):
            self.plans["participant"].with_user(self.other_manager).read(["name"])

    def test_executive_reads_plans_of_all_allowed_companies(self):
        companies = self.company | self.branch | self.company_2
        self.assertVisible(self.executive, self.all_plans, self.all_plans, allowed_company_ids=companies.ids)

    def test_executive_reads_only_plans_of_active_company(self):
        hq = self.pick(self.plans, "participant", "colleague", "sub_user", "other_user", "manager")
        self.assertVisible(self.executive, self.all_plans, hq, allowed_company_ids=[self.company.id])

    def test_branch_salesperson_reads_only_own_branch_plan(self):
        self.assertVisible(self.branch_user, self.all_plans, self.plans["branch_user"])

    def test_second_company_salesperson_reads_only_own_plan(self):
        self.assertVisible(self.company2_user, self.all_plans, self.plans["company2_user"])

    def test_portal_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["crm.daily.plan"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.plans["participant"].with_user(self.portal).read(["name"])
        with self.assertRaises(AccessError):
            self.env["crm.daily.plan.line"].with_user(self.portal).search([])


class TestDailyPlanReminders(DailyPlanCommon):
    """The hourly crons remind at 7:00 and 17:00 of each salesperson's day; the clock is on ``DAY``.

    The salespeople of the fixture work in UTC, but those that the tests move to
    Shanghai (UTC+8) and Paris (UTC+1 in March).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.participant | cls.colleague | cls.sub_user | cls.other_user | cls.manager | cls.executive
        (users | cls.branch_user | cls.company2_user | cls.other_manager).write({"tz": "UTC"})

    def _reminders(self, xmlid, plans):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.daily.plan"),
                ("res_id", "in", plans.ids),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _fixture_plans_of(self, day):
        users = self.participant | self.colleague | self.sub_user | self.other_user | self.manager
        users |= self.executive | self.branch_user | self.company2_user | self.other_manager | self.portal
        return self.env["crm.daily.plan"].search([("date", "=", day), ("user_id", "in", users.ids)])

    @freeze_time("2025-03-04 07:00:00")
    def test_morning_reminder_once_per_salesperson_without_plan(self):
        tuesday = date(2025, 3, 4)
        self._new_plan(self.participant, self.company, day=tuesday)
        self.env["crm.daily.plan"]._cron_remind_missing_plans()

        plans = self._fixture_plans_of(tuesday)
        expected = self.colleague | self.sub_user | self.other_user | self.manager | self.executive
        expected |= self.branch_user | self.company2_user | self.other_manager
        self.assertEqual(plans.user_id, expected | self.participant, "no plan for the portal user")
        reminders = self._reminders("crm_sfa.mail_activity_type_crm_daily_plan_plan", plans)
        self.assertEqual(len(reminders), len(expected), "one reminder per salesperson without a plan")
        self.assertEqual(reminders.user_id, expected)
        self.assertEqual(set(reminders.mapped("date_deadline")), {tuesday})
        branch_plan = plans.filtered(lambda plan: plan.user_id == self.branch_user)
        self.assertEqual(branch_plan.company_id, self.branch)
        self.assertEqual(branch_plan.state, "draft")
        self.assertIn(self.branch_user.partner_id, branch_plan.message_partner_ids, "the owner follows the plan")

        self.env["crm.daily.plan"]._cron_remind_missing_plans()
        self.assertEqual(self._fixture_plans_of(tuesday), plans, "the second run creates no plan")
        self.assertEqual(
            self._reminders("crm_sfa.mail_activity_type_crm_daily_plan_plan", plans), reminders, "nor reminder"
        )

    @freeze_time("2025-03-08 07:00:00")
    def test_no_morning_reminder_on_a_day_off(self):
        self.env["crm.daily.plan"]._cron_remind_missing_plans()
        self.assertFalse(self._fixture_plans_of(date(2025, 3, 8)))

    @freeze_time("2025-03-04 07:00:00")
    def test_planning_the_day_closes_the_morning_reminder(self):
        self.env["crm.daily.plan"]._cron_remind_missing_plans()
        plan = self._fixture_plans_of(date(2025, 3, 4)).filtered(lambda plan: plan.user_id == self.colleague)
        plan = plan.with_user(self.colleague)
        plan.line_ids = [Command.create({"kind": "visit", "partner_id": self.customer.id})]
        plan.action_plan()
        self.assertFalse(self._reminders("crm_sfa.mail_activity_type_crm_daily_plan_plan", plan))

    @freeze_time("2025-03-03 17:00:00")
    def test_evening_reminder_once_per_planned_unreported_plan(self):
        planned = self.pick(self.plans, "participant", "colleague", "branch_user")
        planned.action_plan()
        self.plans["sub_user"].action_plan()
        self.plans["sub_user"].action_report()
        Plan = self.env["crm.daily.plan"]
        Plan._cron_remind_unreported_plans()
        report_type = "crm_sfa.mail_activity_type_crm_daily_plan_report"
        reminders = self._reminders(report_type, self.all_plans)
        self.assertEqual(sorted(reminders.mapped("res_id")), sorted(planned.ids))
        self.assertEqual(reminders.user_id, self.participant | self.colleague | self.branch_user)

        Plan._cron_remind_unreported_plans()
        self.assertEqual(self._reminders(report_type, self.all_plans), reminders, "no second reminder")

        self.plans["participant"].with_user(self.participant).action_report()
        self.assertFalse(self._reminders(report_type, self.plans["participant"]), "reporting closes the reminder")

    def test_morning_reminder_at_each_salesperson_local_hour(self):
        tuesday = date(2025, 3, 4)
        self.participant.tz = "Asia/Shanghai"
        self.colleague.tz = "Europe/Paris"
        Plan = self.env["crm.daily.plan"]
        plan_type = "crm_sfa.mail_activity_type_crm_daily_plan_plan"

        def tuesday_plan(user):
            return self._fixture_plans_of(tuesday).filtered(lambda plan: plan.user_id == user)

        with freeze_time("2025-03-03 22:59:00"):  # Shanghai 6:59 on Tuesday
            Plan._cron_remind_missing_plans()
        self.assertFalse(tuesday_plan(self.participant), "not before 7:00 in Shanghai")
        with freeze_time("2025-03-03 23:00:00"):  # Shanghai 7:00 on Tuesday, Paris midnight
            Plan._cron_remind_missing_plans()
        self.assertEqual(self._reminders(plan_type, tuesday_plan(self.participant)).user_id, self.participant)
        self.assertFalse(tuesday_plan(self.colleague), "still the night in Paris")
        self.assertFalse(tuesday_plan(self.sub_user), "still Monday in UTC")
        with freeze_time("2025-03-04 06:00:00"):  # Paris 7:00, Shanghai 14:00
            Plan._cron_remind_missing_plans()
        self.assertEqual(self._reminders(plan_type, tuesday_plan(self.colleague)).user_id, self.colleague)
        self.assertEqual(len(tuesday_plan(self.participant).activity_ids), 1, "Shanghai was reminded once")
        self.assertFalse(tuesday_plan(self.sub_user), "6:00 in UTC")

    def test_evening_reminder_at_each_salesperson_local_hour(self):
        self.participant.tz = "Asia/Shanghai"
        self.colleague.tz = "Europe/Paris"
        planned = self.pick(self.plans, "participant", "colleague", "sub_user")
        planned.action_plan()
        Plan = self.env["crm.daily.plan"]
        report_type = "crm_sfa.mail_activity_type_crm_daily_plan_report"
        with freeze_time("2025-03-03 09:00:00"):  # Shanghai 17:00, Paris 10:00
            Plan._cron_remind_unreported_plans()
        self.assertEqual(self._reminders(report_type, planned).user_id, self.participant)
        with freeze_time("2025-03-03 16:00:00"):  # Paris 17:00
            Plan._cron_remind_unreported_plans()
        self.assertEqual(self._reminders(report_type, planned).user_id, self.participant | self.colleague)
        with freeze_time("2025-03-03 17:00:00"):  # UTC 17:00
            Plan._cron_remind_unreported_plans()
        reminders = self._reminders(report_type, planned)
        self.assertEqual(len(reminders), 3, "once each")
        self.assertEqual(reminders.user_id, self.participant | self.colleague | self.sub_user)

    def test_company_time_zone_without_one_of_the_salesperson(self):
        self.colleague.tz = False
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.plans["colleague"].action_plan()
        with freeze_time("2025-03-03 09:00:00"):  # Shanghai 17:00
            self.env["crm.daily.plan"]._cron_remind_unreported_plans()
        reminders = self._reminders("crm_sfa.mail_activity_type_crm_daily_plan_report", self.plans["colleague"])
        self.assertEqual(reminders.user_id, self.colleague)


@tagged("is_query_count", "crm_sfa_perf")
class TestDailyPlanPerformance(CrmSfaCommon):
    """The morning reminder costs the same for a handful of salespeople or for fifty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        salesman = cls.env.ref("sales_team.group_sale_salesman")
        cls.sales_force = cls.env["res.users"].create(
            [
                {
                    "name": f"Field Rep {index}",
                    "login": f"sfa_field_rep_{index}",
                    "company_id": cls.company.id,
                    "company_ids": [Command.set(cls.company.ids)],
                    "groups_id": [Command.set(salesman.ids)],
                    "tz": "UTC",
                }
                for index in range(50)
            ]
        )
        cls.env["hr.employee"].create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "department_id": cls.dept_sales.id,
                    "company_id": cls.company.id,
                }
                for user in cls.sales_force
            ]
        )

    @warmup
    @freeze_time("2025-03-04 07:00:00")
    def test_morning_reminder_of_fifty_salespeople(self):
        Plan = self.env["crm.daily.plan"]
        with self.assertQueryCount(24):  # 20 measured alone
            Plan._cron_remind_missing_plans()
        plans = Plan.search([("date", "=", date(2025, 3, 4)), ("user_id", "in", self.sales_force.ids)])
        self.assertEqual(len(plans), 50)
        self.assertEqual(len(plans.activity_ids), 50)
        self.assertEqual(plans.message_partner_ids, self.sales_force.partner_id)
