from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase

from odoo.addons.crm_marketing.lib.roi import roi_percent

from .common import CrmMarketingCommon


class TestRoiPercent(TransactionCase):
    """The ROI formula on its own."""

    def test_roi_is_return_over_cost_in_percent(self):
        self.assertAlmostEqual(roi_percent(3000, 1000), 200.0)

    def test_roi_is_negative_when_revenue_is_below_cost(self):
        self.assertAlmostEqual(roi_percent(500, 1000), -50.0)

    def test_roi_is_zero_when_nothing_was_spent(self):
        self.assertEqual(roi_percent(3000, 0), 0.0)


class TestCampaignResults(CrmMarketingCommon):
    """A marketer sees what their campaign brought, whoever sold it."""

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"]
        self.cost = self.env["crm.marketing.cost.line"].create(
            {"campaign_id": self.campaign.id, "name": "Booth", "planned_amount": 800, "actual_amount": 1000}
        )

    def _results(self):
        campaign = self.campaign.with_user(self.participant)
        campaign.invalidate_recordset()
        return campaign.read(["lead_count", "order_count", "order_amount", "revenue", "roi"])[0]

    def test_confirmed_order_counts_but_is_no_revenue_before_it_is_paid(self):
        self._sell(self.campaign, quantity=2)
        results = self._results()
        self.assertEqual(results["order_count"], 1)
        self.assertAlmostEqual(results["order_amount"], 3000)
        self.assertEqual(results["revenue"], 0)
        self.assertAlmostEqual(results["roi"], -100.0)

    def test_orders_of_other_salespeople_count(self):
        self._sell(self.campaign, salesperson=self.colleague)
        self._sell(self.campaign, salesperson=self.other_user)
        results = self._results()
        self.assertEqual(results["order_count"], 2)
        self.assertAlmostEqual(results["order_amount"], 3000)

    def test_quotations_and_cancelled_orders_do_not_count(self):
        self._sell(self.campaign, confirm=False)
        self._sell(self.campaign)._action_cancel()
        results = self._results()
        self.assertEqual(results["order_count"], 0)
        self.assertEqual(results["order_amount"], 0)
        self.assertAlmostEqual(results["roi"], -100.0)

    def test_orders_of_other_campaigns_do_not_count(self):
        self._sell(self.campaigns["colleague"])
        self.assertEqual(self._results()["order_amount"], 0)

    def test_leads_of_the_campaign_count_also_lost_ones(self):
        Lead = self.env["crm.lead"]
        values = {"campaign_id": self.campaign.campaign_id.id, "type": "opportunity"}
        Lead.create([dict(values, name="Visitor", user_id=self.colleague.id), dict(values, name="Lost visitor")])
        Lead.search([("name", "=", "Lost visitor")]).action_set_lost()
        self.assertEqual(self._results()["lead_count"], 2)

    def test_roi_is_zero_before_any_cost(self):
        self.cost.actual_amount = 0
        self._sell(self.campaign)
        self.assertEqual(self._results()["roi"], 0.0)

    def test_marketer_opens_orders_of_campaign(self):
        order = self._sell(self.campaign)
        action = self.campaign.with_user(self.participant).action_view_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), order)


class TestCampaignDates(CrmMarketingCommon):
    """A campaign ends after it starts."""

    def test_end_before_start_is_refused(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        with self.assertRaises(ValidationError):
            campaign.write({"date_start": "2025-04-10", "date_end": "2025-04-01"})

    def test_campaign_created_with_end_before_start_is_refused(self):
        Campaign = self.env["crm.marketing.campaign"].with_user(self.participant)
        with self.assertRaises(ValidationError):
            Campaign.create({"title": "Backwards", "date_start": "2025-04-10", "date_end": "2025-04-01"})

    def test_one_day_campaign_is_allowed(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        campaign.write({"date_start": "2025-04-10", "date_end": "2025-04-10"})
        self.assertEqual(str(campaign.date_end), "2025-04-10")

    def test_open_ended_campaign_is_allowed(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        campaign.write({"date_start": "2025-04-10", "date_end": False})
        self.assertFalse(campaign.date_end)


class TestCampaignStates(CrmMarketingCommon):
    """A marketer launches, finishes or cancels their campaign."""

    def test_marketer_launches_and_finishes_campaign(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        campaign.action_start()
        self.assertEqual(campaign.state, "running")
        campaign.action_done()
        self.assertEqual(campaign.state, "done")

    def test_marketer_cancels_campaign(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        campaign.action_cancel()
        self.assertEqual(campaign.state, "cancel")
