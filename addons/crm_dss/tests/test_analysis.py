from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw

from .common import CrmDssCommon


@tagged("post_install", "-at_install")
class TestAnalysis(CrmDssCommon):
    """The analysis board's figures on ``CrmDssCommon``'s orders and invoices, per role.

    The period covers the last 90 days: the overdue invoices (dated 60 days ago) are in it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.customer)
        cls.period = {
            "date_from": fields.Date.to_string(cls.today - timedelta(days=90)),
            "date_to": fields.Date.to_string(cls.today),
        }

    def _analysis(self, user, companies=None):
        Analysis = self.env["crm.dss.analysis"].with_user(user)
        if companies is not None:
            Analysis = Analysis.with_context(allowed_company_ids=companies.ids)
        return Analysis.get_analysis(companies.ids if companies else None, **self.period)

    @staticmethod
    def _section(board, key):
        return next(section for section in board["sections"] if section["key"] == key)

    def _table(self, board, section, key):
        table = next(table for table in self._section(board, section)["tables"] if table["key"] == key)
        return {row["key"]: row for row in table["rows"]}

    def test_contract_shape(self):
        board = self._analysis(self.executive, self.companies)
        self.assertEqual(board["title"], "Analysis")
        self.assertEqual(board["company_ids"], sorted(self.companies.ids))
        self.assertEqual(board["date_to"], self.period["date_to"])
        self.assertIn("symbol", board["currency"])
        keys = [section["key"] for section in board["sections"]]
        service = ["satisfaction"] if "crm.service.case" in self.env else []  # with Customer Service only
        self.assertEqual(keys, [*service, "appraisal", "region"])
        for section in board["sections"]:
            self.assertEqual(set(section), {"key", "title", "kpis", "charts", "tables"})
            for table in section["tables"]:
                self.assertTrue({"key", "label", "format"} <= set(table["columns"][0]))
            for chart in section["charts"]:
                self.assertEqual(len(chart["labels"]), len(chart["datasets"][0]["data"]))

    def test_executive_appraisal_per_salesperson(self):
        rows = self._table(self._analysis(self.executive, self.companies), "appraisal", "appraisal_user")
        figures = {
            user: (
                rows[user.id]["orders_amount"],
                rows[user.id]["invoiced"],
                rows[user.id]["collected"],
                rows[user.id]["overdue"],
                rows[user.id]["signed_customers"],
            )
            for user in self.company_salespeople | self.sales_branch
        }
        self.assertEqual(
            figures,
            {
                self.sales_a: (1000.0, 500.0, 0.0, 500.0, 1),
                self.sales_b: (2000.0, 250.0, 100.0, 0.0, 0),
                self.sales_sub: (4000.0, 0.0, 0.0, 0.0, 0),
                self.sales_other: (8000.0, 700.0, 0.0, 700.0, 0),
                self.sales_branch: (16000.0, 900.0, 0.0, 900.0, 1),
            },
        )

    def test_executive_appraisal_per_company_and_department(self):
        board = self._analysis(self.executive, self.companies)
        companies = self._table(board, "appraisal", "appraisal_company")
        self.assertEqual(companies[self.company.id]["orders_amount"], 15000.0)
        self.assertEqual(companies[self.company.id]["overdue"], 1200.0)
        self.assertEqual(companies[self.company_2.id]["orders_amount"], 16000.0)
        departments = self._table(board, "appraisal", "appraisal_department")
        self.assertEqual(departments[self.department.id]["orders_amount"], 3000.0)
        self.assertEqual(departments[self.department.id]["overdue"], 500.0)
        self.assertEqual(departments[self.sub_department.id]["orders_amount"], 4000.0)
        self.assertEqual(departments[self.other_department.id]["orders_amount"], 8000.0)
        self.assertEqual(departments[self.department_2.id]["orders_amount"], 16000.0)

    def test_manager_sees_their_department_only(self):
        board = self._analysis(self.manager)
        rows = self._table(board, "appraisal", "appraisal_user")
        self.assertEqual(set(rows) - {0}, set((self.department_salespeople).ids) & set(rows))
        self.assertNotIn(self.sales_other.id, rows)
        self.assertNotIn(self.sales_branch.id, rows)
        self.assertEqual(self._table(board, "appraisal", "appraisal_company")[self.company.id]["orders_amount"], 7000.0)
        region = self._table(board, "region", "region")
        self.assertEqual(sum(row["orders_amount"] for row in region.values()), 7000.0)

    def test_region_and_trend(self):
        board = self._analysis(self.executive, self.company)
        region = self._table(board, "region", "region")
        self.assertEqual(list(region), ["0-0"])  # Northwind has no country
        self.assertEqual(region["0-0"]["orders"], 4)
        self.assertEqual(region["0-0"]["orders_amount"], 15000.0)
        self.assertEqual(region["0-0"]["average_order"], 3750.0)
        section = self._section(board, "region")
        trend = next(chart for chart in section["charts"] if chart["key"] == "orders_trend")
        self.assertEqual(len(trend["labels"]), 15)
        self.assertEqual(trend["datasets"][0]["data"][11], 15000.0)
        self.assertEqual(trend["datasets"][0]["data"][:11], [0.0] * 11)
        self.assertEqual(trend["labels"][11], self.today.strftime("%Y-%m"))
        kpis = {kpi["key"]: kpi for kpi in section["kpis"]}
        # 11 empty months then 15 000: the line rises; the holdout's two empty months are skipped
        self.assertGreater(kpis["forecast_next"]["value"], 0.0)
        self.assertEqual(kpis["forecast_mape"]["value"], 100.0)

    def test_readers_for_the_decision_report(self):
        scope = (
            self.env["crm.dss.scope"]
            .with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
            ._dss_scope(self.companies.ids)
        )
        Analysis = self.env["crm.dss.analysis"]
        start, end = self.today - timedelta(days=90), self.today
        satisfaction = Analysis._dss_satisfaction(scope, start, end, group_by="department")
        if "crm.service.case" not in self.env:  # with it: crm_suite_tests' test_dss_analysis
            self.assertEqual(satisfaction["rows"], [])
            self.assertIn("Customer Service", satisfaction["note"])
        self.assertEqual([c["key"] for c in satisfaction["columns"]], ["name", "rated", "satisfied", "satisfied_rate"])
        appraisal = Analysis._dss_appraisal(scope, start, end, group_by="company")
        self.assertEqual({row["key"] for row in appraisal["rows"]}, set(self.companies.ids))
        with self.assertRaises(ValueError):
            Analysis._dss_appraisal(scope, start, end, group_by="planet")

    def test_bad_period(self):
        with self.assertRaises(UserError):
            self.env["crm.dss.analysis"].with_user(self.executive).get_analysis(date_from="yesterday")
        with self.assertRaises(UserError):
            self.env["crm.dss.analysis"].with_user(self.executive).get_analysis(
                date_from="2026-12-31", date_to="2026-01-01"
            )

    def test_second_company_executive_sees_only_the_branch(self):
        board = self._analysis(self.executive_2)
        self.assertEqual(board["company_ids"], self.company_2.ids)
        rows = self._table(board, "appraisal", "appraisal_user")
        self.assertNotIn(self.sales_a.id, rows)
        with self.assertRaises(AccessError):
            self.env["crm.dss.analysis"].with_user(self.executive_2).get_analysis(self.company.ids)

    def test_salesperson_and_portal_are_refused(self):
        for user in (self.sales_a, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.dss.analysis"].with_user(user).get_analysis()

    def test_call_kw_attacks(self):
        for user in (self.sales_a, self.portal_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.analysis", "get_analysis", self.company.ids)
                for private in ("_dss_satisfaction", "_dss_appraisal", "_dss_section_region"):
                    with self.assertRaises(AccessError):
                        call_kw(user, "crm.dss.analysis", private, None, None, None)
        # a manager cannot widen their scope to the other company
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.dss.analysis", "get_analysis", self.company_2.ids)


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestAnalysisQueries(CrmDssCommon):
    """The board reads in a fixed number of queries, whatever the number of orders."""

    def test_query_count_does_not_grow_with_orders(self):
        Analysis = (
            self.env["crm.dss.analysis"].with_user(self.executive).with_context(allowed_company_ids=self.companies.ids)
        )
        # the satisfaction, targets and won/lost readers of the other add-ons add their queries
        ceiling = 27 if "crm.service.case" in self.env else 22
        Analysis.get_analysis(self.companies.ids)
        self.env.invalidate_all()
        with self.assertQueryCount(ceiling):
            Analysis.get_analysis(self.companies.ids)
        for _index in range(50):
            self._confirm_order(self.sales_a, 10.0)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(ceiling):
            board = Analysis.get_analysis(self.companies.ids)
        appraisal = next(section for section in board["sections"] if section["key"] == "appraisal")
        rows = {row["key"]: row for row in appraisal["tables"][0]["rows"]}
        self.assertEqual(rows[self.sales_a.id]["orders_amount"], 1500.0)
