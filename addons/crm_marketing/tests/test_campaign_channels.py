from odoo.exceptions import AccessError

from .common_campaign import CrmMarketingCampaignCommon


class TestChannelReport(CrmMarketingCampaignCommon):
    """The channel analysis: cost, leads, won deals and revenue per campaign and channel."""

    with_accounting = True

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"]
        self.campaign.segment_id = self.segment
        self.Report = self.env["crm.marketing.channel.report"].with_user(self.participant)

    def _rows(self, campaign=None):
        self.env.flush_all()
        rows = self.Report.search([("marketing_campaign_id", "=", (campaign or self.campaign).id)])
        return {
            (row.medium_id, row.source_id): (
                row.actual_cost,
                row.planned_cost,
                row.lead_count,
                row.won_count,
                row.revenue,
            )
            for row in rows
        }

    def test_rows_per_channel(self):
        self._cost(self.campaign, actual=1000, planned=1200, medium=self.medium_email, source=self.source_newsletter)
        self._cost(self.campaign, actual=500, medium=self.medium_email, source=self.source_newsletter)
        self._cost(self.campaign, actual=2000, medium=self.medium_website, source=self.source_search)
        self._lead(self.campaign, won=True, medium=self.medium_email, source=self.source_newsletter)
        self._lead(self.campaign, lost=True, medium=self.medium_email, source=self.source_newsletter)
        self._lead(self.campaign, medium=self.medium_website, source=self.source_search)
        self._invoice(self.campaign, 4000, medium=self.medium_email, source=self.source_newsletter)
        self._invoice(self.campaign, 9000, paid=False, medium=self.medium_email, source=self.source_newsletter)
        Source = self.env["utm.source"]
        rows = self._rows()
        self.assertEqual(
            rows,
            {
                (self.medium_email, self.source_newsletter): (1500, 1200, 2, 1, 4000),
                (self.medium_website, self.source_search): (2000, 0, 1, 0, 0),
            },
        )
        self.assertNotIn((self.medium_direct, Source), rows)
        row = self.Report.search([("marketing_campaign_id", "=", self.campaign.id)], limit=1)
        self.assertEqual((row.company_id, row.segment_id, row.user_id), (self.company, self.segment, self.participant))

    def test_report_groups_by_segment_and_medium(self):
        self._cost(self.campaign, actual=300, medium=self.medium_email)
        self._cost(self.campaigns["colleague"], actual=700, medium=self.medium_email)
        self.env.flush_all()
        groups = self.Report._read_group(
            [("medium_id", "=", self.medium_email.id), ("marketing_campaign_id", "in", self.all_campaigns.ids)],
            ["segment_id"],
            ["actual_cost:sum"],
        )
        self.assertEqual(dict(groups), {self.segment: 300, self.segment.browse(): 700})

    def test_report_rows_follow_the_companies_and_the_roles(self):
        self._cost(self.campaigns["company2_user"], actual=100, medium=self.medium_email)
        self._cost(self.campaign, actual=100, medium=self.medium_email)
        self.env.flush_all()
        domain = [("marketing_campaign_id", "in", self.all_campaigns.ids)]
        self.assertEqual(
            self.Report.search(domain).marketing_campaign_id.sudo(), self.campaign.sudo(), "first company only"
        )
        company2 = self.env["crm.marketing.channel.report"].with_user(self.company2_user).search(domain)
        self.assertEqual(company2.marketing_campaign_id.sudo(), self.campaigns["company2_user"].sudo())
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.marketing.channel.report"].with_user(user).search(domain)


class TestCheapestChannel(CrmMarketingCampaignCommon):
    """Planning a campaign, marketing sees the cheapest effective channel of the segment's earlier campaigns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.earlier = cls.campaigns["colleague"]
        cls.older = cls.campaigns["sub_user"]
        cls.earlier.write(
            {"segment_id": cls.segment.id, "state": "done", "date_start": "2025-01-01", "date_end": False}
        )
        cls.older.write({"segment_id": cls.segment.id, "state": "done", "date_start": "2024-06-01", "date_end": False})
        cls.planned = cls.campaigns["participant"]
        cls.planned.write({"segment_id": cls.segment.id, "date_start": "2025-06-01", "date_end": False})

    def _best(self, campaign=None):
        campaign = (campaign or self.planned).with_user(self.participant)
        self.env.flush_all()
        campaign.invalidate_recordset()
        return campaign.best_medium_id.sudo(), campaign.best_source_id.sudo(), campaign.best_cost_per_won

    def test_cheapest_cost_per_won_deal_over_earlier_campaigns(self):
        # email/newsletter: 3000 for 2 won deals over two campaigns = 1500
        self._cost(self.earlier, actual=1000, medium=self.medium_email, source=self.source_newsletter)
        self._cost(self.older, actual=2000, medium=self.medium_email, source=self.source_newsletter)
        self._lead(self.earlier, won=True, medium=self.medium_email, source=self.source_newsletter)
        self._lead(self.older, won=True, medium=self.medium_email, source=self.source_newsletter)
        # website/search: 1800 for 1 won deal
        self._cost(self.earlier, actual=1800, medium=self.medium_website, source=self.source_search)
        self._lead(self.earlier, won=True, medium=self.medium_website, source=self.source_search)
        # direct: cheap, but it won nothing
        self._cost(self.earlier, actual=100, medium=self.medium_direct)
        self._lead(self.earlier, medium=self.medium_direct)
        self.assertEqual(self._best(), (self.medium_email, self.source_newsletter, 1500.0))

    def test_later_cancelled_and_other_segment_campaigns_do_not_count(self):
        self._cost(self.earlier, actual=1000, medium=self.medium_email)
        self._lead(self.earlier, won=True, medium=self.medium_email)
        for campaign, values in (
            (self.campaigns["other_user"], {"segment_id": self.segment.id, "date_start": "2025-09-01"}),
            (self.campaigns["manager"], {"segment_id": self.segment.id, "state": "cancel", "date_start": "2025-01-01"}),
            (self.campaigns["executive"], {"date_start": "2025-01-01"}),
        ):
            campaign.write(dict(values, date_end=False))
            self._cost(campaign, actual=10, medium=self.medium_website)
            self._lead(campaign, won=True, medium=self.medium_website)
        self.assertEqual(self._best()[:2], (self.medium_email, self.env["utm.source"]))

    def test_no_suggestion_without_segment_history_or_once_running(self):
        self.assertEqual(self._best(), (self.env["utm.medium"], self.env["utm.source"], 0.0))
        self._cost(self.earlier, actual=1000, medium=self.medium_email)
        self._lead(self.earlier, won=True, medium=self.medium_email)
        self.assertEqual(self._best()[0], self.medium_email)
        self.planned.action_start()
        self.assertEqual(self._best()[0], self.env["utm.medium"], "shown while planning")

    def test_campaign_does_not_suggest_its_own_channels(self):
        self._cost(self.planned, actual=1000, medium=self.medium_email)
        self._lead(self.planned, won=True, medium=self.medium_email)
        self.assertFalse(self._best()[0])

    def test_salesperson_does_not_read_the_suggestion(self):
        self.planned.executing_company_id = self.branch
        campaign = self.planned.with_user(self.branch_rep).with_context(allowed_company_ids=self.branch.ids)
        self.assertEqual(campaign.read(["title"])[0]["title"], self.planned.title)
        with self.assertRaises(AccessError):
            campaign.read(["best_medium_id"])
