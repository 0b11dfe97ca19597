from odoo.tests import tagged, warmup

from .common import CrmMarketingCommon


@tagged("is_query_count", "crm_marketing_perf")
class TestCampaignPerformance(CrmMarketingCommon):
    """The results of sixty campaigns cost as much as those of one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        marketers = cls.participant | cls.colleague | cls.sub_user
        cls.many_campaigns = cls.env["crm.marketing.campaign"].create(
            [
                {"title": f"Batch campaign {index}", "user_id": marketers[index % 3].id, "actual_cost": 100 + index}
                for index in range(60)
            ]
        )
        for campaign in cls.many_campaigns[:5]:
            cls.env["crm.lead"].create({"name": "Batch lead", "campaign_id": campaign.campaign_id.id})

    @warmup
    def test_manager_reads_roi_of_department_campaigns(self):
        campaigns = self.many_campaigns.with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            rows = campaigns.read(["title", "budget", "actual_cost", "lead_count", "order_count", "revenue", "roi"])
        self.assertEqual(len(rows), 60)
        self.assertEqual(sum(row["lead_count"] for row in rows), 5)
