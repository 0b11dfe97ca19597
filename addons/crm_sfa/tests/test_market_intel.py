from odoo import Command
from odoo.exceptions import AccessError

from .common import CrmSfaCommon


class TestMarketIntel(CrmSfaCommon):
    """Market intelligence: the management and decision levels only, per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.competitor = Partner.create({"name": "Rival Corp", "is_company": True, "crm_is_competitor": True})
        cls.other_competitor = Partner.create({"name": "Other Rival", "is_company": True, "crm_is_competitor": True})
        cls.deal = cls.leads["participant"]
        cls.deal.crm_competitor_ids = cls.competitor
        Intel = cls.env["crm.market.intel"]
        cls.intel_deal = Intel.create(
            {
                "name": "Customer compares offers",
                "kind": "competitor",
                "opportunity_ids": [Command.link(cls.deal.id)],
                "company_id": cls.company.id,
            }
        )
        cls.intel_competitor = Intel.create(
            {
                "name": "Rival Corp cuts prices",
                "kind": "pricing",
                "competitor_ids": [Command.link(cls.competitor.id)],
                "country_ids": [Command.link(cls.env.ref("base.be").id)],
                "company_id": cls.company.id,
            }
        )
        cls.intel_other = Intel.create(
            {
                "name": "Other Rival opens a shop",
                "kind": "competitor",
                "competitor_ids": [Command.link(cls.other_competitor.id)],
                "company_id": cls.company.id,
            }
        )
        cls.intel_company2 = Intel.create(
            {"name": "New regulation", "kind": "regulation", "company_id": cls.company_2.id}
        )
        cls.intel_hq = cls.intel_deal | cls.intel_competitor | cls.intel_other
        cls.intel = cls.intel_hq | cls.intel_company2

    def test_manager_records_intelligence(self):
        Intel = self.env["crm.market.intel"].with_user(self.manager)
        intel = Intel.create(
            {
                "name": "Trade fair rumours",
                "kind": "industry",
                "description": "<p>Rival Corp launches a new range.</p>",
                "competitor_ids": [Command.link(self.competitor.id)],
            }
        )
        self.assertEqual(intel.user_id, self.manager)
        self.assertEqual(intel.company_id, self.company)
        intel.write({"kind": "product", "url": "https://example.com/news"})
        self.assertVisible(self.manager, self.intel | intel, self.intel_hq | intel)

    def test_executive_reads_intelligence_of_allowed_companies(self):
        companies = self.company | self.company_2
        self.assertVisible(self.executive, self.intel, self.intel, allowed_company_ids=companies.ids)
        self.assertVisible(self.executive, self.intel, self.intel_hq, allowed_company_ids=[self.company.id])

    def test_executive_writes_intelligence_of_another_company(self):
        companies = self.company | self.company_2
        intel = self.intel_company2.with_user(self.executive).with_context(allowed_company_ids=companies.ids)
        intel.write({"source": "Board meeting", "competitor_ids": [Command.link(self.competitor.id)]})
        self.assertEqual(intel.source, "Board meeting")

    def test_second_company_intelligence_hidden_from_hq_manager(self):
        with self.assertRaises(AccessError):
            self.intel_company2.with_user(self.manager).read(["name"])

    def test_salesperson_has_no_access(self):
        Intel = self.env["crm.market.intel"].with_user(self.participant)
        with self.assertRaises(AccessError):
            Intel.search([])
        with self.assertRaises(AccessError):
            self.intel_deal.with_user(self.participant).read(["name"])
        with self.assertRaises(AccessError):
            Intel.create({"name": "Gossip"})

    def test_portal_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["crm.market.intel"].with_user(self.portal).search([])

    def test_salesperson_sees_deal_competitors(self):
        deal = self.deal.with_user(self.participant)
        self.assertEqual(deal.crm_competitor_ids.mapped("name"), ["Rival Corp"])
        competitors = self.env["res.partner"].with_user(self.participant).search([("crm_is_competitor", "=", True)])
        self.assertIn(self.competitor, competitors)

    def test_deal_counts_and_opens_its_intelligence(self):
        deal = self.deal.with_user(self.manager)
        self.assertEqual(deal.crm_market_intel_count, 2, "the intel about the deal and about its competitor")
        action = deal.action_view_crm_market_intel()
        found = self.env["crm.market.intel"].with_user(self.manager).search(action["domain"])
        self.assertEqual(found, self.intel_deal | self.intel_competitor)
        self.assertEqual(action["context"]["default_opportunity_ids"], [deal.id])

    def test_intelligence_count_is_hidden_from_salesperson(self):
        with self.assertRaises(AccessError):
            self.deal.with_user(self.participant).read(["crm_market_intel_count"])

    def test_search_by_kind_competitor_and_region(self):
        Intel = self.env["crm.market.intel"].with_user(self.manager)
        self.assertEqual(Intel.search([("id", "in", self.intel.ids), ("kind", "=", "pricing")]), self.intel_competitor)
        self.assertEqual(
            Intel.search([("id", "in", self.intel.ids), ("competitor_ids", "=", self.other_competitor.id)]),
            self.intel_other,
        )
        self.assertEqual(
            Intel.search([("id", "in", self.intel.ids), ("country_ids.code", "=", "BE")]), self.intel_competitor
        )
