from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_dss.tests.test_department_dashboard import DepartmentDashboardCommon
from odoo.addons.crm_workflow.tests.common import call_kw, new_staff_user


@tagged("post_install", "-at_install")
class TestDssDepartmentDashboardSuite(DepartmentDashboardCommon):
    """With crm_sfa and crm_service installed: the sales board's pipeline, plans,
    intelligence from other companies and feedback, and the service board's cases, SLA
    and satisfaction, each scoped like the rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        stages = cls.env["crm.stage"].search([("is_won", "=", False)], order="sequence", limit=2)
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.stage_1, cls.stage_2 = stages
        common = {"type": "opportunity", "company_id": cls.company.id}
        cls.lead_a1 = Lead.create(
            {
                **common,
                "name": "A1",
                "user_id": cls.sales_a.id,
                "stage_id": cls.stage_1.id,
                "partner_id": cls.new_a[0].id,
                "expected_revenue": 100,
            }
        )
        cls.lead_a2 = Lead.create(
            {
                **common,
                "name": "A2",
                "user_id": cls.sales_a.id,
                "stage_id": cls.stage_2.id,
                "partner_id": cls.new_a[1].id,
                "expected_revenue": 200,
            }
        )
        cls.lead_sub_won = Lead.create(
            {
                **common,
                "name": "Sub Won",
                "user_id": cls.sales_sub.id,
                "stage_id": cls.won_stage.id,
                "partner_id": cls.new_a[0].id,
            }
        )
        cls.lead_other = Lead.create(
            {**common, "name": "Other", "user_id": cls.sales_other.id, "stage_id": cls.stage_1.id}
        )
        today = cls.today
        Intel = cls.env["crm.market.intel"].sudo()  # sudo: fixtures authored by others
        # recorded in HQ by the branch's salesperson: it developed two HQ department leads
        cls.intel_branch = Intel.create(
            {
                "name": "Rival cuts prices",
                "date": today,
                "company_id": cls.company.id,
                "user_id": cls.sales_branch.id,
                "opportunity_ids": [Command.set((cls.lead_a1 | cls.lead_sub_won | cls.lead_other).ids)],
            }
        )
        # recorded by an HQ salesperson: not another company's
        cls.intel_own = Intel.create(
            {
                "name": "Trade fair",
                "date": today,
                "company_id": cls.company.id,
                "user_id": cls.sales_a.id,
                "opportunity_ids": [Command.set(cls.lead_a2.ids)],
            }
        )
        cls.target = (
            cls.env["crm.sales.target"]
            .sudo()
            .create(
                {
                    "period_type": "annual",
                    "year": today.year,
                    "level": "user",
                    "user_id": cls.sales_a.id,
                    "company_id": cls.company.id,
                    "measure": "order",
                    "amount": 4000.0,
                }
            )
        )
        cls.plan = (
            cls.env["crm.daily.plan"]
            .with_user(cls.sales_a)
            .create(
                {
                    "date": today,
                    "company_id": cls.company.id,
                    "line_ids": [
                        Command.create({"kind": "call", "description": "Call A1", "result": "positive"}),
                        Command.create({"kind": "visit", "description": "Visit A2"}),
                    ],
                }
            )
        )
        # customer service: a department of agents in HQ, a team, cases, ratings
        cls.service_department = cls.env["hr.department"].create({"name": "Call Centre", "company_id": cls.company.id})
        cls.agent = new_staff_user(cls.env, "dss_agent", "crm_service.group_crm_service_user", cls.service_department)
        cls.agent_2 = new_staff_user(
            cls.env, "dss_agent_2", "crm_service.group_crm_service_user", cls.service_department
        )
        # the service department's manager, who opens its cases
        cls.service_manager = new_staff_user(
            cls.env,
            "dss_service_manager",
            "crm_dss.group_crm_dss_manager,crm_service.group_crm_service_manager",
            cls.service_department,
        )
        cls.team = cls.env["crm.service.team"].sudo().create({"name": "Hotline", "company_id": cls.company.id})
        Case = cls.env["crm.service.case"].sudo()  # sudo: the agents' cases, as the call centre records them
        complaint = cls.env.ref("crm_service.crm_service_case_type_complaint")
        repair = cls.env.ref("crm_service.crm_service_case_type_repair")

        def case(subject, agent, kind, partner=None):
            return Case.create(
                {
                    "subject": subject,
                    "partner_id": (partner or cls.new_a[0]).id,
                    "user_id": agent.id,
                    "team_id": cls.team.id,
                    "type_id": kind.id,
                    "company_id": cls.company.id,
                }
            )

        cls.case_met = case("Met", cls.agent, repair)
        cls.case_breached = case("Breached", cls.agent, complaint)
        cls.case_open = case("Open", cls.agent_2, complaint, cls.customer)
        cls.case_met.action_solve()
        cls.case_breached.action_solve()
        # the clock's outcome, as the SLA check would set it
        cls.case_met.sudo().write({"sla_resolution_status": "met", "sla_response_status": "met"})
        cls.case_breached.sudo().write({"sla_resolution_status": "breached", "sla_response_status": "breached"})
        model = cls.env["ir.model"]._get("crm.service.case")
        cls.env["rating.rating"].sudo().create(
            [
                {
                    "res_model_id": model.id,
                    "res_id": cls.case_met.id,
                    "rating": 5,
                    "consumed": True,
                    "partner_id": cls.new_a[0].id,
                },
                {
                    "res_model_id": model.id,
                    "res_id": cls.case_breached.id,
                    "rating": 1,
                    "consumed": True,
                    "partner_id": cls.new_a[0].id,
                },
            ]
        )

    def test_sales_board_of_the_manager(self):
        # a sales manager with Sales rights: the pipeline's drill-downs open the leads
        self.manager.groups_id = [Command.link(self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        result = self._board(self.manager, "sales")
        pipeline = next(chart for chart in self._section(result, "progress")["charts"] if chart["key"] == "pipeline")
        counts = dict(zip(pipeline["labels"], pipeline["datasets"][0]["data"], strict=True))
        self.assertEqual(counts, {self.stage_1.name: 1, self.stage_2.name: 1})  # not the won one, not Export's
        self.assertEqual(self.env["crm.lead"].search(pipeline["actions"][0]["domain"]), self.lead_a1)

        plans = self._kpis(result, "plans")
        self.assertEqual(plans["daily_plan_completion"], 50.0)
        self.assertGreater(self.target.amount, 0)
        self.assertEqual(plans["target_order"], round(100 * self.target.achieved_amount / 4000.0, 1))

        intel = self._section(result, "intel_customers")
        self.assertEqual(
            self._kpis(result, "intel_customers"), {"intel_leads": 2, "intel_customers": 1, "intel_won": 1}
        )
        self.assertEqual(
            self.env["crm.lead"].search(intel["kpis"][0]["action"]["domain"]), self.lead_a1 | self.lead_sub_won
        )
        self.assertEqual([row["name"] for row in intel["tables"][0]["rows"]], [self.company_2.name])

        feedback = self._kpis(result, "feedback")
        # complaints of the department's customers (new_a belongs to sales_a), intelligence of its staff
        self.assertEqual((feedback["complaints"], feedback["complaints_open"]), (1, 0))
        self.assertEqual(feedback["intel_recorded"], 1)
        rows = self._section(result, "feedback")["tables"][0]["rows"]
        self.assertEqual([row["name"] for row in rows], ["Trade fair"])

    def test_sales_board_of_the_executive(self):
        result = self._board(self.executive, "sales", company_ids=self.companies.ids)
        pipeline = next(chart for chart in self._section(result, "progress")["charts"] if chart["key"] == "pipeline")
        self.assertEqual(sum(pipeline["datasets"][0]["data"]), 3)
        self.assertEqual(self._kpis(result, "intel_customers")["intel_leads"], 3)
        self.assertEqual(self._kpis(result, "feedback")["complaints"], 2)
        result = self._board(self.executive_2, "sales")
        self.assertEqual(self._kpis(result, "intel_customers")["intel_leads"], 0)
        self.assertEqual(self._kpis(result, "feedback")["complaints"], 0)

    def test_customer_board_shows_plans_and_feedback(self):
        result = self._board(self.manager, "customer")
        self.assertEqual(self._kpis(result, "plans")["daily_plan_completion"], 50.0)
        self.assertEqual(self._kpis(result, "feedback")["complaints"], 1)

    def test_service_board_of_the_service_manager(self):
        result = self._board(self.service_manager, "service")
        self.assertNotIn("notice", result)
        self.assertEqual(self._kpis(result, "cases"), {"opened": 3, "closed": 2, "open": 1})
        sla = self._kpis(result, "sla")
        self.assertEqual(
            sla, {"resolution_met": 1, "resolution_breached": 1, "response_breached": 1, "sla_met_rate": 50.0}
        )
        self.assertEqual(self._kpis(result, "satisfaction"), {"satisfied_rate": 50.0, "ratings": 2})
        tables = {table["key"]: table for table in self._section(result, "cases")["tables"]}
        agents = {row["name"]: (row["cases"], row["breached"]) for row in tables["agents"]["rows"]}
        self.assertEqual(agents, {self.agent.name: (2, 1), self.agent_2.name: (1, 0)})
        self.assertEqual([(row["name"], row["cases"]) for row in tables["teams"]["rows"]], [("Hotline", 3)])
        drill = self._section(result, "sla")["kpis"][1]["action"]
        self.assertEqual(self.env["crm.service.case"].sudo().search(drill["domain"]), self.case_breached)

    def test_service_board_of_other_scopes(self):
        # the sales manager's department has no agents: no cases
        self.assertEqual(self._kpis(self._board(self.manager, "service"), "cases")["opened"], 0)
        result = self._board(self.executive, "service", company_ids=self.companies.ids)
        self.assertEqual(self._kpis(result, "cases")["opened"], 3)
        result = self._board(self.executive_2, "service")
        self.assertEqual(self._kpis(result, "cases")["opened"], 0)
        self.assertEqual(self._kpis(result, "satisfaction")["ratings"], 0)
        with self.assertRaises(AccessError):
            self._board(self.service_manager, "service", department_id=self.department.id)

    def test_agents_salespeople_and_portal_are_refused_over_rpc(self):
        for user in (self.agent, self.sales_a, self.portal_user):
            for board in ("sales", "service"):
                with self.subTest(user=user.login, board=board), self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.dashboard", "get_department_dashboard", board)

    def test_query_count_stays_the_same_with_more_cases(self):
        def count():
            self._board(self.executive, "service", company_ids=self.companies.ids)
            self._board(self.manager, "sales")
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._board(self.executive, "service", company_ids=self.companies.ids)
            self._board(self.manager, "sales")
            return self.env.cr.sql_log_count - before

        small = count()
        complaint = self.env.ref("crm_service.crm_service_case_type_complaint")
        self.env["crm.service.case"].sudo().create(
            [
                {
                    "subject": f"Case {i}",
                    "partner_id": self.new_a[i % 2].id,
                    "user_id": (self.agent, self.agent_2)[i % 2].id,
                    "team_id": self.team.id,
                    "type_id": complaint.id,
                    "company_id": self.company.id,
                }
                for i in range(60)
            ]
        )
        self.env["crm.lead"].create(
            [
                {
                    "name": f"Lead {i}",
                    "type": "opportunity",
                    "user_id": self.sales_a.id,
                    "company_id": self.company.id,
                    "stage_id": self.stage_1.id,
                }
                for i in range(60)
            ]
        )
        self.assertLessEqual(count(), small)
        self.assertLessEqual(small, 60)
