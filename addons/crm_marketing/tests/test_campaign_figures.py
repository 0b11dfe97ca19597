from odoo import Command
from odoo.exceptions import ValidationError

from .common_campaign import CrmMarketingCampaignCommon

FIGURES = [
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
    "planned_cost",
    "actual_cost",
]


class TestCampaignFigures(CrmMarketingCampaignCommon):
    """What a campaign cost and brought, read by its marketer, whoever sold it."""

    with_accounting = True

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"]

    def _figures(self, campaign=None):
        campaign = (campaign or self.campaign).with_user(self.participant)
        campaign.invalidate_recordset()
        return campaign.read(FIGURES)[0]

    def test_costs_sum_the_planned_and_actual_amounts_of_the_lines(self):
        self._cost(self.campaign, planned=1000, actual=1200)
        self._cost(self.campaign, planned=500)
        figures = self._figures()
        self.assertEqual((figures["planned_cost"], figures["actual_cost"]), (1500, 1200))

    def test_figures_from_leads_orders_and_paid_invoices(self):
        self._cost(self.campaign, actual=2000)
        self._lead(self.campaign, lead_type="lead")
        self._lead(self.campaign, won=True)
        self._lead(self.campaign, won=True)
        self._lead(self.campaign, lost=True)
        self._sell(self.campaign, quantity=2)
        self._invoice(self.campaign, 5000)
        figures = self._figures()
        self.assertEqual(figures["lead_count"], 4, "leads and opportunities, also the lost one")
        self.assertEqual(figures["opportunity_count"], 3)
        self.assertEqual(figures["won_count"], 2)
        self.assertEqual((figures["order_count"], figures["order_amount"]), (1, 3000))
        self.assertEqual(figures["revenue"], 5000)
        self.assertAlmostEqual(figures["roi"], 150.0)
        self.assertAlmostEqual(figures["cost_per_lead"], 500.0)
        self.assertAlmostEqual(figures["cost_per_won"], 1000.0)

    def test_revenue_counts_only_paid_invoices_minus_paid_refunds(self):
        self._cost(self.campaign, actual=1000)
        self._invoice(self.campaign, 4000)
        self._invoice(self.campaign, 9000, paid=False)
        self._invoice(self.campaign, 500, refund=True)
        self._invoice(self.campaign, 700, refund=True, paid=False)
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "campaign_id": self.campaign.campaign_id.id,
                "invoice_line_ids": [Command.create({"name": "Draft", "price_unit": 3000, "tax_ids": []})],
            }
        )
        self.assertEqual(draft.state, "draft")
        figures = self._figures()
        self.assertEqual(figures["revenue"], 3500)
        self.assertEqual(figures["invoice_count"], 4, "posted invoices and refunds, paid or not")
        self.assertAlmostEqual(figures["roi"], 250.0)

    def test_invoices_of_other_campaigns_do_not_count(self):
        self._invoice(self.campaigns["colleague"], 4000)
        self.assertEqual(self._figures()["revenue"], 0)

    def test_figures_are_zero_without_leads_or_cost(self):
        figures = self._figures()
        self.assertEqual(figures["roi"], 0.0)
        self.assertEqual(figures["cost_per_lead"], 0.0)
        self.assertEqual(figures["cost_per_won"], 0.0)

    def test_figures_of_several_campaigns_read_together_stay_apart(self):
        other = self.campaigns["colleague"]
        other.user_id = self.participant
        self._lead(self.campaign, won=True)
        self._lead(other)
        self._lead(other)
        both = (self.campaign | other).with_user(self.participant)
        counts = {row["id"]: (row["lead_count"], row["won_count"]) for row in both.read(["lead_count", "won_count"])}
        self.assertEqual(counts, {self.campaign.id: (1, 1), other.id: (2, 0)})

    def test_marketer_opens_the_documents_behind_the_figures(self):
        campaign = self.campaign.with_user(self.participant)
        opportunity = self._lead(self.campaign)
        invoice = self._invoice(self.campaign, 1000)
        self.assertIn(opportunity, self.env["crm.lead"].search(campaign.action_view_opportunities()["domain"]))
        self.assertEqual(self.env["account.move"].search(campaign.action_view_invoices()["domain"]), invoice)
        self.assertEqual(campaign.action_view_responses()["res_model"], "crm.campaign.response")
        self.assertEqual(
            campaign.action_view_responses()["domain"], [("campaign_id", "=", self.campaign.campaign_id.id)]
        )

    def test_responses_of_the_campaign_are_counted(self):
        self.env["crm.campaign.response"].create(
            {"campaign_id": self.campaign.campaign_id.id, "responder_name": "Visitor"}
        )
        self.assertEqual(self.campaign.with_user(self.participant).response_count, 1)


