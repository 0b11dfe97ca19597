from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_dss.tests.common import CrmDssCommon


@tagged("post_install", "-at_install")
class TestDssAnalysisSuite(CrmDssCommon):
    """The analysis with Customer Service, Sales Force Automation and CRM installed:
    satisfaction per branch and department, target completion and won/lost leads in the
    appraisal, cases and SLA breaches by region."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.customer)
        cls.period = {
            "date_from": fields.Date.to_string(cls.today - timedelta(days=90)),
            "date_to": fields.Date.to_string(cls.today),
        }
        env = cls.env(su=True)  # the fixtures' author runs the service desk and the sales targets too
        Case = env["crm.service.case"]
        cases_a = Case.create(
            [
                {"subject": f"Case A{index}", "partner_id": cls.customer.id, "user_id": cls.sales_a.id}
                for index in range(3)
            ]
        )
        case_other = Case.create({"subject": "Case O", "partner_id": cls.customer.id, "user_id": cls.sales_other.id})
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_service_case SET sla_resolution_status = 'breached' WHERE id = %s", [cases_a[0].id]
        )
        for case, value in ((cases_a[0], 5), (cases_a[1], 2), (case_other, 4)):
            env["rating.rating"].create(
                {
                    "res_model_id": env["ir.model"]._get_id("crm.service.case"),
                    "res_id": case.id,
                    "partner_id": cls.customer.id,
                    "rating": value,
                    "consumed": True,
                }
            )
        # not given yet: does not count
        env["rating.rating"].create(
            {
                "res_model_id": env["ir.model"]._get_id("crm.service.case"),
                "res_id": cases_a[2].id,
                "partner_id": cls.customer.id,
                "rating": 0,
                "consumed": False,
            }
        )
        cls.target = env["crm.sales.target"].create(
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
        Lead = env["crm.lead"]
        won = Lead.create({"name": "Won deal", "type": "opportunity", "user_id": cls.sales_a.id})
        won.action_set_won()
        lost = Lead.create({"name": "Lost deal", "type": "opportunity", "user_id": cls.sales_a.id})
        lost.action_set_lost()
        cls.env.flush_all()

    def _board(self, user, companies=None):
        Analysis = self.env["crm.dss.analysis"].with_user(user)
        if companies:
            Analysis = Analysis.with_context(allowed_company_ids=companies.ids)
        return Analysis.get_analysis(companies.ids if companies else None, **self.period)

    @staticmethod
    def _table(board, section_key, table_key):
        section = next(section for section in board["sections"] if section["key"] == section_key)
        table = next(table for table in section["tables"] if table["key"] == table_key)
        return {row["key"]: row for row in table["rows"]}

    def test_satisfaction_per_branch_and_department(self):
        board = self._board(self.executive, self.companies)
        self.assertEqual(board["sections"][0]["key"], "satisfaction")
        companies = self._table(board, "satisfaction", "satisfaction_company")
        self.assertEqual((companies[self.company.id]["rated"], companies[self.company.id]["satisfied"]), (3, 2))
        self.assertEqual(companies[self.company.id]["satisfied_rate"], 66.67)
        departments = self._table(board, "satisfaction", "satisfaction_department")
        self.assertEqual(departments[self.department.id]["satisfied_rate"], 50.0)
        self.assertEqual(departments[self.other_department.id]["satisfied_rate"], 100.0)
        kpis = {kpi["key"]: kpi for kpi in board["sections"][0]["kpis"]}
        self.assertEqual(kpis["rated"]["value"], 3)
        ratings = self.env["rating.rating"].search(kpis["rated"]["action"]["domain"])
        self.assertEqual(len(ratings.filtered(lambda r: r.res_model == "crm.service.case")), 3)

    def test_manager_satisfaction_is_their_department(self):
        companies = self._table(self._board(self.manager), "satisfaction", "satisfaction_company")
        self.assertEqual((companies[self.company.id]["rated"], companies[self.company.id]["satisfied"]), (2, 1))

    def test_appraisal_with_target_leads_and_satisfaction(self):
        rows = self._table(self._board(self.executive, self.companies), "appraisal", "appraisal_user")
        row = rows[self.sales_a.id]
        self.target.invalidate_recordset()
        self.assertAlmostEqual(row["target_completion"], round(self.target.achieved_amount / 40.0, 2))
        self.assertEqual((row["won"], row["lost"]), (1, 1))
        self.assertEqual(row["satisfied_rate"], 50.0)
        self.assertIsNone(rows[self.sales_other.id]["target_completion"])

    def test_cases_and_sla_breaches_by_region(self):
        region = self._table(self._board(self.executive, self.company), "region", "region")
        self.assertEqual(region["0-0"]["cases"], 4)
        self.assertEqual(region["0-0"]["sla_breached_rate"], 25.0)

    def test_decision_report_readers(self):
        scope = (
            self.env["crm.dss.scope"]
            .with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
            ._dss_scope(self.companies.ids)
        )
        start, end = self.today - timedelta(days=90), self.today
        table = self.env["crm.dss.analysis"]._dss_satisfaction(scope, start, end, group_by="company")
        self.assertEqual([row["rated"] for row in table["rows"] if row["key"] == self.company.id], [3])
        appraisal = self.env["crm.dss.analysis"]._dss_appraisal(scope, start, end, group_by="department")
        self.assertIn("satisfied_rate", [column["key"] for column in appraisal["columns"]])
