from odoo.exceptions import AccessError

from odoo.addons.crm_workflow.tests.common import call_kw

from .common_campaign import CrmMarketingCampaignCommon

STEP_TYPE = "crm_marketing.mail_activity_type_campaign_step"


class TestBranchExecution(CrmMarketingCampaignCommon):
    """Marketing plans, a branch runs: the branch sees the campaign and works its steps,
    marketing follows the progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.campaigns["participant"]
        cls.campaign.executing_company_id = cls.branch
        Step = cls.env["crm.marketing.campaign.step"].with_user(cls.participant)
        cls.step_rep, cls.step_marketer, cls.step_planner = Step.create(
            [
                {"campaign_id": cls.campaign.id, "name": "Trade show booth", "kind": "event",
                 "event_type": "trade_show", "user_id": cls.branch_rep.id, "date_deadline": "2025-03-10"},
                {"campaign_id": cls.campaign.id, "name": "Local press", "user_id": cls.branch_marketer.id},
                {"campaign_id": cls.campaign.id, "name": "Brief the branch", "user_id": cls.participant.id},
            ]
        )  # fmt: skip
        cls.steps = cls.step_rep | cls.step_marketer | cls.step_planner
        # the plan is saved before the branch works on it: Odoo tracks no record in the transaction that made it
        cls.env.cr.precommit.run()

    def _as(self, user, records):
        # the web client of a branch user only has the branch among its allowed companies; tracking on
        return records.with_user(user).with_context(allowed_company_ids=user.company_ids.ids, tracking_disable=False)

    def test_branch_users_read_the_campaign_and_its_plan(self):
        for user in (self.branch_rep, self.branch_marketer):
            with self.subTest(user=user.login):
                campaign = self._as(user, self.campaign)
                self.assertEqual(campaign.search([("id", "in", self.all_campaigns.ids)]), campaign)
                self.assertEqual(campaign.read(["title"])[0]["title"], "Campaign of participant")
                self.assertEqual(
                    self._as(user, self.steps).search([("campaign_id", "=", self.campaign.id)]), self.steps
                )

    def test_branch_rep_reports_on_own_step_and_marketing_sees_the_progress(self):
        step = self._as(self.branch_rep, self.step_rep)
        step.write({"analysis_notes": "<p>120 visitors</p>", "rating": "3"})
        step.action_done()
        self.assertEqual(self.step_rep.state, "done")
        campaign = self.campaign.with_user(self.participant)
        campaign.invalidate_recordset()
        self.assertAlmostEqual(campaign.progress, 100 / 3, places=2)
        self.assertAlmostEqual(self.campaign.with_user(self.manager).progress, 100 / 3, places=2)
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.step_rep.invalidate_recordset(["message_ids"])
        tracked = self.step_rep.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertTrue(tracked, "marketing reads who did it in the step's history")

    def test_branch_rep_ticks_the_activity_of_the_step(self):
        activity = self.env["mail.activity"].search(
            [("res_model", "=", self.step_rep._name), ("res_id", "=", self.step_rep.id)]
        )
        self.assertEqual(activity.activity_type_id, self.env.ref(STEP_TYPE))
        self._as(self.branch_rep, activity).action_feedback()
        self.assertEqual(self.step_rep.state, "done")

    def test_branch_rep_changes_no_plan_no_other_step_no_campaign(self):
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.step_rep).write({"date_deadline": "2025-04-01"})
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.step_rep).write({"user_id": self.branch_marketer.id})
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.step_planner).write({"state": "done"})
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.campaign).write({"budget": 1})
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.env["crm.marketing.campaign.step"]).create(
                {"campaign_id": self.campaign.id, "name": "Own idea"}
            )
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.steps).unlink()
        self.assertEqual(self.step_planner.state, "todo")

    def test_branch_marketer_works_own_step_but_not_the_campaign(self):
        self._as(self.branch_marketer, self.step_marketer).action_done()
        self.assertEqual(self.step_marketer.state, "done")
        with self.assertRaises(AccessError):
            self._as(self.branch_marketer, self.campaign).write({"budget": 1})
        with self.assertRaises(AccessError):
            self._as(self.branch_marketer, self.step_planner).write({"state": "cancel"})

    def test_branch_sees_no_costs_of_the_planning_company(self):
        self._cost(self.campaign, actual=500)
        with self.assertRaises(AccessError):
            self._as(self.branch_rep, self.env["crm.marketing.cost.line"]).search([])
        lines = self._as(self.branch_marketer, self.env["crm.marketing.cost.line"]).search([])
        self.assertFalse(lines)

    def test_campaign_no_longer_run_by_the_branch_leaves_its_view(self):
        self.campaign.executing_company_id = False
        self.steps.user_id = self.participant
        campaign = self._as(self.branch_rep, self.campaign)
        self.assertFalse(campaign.search([("id", "=", self.campaign.id)]))
        with self.assertRaises(AccessError):
            campaign.read(["title"])

    def test_second_company_sees_nothing_of_it(self):
        user = self.company2_user
        self.assertFalse(self._as(user, self.campaign).search([("id", "=", self.campaign.id)]))
        self.assertFalse(self._as(user, self.steps).search([("id", "in", self.steps.ids)]))
        with self.assertRaises(AccessError):
            self._as(user, self.step_rep).read(["name"])


class TestTeamExecution(CrmMarketingCampaignCommon):
    """A sales team runs the campaign; a salesperson reads what they run or are assigned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.campaigns["participant"]
        cls.campaign.team_id = cls.team
        Step = cls.env["crm.marketing.campaign.step"]
        cls.step_member = Step.create({"campaign_id": cls.campaign.id, "name": "Call", "user_id": cls.sales_member.id})
        cls.step_other = Step.create({"campaign_id": cls.campaign.id, "name": "Brief", "user_id": cls.participant.id})
        cls.assigned = cls.campaigns["colleague"]
        cls.step_assigned = Step.create({"campaign_id": cls.assigned.id, "name": "Demo", "user_id": cls.salesperson.id})
        cls.step_hidden = Step.create({"campaign_id": cls.assigned.id, "name": "Budget talk"})

    def test_team_member_reads_the_campaign_and_marks_own_step_done(self):
        self.assertVisible(self.sales_member, self.all_campaigns, self.campaign)
        self.assertVisible(self.sales_member, self.step_member | self.step_other, self.step_member | self.step_other)
        self.step_member.with_user(self.sales_member).action_done()
        self.assertEqual(self.campaign.progress, 50.0)

    def test_team_leader_reads_the_campaign(self):
        leader = self._new_user("suite_team_leader", "sales_team.group_sale_salesman", self.company)
        self.team.user_id = leader
        self.assertVisible(leader, self.all_campaigns, self.campaign)

    def test_salesperson_reads_the_campaign_and_the_step_assigned_only(self):
        self.assertVisible(self.salesperson, self.all_campaigns, self.assigned)
        self.assertVisible(self.salesperson, self.step_assigned | self.step_hidden, self.step_assigned)
        with self.assertRaises(AccessError):
            self.step_hidden.with_user(self.salesperson).read(["name"])
        self.step_assigned.with_user(self.salesperson).write({"state": "done"})
        self.assertEqual(self.step_assigned.state, "done")

    def test_sales_manager_reads_every_campaign_of_the_company_and_changes_none(self):
        manager = self._new_user("suite_sales_manager", "sales_team.group_sale_manager", self.company)
        self.assertVisible(manager, self.all_campaigns, self.all_campaigns - self.campaigns["company2_user"])
        with self.assertRaises(AccessError):
            self.campaign.with_user(manager).write({"budget": 1})