class TestCampaignCosts(CrmMarketingCampaignCommon):
    """Cost lines: positive amounts, the budget overspend shown, not blocked."""

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"].with_user(self.participant)

    def test_marketer_records_costs_of_own_campaign(self):
        self.campaign.write(
            {"cost_line_ids": [Command.create({"name": "Booth", "planned_amount": 3000, "actual_amount": 3200})]}
        )
        line = self.campaign.cost_line_ids
        self.assertEqual(line.company_id, self.company)
        self.assertEqual(line.currency_id, self.company.currency_id)
        self.assertEqual(self.campaign.actual_cost, 3200)

    def test_negative_amounts_are_refused_and_nothing_is_saved(self):
        CostLine = self.env["crm.marketing.cost.line"].with_user(self.participant)
        for values in ({"planned_amount": -1}, {"actual_amount": -100}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                CostLine.create(dict(values, name="Refund", campaign_id=self.campaign.id))
        self.assertFalse(CostLine.search([("campaign_id", "=", self.campaign.id)]))
        line = CostLine.create({"name": "Booth", "campaign_id": self.campaign.id, "actual_amount": 100})
        with self.assertRaises(ValidationError):
            line.write({"actual_amount": -5})
        self.assertEqual(line.actual_amount, 100)
        self.assertEqual(self.campaign.actual_cost, 100)

    def test_cost_of_a_step_of_another_campaign_is_refused(self):
        step = self.env["crm.marketing.campaign.step"].create(
            {"name": "Other fair", "campaign_id": self.campaigns["colleague"].id}
        )
        with self.assertRaises(ValidationError):
            self._cost(self.campaign, actual=10, step=step)

    def test_overspend_is_a_warning_not_a_block(self):
        self.campaign.budget = 1000
        self._cost(self.campaign, planned=900, actual=400)
        self.assertFalse(self.campaign.is_over_budget)
        self._cost(self.campaign, planned=300)
        self.assertTrue(self.campaign.is_over_budget, "the plan exceeds the budget")
        self._cost(self.campaign, actual=800)
        self.assertEqual(self.campaign.actual_cost, 1200, "the overspend is recorded")
        self.assertTrue(self.campaign.is_over_budget)

    def test_deleting_a_line_lowers_the_cost(self):
        line = self._cost(self.campaign, actual=700)
        self._cost(self.campaign, actual=300)
        line.with_user(self.participant).unlink()
        self.assertEqual(self.campaign.actual_cost, 300)

    def test_actual_cost_is_not_typed_in(self):
        self.assertTrue(self.campaign._fields["actual_cost"].readonly)


class TestCampaignExecutionChecks(CrmMarketingCampaignCommon):
    """A campaign is run by a branch of its company, or a team of its companies."""

    def test_branch_must_be_a_child_of_the_planning_company(self):
        campaign = self.campaigns["participant"].with_user(self.participant)
        campaign.executing_company_id = self.branch
        self.assertEqual(campaign.executing_company_id, self.branch)
        for company in (self.company, self.company_2):
            with self.subTest(company=company.name), self.assertRaises(ValidationError):
                self.campaigns["participant"].executing_company_id = company

    def test_team_must_belong_to_a_company_of_the_campaign(self):
        campaign = self.campaigns["participant"]
        campaign.team_id = self.team
        other_team = self.env["crm.team"].create({"name": "Second company team", "company_id": self.company_2.id})
        with self.assertRaises(ValidationError):
            campaign.team_id = other_team
