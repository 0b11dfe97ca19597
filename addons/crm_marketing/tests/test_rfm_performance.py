from odoo.tests import tagged

from .common_rfm import TODAY, CrmMarketingRfmCommon


@tagged("post_install", "-at_install", "is_query_count", "crm_marketing_perf")
class TestRfmPerformance(CrmMarketingRfmCommon):
    """The recompute costs the same queries for 10 customers as for 100 (tracking on):
    the second company has 10 invoiced customers, the first 100."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"].create(
            [{"name": f"Perf customer {i}", "is_company": True} for i in range(100)]
        )
        cls._invoices([(partner, f"2026-0{1 + i % 6}-15", 100 * (i + 1)) for i, partner in enumerate(partners)])
        cls._invoices([(partner, "2026-06-01", 50) for partner in partners[:10]], company=cls.company_2)

    def test_recompute_query_count(self):
        env = self.env(context={})  # tracking on, as in production
        Score = env["crm.marketing.rfm.score"]
        counts = {}
        for company in (self.company_2, self.company):
            env.flush_all()
            env.invalidate_all()
            before = self.cr.sql_log_count
            with self.assertQueryCount(5):
                Score._crm_recompute(company, TODAY)
                env.flush_all()
            counts[Score.search_count([("company_id", "=", company.id)])] = self.cr.sql_log_count - before
        self.assertEqual(set(counts), {10, 100})
        self.assertEqual(counts[10], counts[100])
