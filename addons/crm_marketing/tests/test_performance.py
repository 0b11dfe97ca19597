from odoo import Command
from odoo.tests import tagged, warmup

from .common import CrmMarketingCommon

FIGURES = [
    "title",
    "budget",
    "planned_cost",
    "actual_cost",
    "lead_count",
    "opportunity_count",
    "won_count",
    "order_count",
    "order_amount",
    "invoice_count",
    "revenue",
    "roi",
    "cost_per_lead",
    "cost_per_won",
    "response_count",
    "progress",
]


@tagged("is_query_count", "crm_marketing_perf")
class TestCampaignPerformance(CrmMarketingCommon):
    """The results of sixty campaigns cost as much as those of one, with tracking on as in production."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # production tracks: the common fixture turns tracking off for its own setup only
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=False))
        marketers = cls.participant | cls.colleague | cls.sub_user
        cls.many_campaigns = cls.env["crm.marketing.campaign"].create(
            [
                {
                    "title": f"Batch campaign {index}",
                    "user_id": marketers[index % 3].id,
                    "cost_line_ids": [Command.create({"name": "Ads", "actual_amount": 100 + index})],
                }
                for index in range(60)
            ]
        )
        for campaign in cls.many_campaigns[:5]:
            cls.env["crm.lead"].create({"name": "Batch lead", "campaign_id": campaign.campaign_id.id})

    @warmup
    def test_manager_reads_roi_of_department_campaigns(self):
        campaigns = self.many_campaigns.with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(13):
            rows = campaigns.read(["title", "budget", "actual_cost", "lead_count", "order_count", "revenue", "roi"])
        self.assertEqual(len(rows), 60)
        self.assertEqual(sum(row["lead_count"] for row in rows), 5)

    @warmup
    def test_manager_reads_every_figure_of_department_campaigns(self):
        campaigns = self.many_campaigns.with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(13):
            rows = campaigns.read(FIGURES)
        self.assertEqual(len(rows), 60)
        self.assertEqual(sum(row["actual_cost"] for row in rows), sum(100 + index for index in range(60)))

    @warmup
    def test_marketer_plans_sixty_steps_in_one_go(self):
        campaign = self.many_campaigns[0].with_user(self.participant)
        self.env.invalidate_all()
        with self.assertQueryCount(78):
            steps = (
                self.env["crm.marketing.campaign.step"]
                .with_user(self.participant)
                .create(
                    [
                        {
                            "campaign_id": campaign.id,
                            "name": f"Step {index}",
                            "user_id": self.participant.id,
                            "date_deadline": "2025-05-01",
                        }
                        for index in range(60)
                    ]
                )
            )
        self.assertEqual(len(steps.activity_ids), 60)
