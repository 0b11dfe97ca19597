from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from ..lib import forecast
from .common_market import TODAY, CrmMarketingMarketCommon

MY_MODELS = (
    "crm.marketing.analysis",
    "crm.marketing.forecast",
    "crm.marketing.revenue.change",
    "crm.marketing.revenue.change.line",
)


@tagged("post_install", "-at_install")
class TestForecast(CrmMarketingMarketCommon):
    """The stored history and forecast per company and segment, and who may see and recompute it."""

    def _recompute(self, user, companies=None):
        with freeze_time(TODAY):
            return call_kw(
                user,
                "crm.marketing.forecast",
                "action_recompute",
                context={"allowed_company_ids": (companies or user.company_id).ids},
            )

    def _rows(self, company):
        return self.env["crm.marketing.forecast"].search([("company_id", "=", company.id)])

    def test_rows_of_the_series(self):
        self._recompute(self.manager)
        rows = self._rows(self.company)
        self.assertFalse(self._rows(self.company_2), "the manager's companies only")
        alpha_class, beta_class = self._score(self.alpha), self._score(self.beta)
        self.assertNotEqual(alpha_class, beta_class)
        alpha = rows.filtered(lambda row: row.rfm_class == alpha_class)
        actual = alpha.filtered(lambda row: row.kind == "actual")
        # from the segment's first month to the last complete one, months without revenue at zero
        self.assertEqual(
            [(row.date, row.amount) for row in actual],
            [(date(2026, 1, 1), 1300), (date(2026, 2, 1), 0), (date(2026, 3, 1), 200)],
        )
        predicted = alpha.filtered(lambda row: row.kind == "forecast")
        self.assertEqual(predicted.mapped("date"), [date(2026, month, 1) for month in range(4, 10)])
        expected = forecast.forecast([1300, 0, 200], 6)
        self.assertEqual([round(v, 2) for v in predicted.mapped("amount")], [round(v, 2) for v in expected.values])
        # three months: too short to hold any out, the linear trend without a measured error
        self.assertEqual(set(alpha.mapped("method")), {"linear"})
        self.assertEqual(set(alpha.mapped("error_measure")), {False})
        beta = rows.filtered(lambda row: row.rfm_class == beta_class and row.kind == "actual")
        self.assertEqual([(row.date, row.amount) for row in beta], [(date(2026, 3, 1), 300)])

    def test_recompute_replaces_the_rows(self):
        self._recompute(self.manager)
        alpha_class = self._score(self.alpha)
        alpha = self._rows(self.company).filtered(lambda row: row.rfm_class == alpha_class)
        self.invoices[3].sudo().button_draft()  # Beta's March invoice
        self._recompute(self.manager)
        rows = self._rows(self.company)
        # Alpha's rows updated in place, Beta's segment gone (no revenue left)
        self.assertEqual(rows, alpha)
        self.assertEqual(len(rows), 3 + 6)

    def test_cron_forecasts_every_company(self):
        with freeze_time(TODAY):
            self.env["crm.marketing.forecast"]._cron_crm_forecast()
        row = self._rows(self.company_2).filtered(lambda row: row.kind == "actual")
        self.assertEqual(
            [(row.date, row.amount) for row in row],
            [(date(2026, 1, 1), 700), (date(2026, 2, 1), 0), (date(2026, 3, 1), 0)],
        )
        self.assertTrue(self._rows(self.company))

    def test_readers(self):
        self._recompute(self.executive, self.company | self.company_2)
        rows_1, rows_2 = self._rows(self.company), self._rows(self.company_2)
        for user in (self.participant, self.manager, self.sale_manager):
            with self.subTest(user=user.login):
                self.assertVisible(user, rows_1 | rows_2, rows_1)
        self.assertVisible(self.company2_user, rows_1 | rows_2, rows_2)
        self.assertVisible(
            self.executive, rows_1 | rows_2, rows_1 | rows_2, allowed_company_ids=(self.company | self.company_2).ids
        )
        for user in (self.salesperson, self.portal, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.forecast", "search_read", [], ["amount"])

    def test_who_recomputes(self):
        for user in (self.manager, self.sale_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self._recompute(user)["tag"], "soft_reload")
        for user in (self.participant, self.salesperson, self.portal, self.employee, self.company2_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._recompute(user)
        # a manager cannot recompute a company it does not work in
        with self.assertRaises(AccessError):
            self._recompute(self.manager, self.company_2)

    def test_nobody_writes_forecasts(self):
        self._recompute(self.manager)
        row = self._rows(self.company)[:1]
        for user in (self.manager, self.executive, self.sale_manager):
            for method, args in (
                ("write", (row.ids, {"amount": 1})),
                ("create", ({"company_id": self.company.id, "date": "2026-01-01", "kind": "actual"},)),
                ("unlink", (row.ids,)),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.forecast", method, *args)

    def test_public_methods(self):
        """What RPC can reach on these models, and what it does for the least-privileged users."""
        found = {(model, method) for model, method in public_methods(self.env, "crm_marketing") if model in MY_MODELS}
        self.assertEqual(
            found,
            {
                ("crm.marketing.analysis", "get_dashboard_data"),
                ("crm.marketing.forecast", "action_recompute"),
                ("crm.marketing.revenue.change", "action_explain"),
            },
        )
        for user in (self.portal, self.salesperson):
            for model, method in sorted(found):
                args = () if method != "action_explain" else ([1],)
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
        # the private batch methods are not reachable at all
        for model, method in (
            ("crm.marketing.forecast", "_crm_recompute"),
            ("crm.marketing.forecast", "_cron_crm_forecast"),
            ("crm.marketing.analysis", "_crm_revenue_change"),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.executive, model, method)


@tagged("post_install", "-at_install", "is_query_count", "crm_marketing_perf")
class TestForecastPerformance(CrmMarketingMarketCommon):
    """The cron costs the same queries for 2 segments as for many more customers and
    segments in both companies (tracking on)."""

    def _count(self):
        env = self.env(context={})  # tracking on, as in production
        env.flush_all()
        env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(TODAY), self.assertQueryCount(6):
            env["crm.marketing.forecast"]._cron_crm_forecast()
            env.flush_all()
        return self.cr.sql_log_count - before

    def test_cron_query_count(self):
        small = self._count()
        partners = self.env["res.partner"].create(
            [{"name": f"Forecast customer {i}", "is_company": True} for i in range(60)]
        )
        self._invoices([(partner, f"2025-{1 + i % 12:02d}-15", 100 * (i + 1)) for i, partner in enumerate(partners)])
        self._invoices([(partner, "2026-02-01", 50) for partner in partners[:20]], company=self.company_2)
        self.env["crm.marketing.rfm.score"]._crm_recompute(self.company | self.company_2, TODAY)
        large = self._count()
        self.assertEqual(small, large)
        self.assertGreater(self.env["crm.marketing.forecast"].search_count([]), 50)
