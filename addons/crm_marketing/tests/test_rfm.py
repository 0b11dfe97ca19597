import re
from datetime import date, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw

from ..lib import rfm
from .common_rfm import TODAY, CrmMarketingRfmCommon


@tagged("post_install", "-at_install")
class TestRfmClassification(CrmMarketingRfmCommon):
    """Measures, scores, classes and ABC from real invoices and orders, checked by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.champion = Partner.create({"name": "Champion Ltd", "is_company": True})
        cls.champion_contact = Partner.create({"name": "Buyer of Champion", "parent_id": cls.champion.id})
        cls.at_risk = Partner.create({"name": "Fading Ltd", "is_company": True})
        cls.lapsed = Partner.create({"name": "Gone Ltd", "is_company": True})
        cls.boundary = Partner.create({"name": "First Day Ltd", "is_company": True})
        cls.newbie = Partner.create({"name": "Newcomer Ltd", "is_company": True})
        cls.never = Partner.create({"name": "Prospect Ltd", "is_company": True})
        cls.customers = cls.champion | cls.at_risk | cls.lapsed | cls.boundary | cls.newbie | cls.never
        cls._invoices(
            [
                # 5 invoices of 5,000 (one to a contact) and a credit note of 1,000: 24,000
                *((cls.champion, date(2026, 6, 25) - timedelta(days=30 * i), 5000) for i in range(4)),
                (cls.champion_contact, date(2026, 6, 25), 5000),
                (cls.champion, date(2026, 6, 26), -1000),
                *((cls.at_risk, day, 1000) for day in ("2025-08-15", "2025-09-15", "2025-09-30")),
                (cls.lapsed, "2025-06-30", 8000),  # the day before the period
                (cls.boundary, "2025-07-01", 100),  # the period's first day
                (cls.newbie, "2026-06-20", 600),
                (cls.newbie, "2026-07-05", 9999),  # after today: not counted
            ]
        )
        # a draft invoice counts for nothing
        cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.never.id,
                "invoice_date": "2026-06-01",
                "invoice_line_ids": [(0, 0, {"name": "Draft", "price_unit": 50000, "tax_ids": []})],
            }
        )

    def test_measures_scores_and_classes(self):
        self._recompute()
        scores = self._scores(self.customers)
        self.assertNotIn(self.never, scores, "no posted purchase: not classified")
        self.assertNotIn(self.champion_contact, scores, "contacts count for their company")
        expected = {
            # partner: (days, frequency, monetary, R, F, M, class, ABC)
            self.champion: (5, 5, 24000, 5, 4, 4, "champion", "A"),
            self.at_risk: (273, 3, 3000, 2, 3, 2, "at_risk", "B"),
            self.lapsed: (365, 0, 0, 2, 1, 1, "lost", False),
            self.boundary: (364, 1, 100, 2, 1, 1, "new", "C"),
            self.newbie: (10, 1, 600, 5, 1, 1, "new", "C"),
        }
        for partner, values in expected.items():
            score = scores[partner]
            with self.subTest(partner=partner.name):
                self.assertEqual(
                    (
                        score.recency_days,
                        score.frequency,
                        score.monetary,
                        score.r_score,
                        score.f_score,
                        score.m_score,
                        score.rfm_class,
                        score.abc_class,
                    ),
                    values,
                )
        # total 27,700: the champion alone makes 86.6 % (A), the at-risk customer reaches 97.5 % (B)
        self.assertEqual(scores[self.champion].first_date, date(2026, 6, 25) - timedelta(days=90))
        self.assertEqual(scores[self.champion].last_date, date(2026, 6, 25))

    def test_sql_agrees_with_lib(self):
        self._recompute()
        date_from = rfm.period_start(TODAY, 12)
        for partner, score in self._scores(self.customers).items():
            expected = rfm.classify(
                score.last_date, score.first_date, score.frequency, score.monetary, TODAY, date_from
            )
            with self.subTest(partner=partner.name):
                self.assertEqual(
                    (score.recency_days, score.r_score, score.f_score, score.m_score, score.rfm_class),
                    (expected.recency_days, expected.r, expected.f, expected.m, expected.rfm_class),
                )
        amounts = {score.partner_id.id: score.monetary for score in self._scores(self.customers).values()}
        abc = rfm.abc_classes(amounts)
        for partner, score in self._scores(self.customers).items():
            self.assertEqual(score.abc_class or None, abc.get(partner.id))

    def test_configuration_changes_the_classes(self):
        self.company.write(
            {
                "crm_rfm_period_months": 24,
                "crm_rfm_frequency_cuts": "0, 1, 2, 3",
                "crm_abc_a_share": 50,
                "crm_abc_b_share": 99,
            }
        )
        self._recompute()
        scores = self._scores(self.customers)
        lapsed = scores[self.lapsed]
        # within 24 months the lapsed customer's invoice counts: one purchase, 8,000
        self.assertEqual((lapsed.frequency, lapsed.monetary, lapsed.f_score, lapsed.m_score), (1, 8000, 2, 3))
        self.assertEqual(scores[self.champion].f_score, 5)
        # 35,700 in all: champion 0 % before (A), lapsed 67 % (B), at risk 90 % (B), newbie 98.6 % (B), boundary C
        self.assertEqual(
            {partner: score.abc_class for partner, score in scores.items()},
            {self.champion: "A", self.lapsed: "B", self.at_risk: "B", self.newbie: "B", self.boundary: "C"},
        )

    def test_credit_note_lowers_monetary_and_cancelled_invoice_clears(self):
        self._recompute()
        self.assertEqual(self._scores(self.newbie)[self.newbie].monetary, 600)
        refund = self._invoices([(self.newbie, "2026-06-28", -200)])
        self._recompute()
        score = self._scores(self.newbie)[self.newbie]
        self.assertEqual((score.monetary, score.frequency), (400, 1), "a credit note is no purchase")
        invoice = self.env["account.move"].search(
            [("partner_id", "=", self.newbie.id), ("move_type", "=", "out_invoice")]
        )
        (invoice | refund).button_draft()
        (invoice | refund).button_cancel()
        self._recompute()
        self.assertFalse(self._scores(self.newbie), "no purchase any more: the classification is cleared")

    def test_second_company_not_mixed_in(self):
        self._invoices([(self.champion, "2026-06-01", 300), (self.never, "2026-06-02", 700)], company=self.company_2)
        self._recompute(self.company | self.company_2)
        first = self._scores(self.champion | self.never)
        second = self._scores(self.champion | self.never, company=self.company_2)
        self.assertEqual((first[self.champion].frequency, first[self.champion].monetary), (5, 24000))
        self.assertNotIn(self.never, first)
        self.assertEqual((second[self.champion].frequency, second[self.champion].monetary), (1, 300))
        self.assertEqual(second[self.champion].rfm_class, "new", "its first purchase in the second company")
        # the partner shows the figures of the current company
        partner = self.champion.with_user(self.executive)
        self.assertEqual(partner.with_company(self.company).crm_rfm_monetary, 24000)
        self.assertEqual(partner.with_company(self.company_2).crm_rfm_monetary, 300)
        self.assertEqual(partner.with_company(self.company).crm_rfm_class, "champion")

    def test_order_source(self):
        self.company.crm_rfm_source = "order"
        self._orders(
            [
                (self.never, "2026-06-10", 1500),
                (self.never, "2026-05-10", 2500),
                (self.never, "2025-06-30", 9000),  # before the period
                (self.champion_contact, "2026-06-29", 800),
            ]
        )
        draft = self.env["sale.order"].create({"partner_id": self.newbie.id, "order_line": []})
        self.assertEqual(draft.state, "draft")
        self._recompute()
        scores = self._scores(self.customers)
        self.assertEqual(set(scores), {self.never, self.champion}, "orders only, invoices ignored")
        never = scores[self.never]
        self.assertEqual((never.recency_days, never.frequency, never.monetary), (20, 2, 4000))
        self.assertEqual((never.r_score, never.f_score, never.m_score, never.rfm_class), (5, 2, 2, "other"))
        self.assertEqual((scores[self.champion].frequency, scores[self.champion].monetary), (1, 800))

    def test_partner_filters_and_grouping(self):
        self._recompute()
        Partner = self.env["res.partner"].with_user(self.participant)
        domain = [("id", "in", (self.customers | self.champion_contact).ids)]
        self.assertEqual(
            Partner.search([*domain, ("crm_rfm_class", "=", "champion")]), self.champion | self.champion_contact
        )
        self.assertEqual(Partner.search([*domain, ("crm_rfm_class", "=", "at_risk")]), self.at_risk)
        self.assertEqual(Partner.search([*domain, ("crm_rfm_class", "=", "lost")]), self.lapsed)
        self.assertEqual(Partner.search([*domain, ("crm_abc_class", "=", "A")]), self.champion | self.champion_contact)
        self.assertEqual(Partner.search([*domain, ("crm_rfm_class", "=", False)]), self.never)
        self.assertEqual(
            Partner.search([*domain, ("crm_rfm_class", "not in", ["champion", "new"])]),
            self.at_risk | self.lapsed | self.never,
        )
        groups = dict(
            self.env["crm.marketing.rfm.score"]
            .with_user(self.participant)
            ._read_group([("partner_id", "in", self.customers.ids)], ["rfm_class"], ["__count"])
        )
        self.assertEqual(groups, {"champion": 1, "at_risk": 1, "lost": 1, "new": 2})
        self.assertEqual(self.champion_contact.with_user(self.participant).crm_rfm_class, "champion")

    def test_cron_one_company_per_batch(self):
        companies = self.env["res.company"].search([])
        companies.crm_rfm_date = False
        Score = self.env["crm.marketing.rfm.score"]
        Score._cron_crm_rfm()
        self.assertEqual(len(companies.filtered("crm_rfm_date")), 1)
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.env.ref("crm_marketing.crm_marketing_rfm_cron").id}
        )
        Score.with_context(ir_cron_progress_id=progress.id)._cron_crm_rfm()
        self.assertEqual((progress.done, progress.remaining), (1, len(companies) - 2))
        for _company in companies:
            Score._cron_crm_rfm()
        self.assertTrue(all(companies.mapped("crm_rfm_date")))
        self.assertTrue(self._scores(self.champion), "the main company was classified")


@tagged("post_install", "-at_install")
class TestRfmConfiguration(CrmMarketingRfmCommon):
    """The settings: validated on the company, editable by marketing managers only."""

    def test_bad_cut_points_are_refused(self):
        for fname, value in (
            ("crm_rfm_recency_cuts", "30, 90, 180"),
            ("crm_rfm_frequency_cuts", "1, 2, 2, 8"),
            ("crm_rfm_monetary_cuts", "-1, 10, 100, 1000"),
            ("crm_rfm_monetary_cuts", "ten, 10, 100, 1000"),
        ):
            label = self.company._fields[fname].string
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, re.escape(label)),
                self.env.cr.savepoint(),
            ):
                self.company.write({fname: value})
        self.assertEqual(self.company.crm_rfm_recency_cuts, "30, 90, 180, 365")
        with self.assertRaisesRegex(ValidationError, "between 1 and 120"), self.env.cr.savepoint():
            self.company.crm_rfm_period_months = 121
        with self.assertRaisesRegex(ValidationError, re.escape("A Customers Share (%)")), self.env.cr.savepoint():
            self.company.write({"crm_abc_a_share": 96})
        self.assertEqual((self.company.crm_rfm_period_months, self.company.crm_abc_a_share), (12, 80))

    def test_manager_saves_settings(self):
        Settings = self.env["crm.marketing.rfm.settings"].with_user(self.manager)
        form = Settings.create({})
        self.assertEqual(
            (form.company_id, form.recency_cuts, form.source), (self.company, "30, 90, 180, 365", "invoice")
        )
        form.write({"source": "order", "period_months": 6, "monetary_cuts": "10, 20, 30, 40"})
        form.action_save()
        self.assertEqual(
            (self.company.crm_rfm_source, self.company.crm_rfm_period_months, self.company.crm_rfm_monetary_cuts),
            ("order", 6, "10, 20, 30, 40"),
        )
        bad = Settings.create({"frequency_cuts": "5, 4, 3, 2"})
        with (
            self.assertRaisesRegex(ValidationError, re.escape("Frequency Cut Points (Purchases)")),
            self.env.cr.savepoint(),
        ):
            bad.action_save()
        self.assertEqual(self.company.crm_rfm_frequency_cuts, "1, 2, 4, 8")
        action = Settings.create({}).action_save_and_recompute()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(self.company.crm_rfm_date)

    def test_marketer_and_others_cannot_change_settings(self):
        for user in (self.participant, self.salesperson, self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.rfm.settings", "create", {"period_months": 3})
        # a form made by a manager cannot be saved by a marketer either
        form = self.env["crm.marketing.rfm.settings"].with_user(self.manager).create({"period_months": 3})
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.marketing.rfm.settings", "action_save", form.ids)
        with self.assertRaises(AccessError):
            call_kw(self.participant, "res.company", "write", self.company.ids, {"crm_rfm_period_months": 3})
        self.assertEqual(self.company.crm_rfm_period_months, 12)
