from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common import CrmDssCommon


class CrmDssDashboardCommon(CrmDssCommon):
    """The fixtures of ``CrmDssCommon`` plus follow-ups: an overdue activity of ``sales_a``
    (Sales department) and of ``sales_other`` (Export) on the customer, and one activity
    ``sales_a`` marked done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.customer)
        yesterday = cls.today - timedelta(days=1)
        cls.activity_a = cls.customer.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=yesterday, user_id=cls.sales_a.id
        )
        cls.activity_other = cls.customer.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=yesterday, user_id=cls.sales_other.id
        )
        done = cls.customer.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=cls.today, user_id=cls.sales_a.id
        )
        done.with_user(cls.sales_a).sudo().action_feedback("Called back")
        # the last 90 days: every invoice of the fixtures falls in it
        cls.period = (fields.Date.to_string(cls.today - timedelta(days=90)), fields.Date.to_string(cls.today))

    def _dashboard(self, user, companies=None, period=None):
        Dashboard = self.env["crm.dss.dashboard"].with_user(user)
        if companies:
            Dashboard = Dashboard.with_context(allowed_company_ids=companies.ids)
        date_from, date_to = period or self.period
        return Dashboard.get_executive_dashboard(companies.ids if companies else None, date_from, date_to)

    @staticmethod
    def _section(board, key):
        return next(section for section in board["sections"] if section["key"] == key)

    def _kpis(self, board):
        return {kpi["key"]: kpi for section in board["sections"] for kpi in section["kpis"]}

    def _values(self, board):
        return {key: kpi["value"] for key, kpi in self._kpis(board).items()}

    def _company_rows(self, board):
        table = self._section(board, "overview")["tables"][0]
        return {row["company"]: row for row in table["rows"]}

    def _drill_count(self, drill, companies):
        Model = self.env[drill["res_model"]].sudo().with_context(allowed_company_ids=companies.ids, active_test=True)
        return Model.search_count(drill["domain"])


@tagged("post_install", "-at_install")
class TestCrmDssDashboard(CrmDssDashboardCommon):
    """The executive dashboard's figures are those of the records behind them, per role."""

    def test_executive_of_two_companies_sees_both(self):
        board = self._dashboard(self.executive, self.companies)
        self.assertEqual(board["company_ids"], sorted(self.companies.ids))
        values = self._values(board)
        self.assertEqual(values["invoiced"], 2350.0)  # 500 + 300 - 50 + 700 (HQ) + 900 (branch)
        self.assertEqual(values["collected"], 100.0)
        self.assertEqual(values["outstanding"], 2250.0)
        self.assertEqual(values["overdue"], 2100.0)
        self.assertEqual(values["signed_customers"], 1)  # one customer, first order with each company
        self.assertEqual(values["follow_ups_overdue"], 2)
        self.assertEqual(values["follow_ups_done"], 1)
        self.assertEqual(values["income"], 2350.0)
        self.assertEqual(values["expenses"], 222.0)
        self.assertEqual(values["profit"], 2128.0)
        rows = self._company_rows(board)
        hq, branch = rows[self.company.name], rows[self.company_2.name]
        self.assertEqual(
            (hq["invoiced"], hq["outstanding"], hq["overdue"], hq["signed_customers"]), (1450.0, 1350.0, 1200.0, 1)
        )
        self.assertEqual(
            (branch["invoiced"], branch["outstanding"], branch["overdue"], branch["signed_customers"]),
            (900.0, 900.0, 900.0, 1),
        )
        ageing = next(c for c in self._section(board, "receivables")["charts"] if c["key"] == "ageing")
        self.assertEqual(ageing["datasets"][0]["data"], [2100.0, 0.0, 0.0, 0.0])  # 30 days overdue

    def test_executive_of_branch_sees_only_branch(self):
        board = self._dashboard(self.executive_2)
        self.assertEqual(board["company_ids"], self.company_2.ids)
        values = self._values(board)
        self.assertEqual((values["invoiced"], values["outstanding"], values["overdue"]), (900.0, 900.0, 900.0))
        self.assertEqual((values["follow_ups_overdue"], values["follow_ups_done"]), (0, 0))
        self.assertEqual(list(self._company_rows(board)), [self.company_2.name])

    def test_executive_of_branch_cannot_ask_for_hq(self):
        with self.assertRaises(AccessError):
            self.env["crm.dss.dashboard"].with_user(self.executive_2).get_executive_dashboard(self.company.ids)

    def test_manager_sees_figures_of_their_department_only(self):
        board = self._dashboard(self.manager)
        self.assertEqual(board["company_ids"], self.company.ids)
        values = self._values(board)
        # sales_a, sales_b, sales_sub: 500 + 300 - 50 invoiced, 100 paid, 500 overdue
        self.assertEqual(values["invoiced"], 750.0)
        self.assertEqual(values["collected"], 100.0)
        self.assertEqual(values["outstanding"], 650.0)
        self.assertEqual(values["overdue"], 500.0)
        self.assertEqual(values["signed_customers"], 1)
        self.assertEqual(values["follow_ups_overdue"], 1)  # sales_a's, not sales_other's
        self.assertEqual(values["follow_ups_done"], 1)
        self.assertEqual(values["income"], 750.0)

    def test_manager_cannot_ask_for_the_branch(self):
        with self.assertRaises(AccessError):
            self.env["crm.dss.dashboard"].with_user(self.manager).get_executive_dashboard(self.company_2.ids)

    def test_salesperson_and_portal_are_refused(self):
        for user in (self.sales_a, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.dss.dashboard"].with_user(user).get_executive_dashboard()

    def test_drill_domains_find_the_counted_records(self):
        for user, companies in ((self.executive, self.companies), (self.manager, self.company)):
            board = self._dashboard(user, companies)
            kpis = self._kpis(board)
            for key in ("new_customers", "signed_customers", "follow_ups_done", "follow_ups_overdue"):
                with self.subTest(user=user.login, kpi=key):
                    self.assertEqual(self._drill_count(kpis[key]["action"], companies), kpis[key]["value"])
        kpis = self._kpis(self._dashboard(self.executive, self.companies))
        self.assertIn(self.customer, self.env["res.partner"].search(kpis["signed_customers"]["action"]["domain"]))
        self.assertIn(self.customer, self.env["res.partner"].search(kpis["new_customers"]["action"]["domain"]))
        activities = self.env["mail.activity"].search(kpis["follow_ups_overdue"]["action"]["domain"])
        self.assertEqual(activities, self.activity_a | self.activity_other)

    def test_receivable_drills_sum_to_the_figures(self):
        board = self._dashboard(self.executive, self.companies)
        kpis = self._kpis(board)
        Line = self.env["account.move.line"].with_context(allowed_company_ids=self.companies.ids)
        for key in ("outstanding", "overdue"):
            lines = Line.search(kpis[key]["action"]["domain"])
            self.assertAlmostEqual(sum(lines.mapped("amount_residual")), kpis[key]["value"])
        invoices = self.env["account.move"].search(kpis["invoiced"]["action"]["domain"])
        self.assertEqual(sum(invoices.mapped("amount_total_signed")), kpis["invoiced"]["value"])
        ageing = next(c for c in self._section(board, "receivables")["charts"] if c["key"] == "ageing")
        first_bucket = Line.search(ageing["actions"][0]["domain"])
        self.assertEqual(first_bucket.move_id, self.invoice_a | self.invoice_other | self.invoice_branch)

    def test_default_period_is_this_month(self):
        board = self._dashboard(self.executive, self.companies, period=(None, None))
        self.assertEqual(board["date_from"], fields.Date.to_string(self.today.replace(day=1)))
        self.assertEqual(self._values(board)["invoiced"], 250.0)  # the not-due invoice and the refund

    def test_bad_period_is_refused_with_a_clear_error(self):
        for period in (("2026-12-31", "2026-01-01"), ("yesterday", "2026-01-01")):
            with self.subTest(period=period), self.assertRaises(UserError):
                self._dashboard(self.executive, self.companies, period=period)

    def test_every_chart_bar_has_a_drill(self):
        board = self._dashboard(self.executive, self.companies)
        for section in board["sections"]:
            for chart in section["charts"]:
                with self.subTest(chart=chart["key"]):
                    self.assertEqual(len(chart["actions"]), len(chart["labels"]))
                    for dataset in chart["datasets"]:
                        self.assertEqual(len(dataset["data"]), len(chart["labels"]))
        self.assertEqual(len(self._section(board, "finance")["charts"][0]["labels"]), 12)


@tagged("post_install", "-at_install")
class TestCrmDssDashboardRpc(CrmDssDashboardCommon):
    """Over RPC, only decision-level users get figures."""

    def test_public_methods_refuse_salesperson_and_portal(self):
        methods = {method for model, method in public_methods(self.env, "crm_dss") if model == "crm.dss.dashboard"}
        self.assertIn("get_executive_dashboard", methods)
        # the department boards (get_department_dashboard) take the board first
        arguments = {"get_department_dashboard": ("sales",)}
        for user in (self.sales_a, self.portal_user):
            for method in sorted(methods):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.dashboard", method, *arguments.get(method, ()))

    def test_private_readers_are_not_callable(self):
        for method in ("_dss_period", "_dss_rates", "_dss_section_customers"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.dashboard", method)

    def test_executive_gets_the_dashboard_over_rpc(self):
        board = call_kw(self.executive, "crm.dss.dashboard", "get_executive_dashboard", self.companies.ids)
        self.assertEqual(board["company_ids"], sorted(self.companies.ids))
