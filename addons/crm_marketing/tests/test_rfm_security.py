from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_rfm import CrmMarketingRfmCommon


@tagged("post_install", "-at_install")
class TestRfmSecurity(CrmMarketingRfmCommon):
    """Who reads the classification, who recomputes it, and that nobody writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_a = cls.env["res.partner"].create({"name": "Shared Customer", "is_company": True})
        cls._invoices([(cls.customer_a, "2026-06-01", 2000)])
        cls._invoices([(cls.customer_a, "2026-06-02", 500)], company=cls.company_2)
        cls.env["crm.marketing.rfm.score"]._crm_recompute(cls.company | cls.company_2)
        cls.scores = cls.env["crm.marketing.rfm.score"].search([("partner_id", "=", cls.customer_a.id)])
        cls.score_1 = cls.scores.filtered(lambda s: s.company_id == cls.company)
        cls.score_2 = cls.scores - cls.score_1

    def test_readers(self):
        for user in (self.participant, self.manager, self.executive, self.salesperson):
            with self.subTest(user=user.login):
                self.assertVisible(user, self.scores, self.score_1, allowed_company_ids=self.company.ids)
                partner = self.customer_a.with_user(user).with_context(allowed_company_ids=self.company.ids)
                self.assertEqual(partner.crm_rfm_monetary, 2000)
        self.assertVisible(self.company2_user, self.scores, self.score_2)
        self.assertEqual(self.customer_a.with_user(self.company2_user).crm_rfm_monetary, 500)
        self.assertVisible(self.executive, self.scores, self.scores, allowed_company_ids=self.executive.company_ids.ids)

    def test_no_access_without_sales_rights(self):
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["crm.marketing.rfm.score"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    call_kw(user, "res.partner", "read", self.customer_a.ids, ["crm_rfm_class"])
        # the employee still reads the partner without the classification
        self.assertEqual(
            call_kw(self.employee, "res.partner", "read", self.customer_a.ids, ["name"])[0]["name"], "Shared Customer"
        )

    def test_nobody_writes_the_classification(self):
        for user in (self.participant, self.manager, self.executive):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.rfm.score", "write", self.score_1.ids, {"rfm_class": "champion"})
                with self.assertRaises(AccessError):
                    call_kw(
                        user,
                        "crm.marketing.rfm.score",
                        "create",
                        {"partner_id": self.customer_a.id, "company_id": self.company.id, "rfm_class": "lost"},
                    )
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.rfm.score", "unlink", self.score_1.ids)
                with self.assertRaises(AccessError):
                    call_kw(user, "res.partner", "write", self.customer_a.ids, {"crm_rfm_class": "champion"})
        self.assertEqual(self.score_1.rfm_class, "new")
        # ordinary partner fields are still written
        call_kw(self.participant, "res.partner", "write", self.customer_a.ids, {"phone": "+1 555 0100"})

    def test_recompute_reserved_to_marketing_managers(self):
        self.env.cr.execute("UPDATE crm_marketing_rfm_score SET rfm_class = 'other' WHERE id = %s", [self.score_1.id])
        for user in (self.portal, self.employee, self.salesperson, self.participant, self.company2_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.rfm.score", "action_recompute")
        self.score_1.invalidate_recordset()
        self.assertEqual(self.score_1.rfm_class, "other", "nothing was recomputed")
        call_kw(self.manager, "crm.marketing.rfm.score", "action_recompute")
        self.score_1.invalidate_recordset()
        self.assertEqual(self.score_1.rfm_class, "new")
        self.assertEqual(self.score_2.exists(), self.score_2, "the manager's company only: company 2 kept")

    def test_cron_is_not_callable_over_rpc(self):
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.marketing.rfm.score", "_cron_crm_rfm")
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.marketing.rfm.score", "_crm_recompute", self.company.ids)

    def test_public_methods_are_the_buttons(self):
        models = {"crm.marketing.rfm.score", "crm.marketing.rfm.settings", "res.partner", "res.company"}
        found = {pair for pair in public_methods(self.env, "crm_marketing") if pair[0] in models}
        self.assertEqual(
            found,
            {
                ("crm.marketing.rfm.score", "action_recompute"),
                ("crm.marketing.rfm.settings", "action_save"),
                ("crm.marketing.rfm.settings", "action_save_and_recompute"),
                ("crm.marketing.rfm.settings", "default_get"),
                ("res.partner", "write"),
            },
        )
        form = self.env["crm.marketing.rfm.settings"].with_user(self.manager).create({"period_months": 3})
        for user in (self.portal, self.employee, self.participant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.marketing.rfm.settings", "action_save_and_recompute", form.ids)
        self.assertEqual(self.company.crm_rfm_period_months, 12)