class TestStepAndCostAccess(CrmMarketingCampaignCommon):
    """Plans and costs follow their campaign: own, department, all; nothing for portal or the other company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step, Cost = cls.env["crm.marketing.campaign.step"], cls.env["crm.marketing.cost.line"]
        cls.steps = Step.create(
            [{"campaign_id": campaign.id, "name": f"Step {key}"} for key, campaign in cls.campaigns.items()]
        )
        cls.costs = Cost.create(
            [
                {"campaign_id": campaign.id, "name": f"Cost {key}", "actual_amount": 10}
                for key, campaign in cls.campaigns.items()
            ]
        )

    def _of(self, records, *keys):
        return records.filtered(lambda record: record.campaign_id in self.pick(*keys))

    def test_visibility_per_role(self):
        department = ("participant", "colleague", "sub_user", "manager")
        company = (*department, "other_user", "executive")
        both = self.company | self.company_2
        for records in (self.steps, self.costs):
            with self.subTest(model=records._name):
                self.assertVisible(self.participant, records, self._of(records, "participant"))
                self.assertVisible(self.manager, records, self._of(records, *department))
                self.assertVisible(
                    self.executive, records, self._of(records, *company), allowed_company_ids=[self.company.id]
                )
                self.assertVisible(self.executive, records, records, allowed_company_ids=both.ids)
                self.assertVisible(self.company2_user, records, self._of(records, "company2_user"))
        self.assertVisible(self.salesperson, self.steps, self.steps.browse())

    def test_marketer_plans_and_costs_only_own_campaign(self):
        own, colleague = self.campaigns["participant"], self.campaigns["colleague"]
        Step = self.env["crm.marketing.campaign.step"].with_user(self.participant)
        Cost = self.env["crm.marketing.cost.line"].with_user(self.participant)
        Step.create({"campaign_id": own.id, "name": "Mine"})
        Cost.create({"campaign_id": own.id, "name": "Mine", "planned_amount": 5})
        for Model in (Step, Cost):
            with self.subTest(model=Model._name), self.assertRaises(AccessError):
                Model.create({"campaign_id": colleague.id, "name": "Not mine"})
        with self.assertRaises(AccessError):
            self._of(self.costs, "colleague").with_user(self.participant).write({"actual_amount": 0})
        with self.assertRaises(AccessError):
            self._of(self.steps, "colleague").with_user(self.participant).unlink()

    def test_manager_changes_department_costs_not_others(self):
        self._of(self.costs, "sub_user").with_user(self.manager).write({"actual_amount": 99})
        self.assertEqual(self.campaigns["sub_user"].actual_cost, 99)
        with self.assertRaises(AccessError):
            self._of(self.costs, "other_user").with_user(self.manager).write({"actual_amount": 0})

    def test_second_company_marketer_cannot_touch_first_company_plans(self):
        with self.assertRaises(AccessError):
            self._of(self.steps, "participant").with_user(self.company2_user).write({"name": "Hijack"})
        with self.assertRaises(AccessError):
            self.env["crm.marketing.cost.line"].with_user(self.company2_user).create(
                {"campaign_id": self.campaigns["participant"].id, "name": "Hijack"}
            )

    def test_salesperson_and_portal_have_no_costs(self):
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.marketing.cost.line"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["crm.marketing.campaign.step"].with_user(self.portal).search([])

    def test_figures_are_not_typed_in(self):
        campaign = self.campaigns["participant"]
        for values in ({"actual_cost": 1}, {"planned_cost": 1}, {"progress": 100}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                campaign.with_user(self.participant).write(values)
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.marketing.campaign", "write", campaign.ids, values)
        self.assertEqual(campaign.actual_cost, 10)
