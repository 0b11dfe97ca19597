from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw

from .common_market import TODAY, CrmMarketingMarketCommon


@tagged("post_install", "-at_install")
class TestMarketAnalysis(CrmMarketingMarketCommon):
    """The market analysis rows are the invoices' figures, per customer, company and month."""

    def _rows(self, user, **context):
        Analysis = self.env["crm.marketing.analysis"].with_user(user).with_context(**context)
        return {
            (row.company_id, row.partner_id, row.date): row
            for row in Analysis.search([("partner_id", "in", self.customers.ids)])
        }

    def test_rows_equal_invoice_figures(self):
        rows = self._rows(self.participant)
        january, march = date(2026, 1, 1), date(2026, 3, 1)
        self.assertEqual(
            set(rows),
            {(self.company, self.alpha, january), (self.company, self.alpha, march), (self.company, self.beta, march)},
        )
        alpha_jan = rows[self.company, self.alpha, january]
        # the contact's invoice counts for its company; the credit note lowers the revenue
        self.assertEqual(
            (alpha_jan.revenue, alpha_jan.invoice_count, alpha_jan.refund_count, alpha_jan.basket),
            (1300, 2, 1, 650),
        )
        self.assertEqual(
            (alpha_jan.industry_id, alpha_jan.country_id, alpha_jan.state_id, alpha_jan.currency_id),
            (self.industry, self.belgium, self.flanders, self.company.currency_id),
        )
        self.assertEqual((alpha_jan.customer_type, alpha_jan.first_month), ("new", january))
        alpha_mar = rows[self.company, self.alpha, march]
        # the foreign invoice in the company currency, untaxed
        self.assertEqual((alpha_mar.revenue, alpha_mar.customer_type), (200, "returning"))
        self.assertEqual(alpha_mar.rfm_class, self._score(self.alpha))
        self.assertTrue(alpha_mar.rfm_class)
        beta = rows[self.company, self.beta, march]
        # the draft of 9,999 does not count
        self.assertEqual((beta.revenue, beta.invoice_count, beta.customer_type), (300, 1, "new"))
        self.assertEqual(beta.rfm_class, self._score(self.beta))
        self.assertFalse(beta.industry_id)
        # the total is the invoices' own figure
        moves = (self.invoices | self.foreign_invoice).sudo()
        self.assertEqual(sum(row.revenue for row in rows.values()), sum(moves.mapped("amount_untaxed_signed")))

    def test_grouped_measures(self):
        Analysis = self.env["crm.marketing.analysis"].with_user(self.participant)
        [[customers, invoices, revenue]] = Analysis._read_group(
            [("partner_id", "in", self.customers.ids)],
            [],
            ["customer_count:count_distinct", "invoice_count:sum", "revenue:sum"],
        )
        self.assertEqual((customers, invoices, revenue), (2, 4, 1800))
        by_type = dict(
            Analysis._read_group([("partner_id", "in", self.customers.ids)], ["customer_type"], ["revenue:sum"])
        )
        self.assertEqual(by_type, {"new": 1600, "returning": 200})

    def test_second_company_isolation(self):
        rows = self._rows(self.company2_user)
        self.assertEqual(list(rows), [(self.company_2, self.alpha, date(2026, 1, 1))])
        row = rows[self.company_2, self.alpha, date(2026, 1, 1)]
        # in company 2, January is Alpha's first month there too, with its own class
        self.assertEqual(
            (row.revenue, row.customer_type, row.rfm_class), (700, "new", self._score(self.alpha, self.company_2))
        )
        # the executive sees both, each company when it is selected
        self.assertEqual(len(self._rows(self.executive, allowed_company_ids=self.executive.company_ids.ids)), 4)
        self.assertEqual(len(self._rows(self.executive, allowed_company_ids=self.company.ids)), 3)

    def test_access_per_role(self):
        for user in (self.participant, self.manager, self.executive):
            with self.subTest(user=user.login):
                self.assertEqual(len(self._rows(user, allowed_company_ids=self.company.ids)), 3)
        for user in (self.salesperson, self.sale_manager, self.portal, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.analysis", "search_read", [], ["revenue"])
        for user in (self.participant, self.executive):
            for method, args in (
                ("write", (self.alpha.ids, {"revenue": 1})),
                ("create", ({"revenue": 1},)),
                ("unlink", (self.alpha.ids,)),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.analysis", method, *args)


@tagged("post_install", "-at_install")
class TestRevenueChange(CrmMarketingMarketCommon):
    """Why revenue changed from January to March, per segment and region."""

    def _explain(self, user, **dates):
        values = {
            "date_from_1": "2026-01-01",
            "date_to_1": "2026-01-31",
            "date_from_2": "2026-03-01",
            "date_to_2": "2026-03-31",
            **dates,
        }
        wizard = self.env["crm.marketing.revenue.change"].with_user(user).create(values)
        return wizard, wizard.action_explain()

    def test_decomposition(self):
        wizard, action = self._explain(self.participant)
        self.assertEqual(action["res_model"], "crm.marketing.revenue.change.line")
        lines = self.env["crm.marketing.revenue.change.line"].with_user(self.participant).search(action["domain"])
        self.assertEqual(lines, wizard.line_ids)
        alpha = lines.filtered(lambda line: line.country_id == self.belgium)
        beta = lines.filtered(lambda line: not line.country_id and line.rfm_class == self._score(self.beta))
        self.assertEqual(
            (
                alpha.rfm_class,
                alpha.revenue_before,
                alpha.revenue_after,
                alpha.change,
                alpha.shrunk_revenue,
                alpha.shrunk_count,
                alpha.driver,
            ),
            (self._score(self.alpha), 1300, 200, -1100, -1100, 1, "shrunk"),
        )
        self.assertEqual(
            (beta.revenue_before, beta.revenue_after, beta.new_revenue, beta.new_count, beta.driver),
            (0, 300, 300, 1, "new"),
        )
        for line in lines:
            self.assertEqual(
                line.new_revenue + line.lost_revenue + line.grown_revenue + line.shrunk_revenue, line.change
            )
        # company 2 is not the participant's
        self.assertEqual(lines.company_id, self.company)

    def test_company_2_user(self):
        _wizard, action = self._explain(self.company2_user, date_from_2="2026-02-01", date_to_2="2026-03-31")
        line = self.env["crm.marketing.revenue.change.line"].with_user(self.company2_user).search(action["domain"])
        self.assertEqual(
            (line.company_id, line.lost_revenue, line.lost_count, line.driver), (self.company_2, -700, 1, "lost")
        )

    def test_bad_periods(self):
        wizard, _action = self._explain(self.participant)
        lines = wizard.line_ids
        for dates in ({"date_to_2": "2026-02-01"}, {"date_from_2": "2026-01-15"}, {"date_to_1": "2025-12-01"}):
            with self.subTest(dates=dates), self.assertRaises(UserError):
                wizard.write(dates)
                wizard.action_explain()
            wizard.write(
                {
                    "date_from_1": "2026-01-01",
                    "date_to_1": "2026-01-31",
                    "date_from_2": "2026-03-01",
                    "date_to_2": "2026-03-31",
                }
            )
            self.assertEqual(wizard.line_ids, lines)

    def test_access(self):
        for user in (self.salesperson, self.sale_manager, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.revenue.change", "create", {})
        wizard, _action = self._explain(self.participant)
        # another marketer does not open someone else's wizard
        with self.assertRaises(AccessError):
            call_kw(self.colleague, "crm.marketing.revenue.change", "action_explain", wizard.ids)


@tagged("post_install", "-at_install")
class TestMarketingDashboard(CrmMarketingMarketCommon):
    """The dashboard's figures, with the caller's companies and rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.env["crm.marketing.forecast"]._crm_recompute(cls.company | cls.company_2)

    def _data(self, user, companies=None):
        with freeze_time(TODAY):
            return call_kw(
                user,
                "crm.marketing.analysis",
                "get_dashboard_data",
                context={"allowed_company_ids": (companies or user.company_id).ids},
            )

    def _revenue(self, companies):
        moves = self.env["account.move"].search(
            [
                ("company_id", "in", companies.ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("invoice_date", ">=", "2025-04-01"),
                ("invoice_date", "<", "2026-04-01"),
            ]
        )
        return sum(moves.mapped("amount_untaxed_signed"))

    def test_marketer_of_company_1(self):
        data = self._data(self.participant)
        kpis = data["kpis"]
        self.assertEqual(kpis["revenue"], self._revenue(self.company))
        self.assertEqual(kpis["revenue"], 1800)
        self.assertEqual((kpis["customers"], kpis["new_customers"], kpis["invoices"]), (2, 2, 4))
        self.assertEqual(kpis["basket"], 450)
        self.assertEqual(data["trend"]["labels"][:4], ["2026-01", "2026-02", "2026-03", "2026-04"])
        self.assertEqual(data["trend"]["actual"][:4], [1300, 0, 500, None])
        self.assertEqual(data["trend"]["forecast"][:3], [None, None, None])
        self.assertEqual(len([value for value in data["trend"]["forecast"] if value is not None]), 6)
        self.assertEqual(sum(row["amount"] for row in data["classes"]), 1800)
        self.assertEqual(
            {row["label"]: row["amount"] for row in data["industries"]}, {"Logistics": 1500, "Not set": 300}
        )
        self.assertEqual({row["label"] for row in data["regions"]}, {self.belgium.display_name, "Not set"})

    def test_user_of_company_2_only(self):
        data = self._data(self.company2_user)
        self.assertEqual(data["kpis"]["revenue"], 700)
        self.assertEqual(data["kpis"]["customers"], 1)
        self.assertEqual(sum(row["amount"] for row in data["classes"]), 700)
        self.assertEqual(data["trend"]["actual"][0], 700)
        self.assertEqual(
            sum(v for v in data["trend"]["forecast"] if v),
            sum(
                self.env["crm.marketing.forecast"]
                .search([("company_id", "=", self.company_2.id), ("kind", "=", "forecast")])
                .mapped("amount")
            ),
        )
        # nothing of company 1: not its campaigns either
        self.assertEqual([row["label"] for row in data["campaigns"]], [])
        # asking for company 1 does not help: the user does not work there
        with self.assertRaises(AccessError):
            self._data(self.company2_user, self.company)

    def test_executive_sees_both_companies(self):
        data = self._data(self.executive, self.company | self.company_2)
        self.assertEqual(data["kpis"]["revenue"], 2500)
        self.assertEqual(data["kpis"]["customers"], 1 + 1)  # Alpha once, though it buys from both

    def test_campaigns_are_the_visible_ones(self):
        # the actual cost is computed from cost lines: set in SQL, the test is about who sees what
        campaigns = self.pick("participant", "colleague", "manager")
        self.env.cr.execute(
            "UPDATE crm_marketing_campaign SET actual_cost = 100 WHERE id IN %s", [tuple(campaigns.ids)]
        )
        campaigns.invalidate_recordset(["actual_cost"])
        titles = {row["label"] for row in self._data(self.participant)["campaigns"]}
        self.assertEqual(titles, {self.campaigns["participant"].title})
        titles = {row["label"] for row in self._data(self.manager)["campaigns"]}
        self.assertEqual(titles, {campaign.title for campaign in campaigns})

    def test_no_dashboard_without_marketing_rights(self):
        for user in (self.salesperson, self.sale_manager, self.portal, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._data(user)
