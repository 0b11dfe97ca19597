from odoo import Command
from odoo.tests import tagged

from odoo.addons.crm_dss.tests.test_dashboard import CrmDssDashboardCommon


@tagged("post_install", "-at_install")
class TestDssDashboardSections(CrmDssDashboardCommon):
    """With crm_sfa installed the executive dashboard shows annual targets, today's work
    plans and the latest market intelligence, each scoped like the rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.target = cls.env["crm.sales.target"].create(
            {
                "period_type": "annual",
                "year": cls.today.year,
                "level": "company",
                "company_id": cls.company.id,
                "measure": "order",
                "amount": 30000.0,
            }
        )
        cls.target_user = cls.env["crm.sales.target"].create(
            {
                "period_type": "annual",
                "year": cls.today.year,
                "level": "user",
                "user_id": cls.sales_a.id,
                "company_id": cls.company.id,
                "measure": "order",
                "amount": 4000.0,
            }
        )
        cls.plan = (
            cls.env["crm.daily.plan"]
            .with_user(cls.sales_a)
            .create(
                {
                    "date": cls.today,
                    "line_ids": [
                        Command.create({"kind": "call", "partner_id": cls.customer.id, "description": "Call"}),
                        Command.create({"kind": "visit", "partner_id": cls.customer.id, "description": "Visit"}),
                    ],
                }
            )
        )
        cls.plan.sudo().line_ids[0].write({"done": True, "result": "positive"})
        cls.plan_other = cls.env["crm.daily.plan"].with_user(cls.sales_other).create({"date": cls.today})
        cls.intel = cls.env["crm.market.intel"].create(
            {
                "name": "Competitor lowers prices",
                "date": cls.today,
                "company_id": cls.company.id,
                "user_id": cls.sales_a.id,
            }
        )
        cls.intel_branch = cls.env["crm.market.intel"].create(
            {"name": "Branch trade fair", "date": cls.today, "company_id": cls.company_2.id}
        )
        cls.env.flush_all()

    def test_executive_sees_annual_target_completion_of_companies(self):
        board = self._dashboard(self.executive, self.companies)
        values = self._values(board)
        self.target.invalidate_recordset()
        self.assertEqual(values["target_amount"], 30000.0)
        self.assertAlmostEqual(values["target_completion"], self.target.achieved_amount / 300.0)
        drill = self._kpis(board)["target_completion"]["action"]
        self.assertEqual(self.env["crm.sales.target"].search(drill["domain"]), self.target)

    def test_manager_sees_targets_of_their_salespeople(self):
        values = self._values(self._dashboard(self.manager))
        self.assertEqual(values["target_amount"], 4000.0)

    def test_daily_work_today(self):
        board = self._dashboard(self.executive, self.companies)
        values = self._values(board)
        self.assertEqual(values["daily_plans"], 2)
        self.assertEqual((values["daily_planned"], values["daily_done"]), (2, 1))
        self.assertEqual(values["daily_completion"], 50.0)
        drill = self._kpis(board)["daily_plans"]["action"]
        self.assertEqual(self.env["crm.daily.plan"].search(drill["domain"]), self.plan | self.plan_other)
        manager_values = self._values(self._dashboard(self.manager))
        self.assertEqual(manager_values["daily_plans"], 1)  # sales_other is in another department

    def test_latest_market_intelligence(self):
        board = self._dashboard(self.executive, self.companies)
        table = self._section(board, "market_intel")["tables"][0]
        self.assertEqual({row["name"] for row in table["rows"]}, {"Competitor lowers prices", "Branch trade fair"})
        branch_rows = self._section(self._dashboard(self.executive_2), "market_intel")["tables"][0]["rows"]
        self.assertEqual([row["name"] for row in branch_rows], ["Branch trade fair"])
        kpi = self._kpis(board)["market_intel"]
        self.assertEqual(self._drill_count(kpi["action"], self.companies), kpi["value"])
