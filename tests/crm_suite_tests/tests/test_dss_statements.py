from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from odoo.addons.crm_dss.tests.test_statement import CrmDssStatementCommon, read_workbook


@tagged("post_install", "-at_install")
class TestDssStatementsSuite(CrmDssStatementCommon):
    """The sections of the statements that the other add-ons feed: needs (crm), complaints
    (crm_service), campaigns and leads by source (crm_marketing)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_a.groups_id += cls.env.ref("sales_team.group_sale_salesman")
        # sudo: fixtures of other add-ons, created by their own managers in real life
        Lead = cls.env["crm.lead"].sudo()
        cls.source = cls.env["utm.source"].create({"name": "Trade Fair"})
        cls.opportunity = Lead.create(
            {
                "name": "Warehouse extension",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.sales_a.id,
                "team_id": cls.team.id,
                "company_id": cls.company.id,
                "expected_revenue": 12000.0,
                "description": "<p>Needs twelve new racks before winter</p>",
                "source_id": cls.source.id,
            }
        )
        cls.other_opportunity = Lead.create(
            {
                "name": "Export deal",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.sales_other.id,
                "team_id": cls.team.id,
                "company_id": cls.company.id,
                "expected_revenue": 3000.0,
            }
        )
        Case = cls.env["crm.service.case"].sudo()
        cls.complaint = Case.create(
            {
                "subject": "Racks delivered late",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "case_type": "complaint",
            }
        )
        Case.create({"subject": "How to assemble", "partner_id": cls.customer.id, "company_id": cls.company.id})
        Campaign = cls.env["crm.marketing.campaign"].sudo()
        cls.campaign = Campaign.create(
            {
                "title": "Spring racks campaign",
                "company_id": cls.company.id,
                "team_id": cls.team.id,
                "budget": 5000.0,
                "date_start": cls.today - timedelta(days=10),
                "state": "running",
            }
        )
        Campaign.create({"title": "Other team's campaign", "company_id": cls.company.id, "date_start": cls.today})

    def test_dossier_needs_and_complaints(self):
        (dossier,) = self.env["crm.dss.statement"].with_user(self.sales_a)._dss_customer_dossier(self.customer)
        self.assertTrue(dossier["show_needs"])
        self.assertEqual(dossier["pipeline"], {"count": 2, "expected_revenue": 15000.0})
        needs = {need["id"]: need for need in dossier["needs"]}
        visible = self.env["crm.lead"].with_user(self.sales_a).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(set(needs), set(visible.ids))
        self.assertIn(self.opportunity.id, needs)
        self.assertNotIn(self.other_opportunity.id, needs, "another salesperson's opportunity is not listed")
        self.assertIn("twelve new racks", needs[self.opportunity.id]["description"])
        self.assertTrue(dossier["show_complaints"])
        self.assertEqual(dossier["complaints"], {"count": 1, "open": 1})
        html = (
            self.env["ir.actions.report"]
            .with_user(self.sales_a)
            ._render_qweb_html("crm_dss.crm_dss_customer_dossier_report", self.customer.ids)[0]
            .decode()
        )
        self.assertIn("Warehouse extension", html)
        self.assertIn("Needs twelve new racks", html)
        self.assertIn("15,000.00", html)

    def test_dossier_complaints_listed_for_service_agents(self):
        """A salesperson who is also the service agent of the complaint finds it listed."""
        agent = self.sales_a
        agent.groups_id += self.env.ref("crm_service.group_crm_service_user")
        self.complaint.sudo().user_id = agent
        (dossier,) = self.env["crm.dss.statement"].with_user(agent)._dss_customer_dossier(self.customer)
        visible = (
            self.env["crm.service.case"]
            .with_user(agent)
            .search([("partner_id", "=", self.customer.id), ("case_type", "=", "complaint")])
        )
        self.assertEqual(visible, self.complaint)
        self.assertEqual([case["id"] for case in dossier["complaint_list"]], self.complaint.ids)
        self.assertEqual(dossier["complaint_list"][0]["subject"], "Racks delivered late")

    def test_marketing_statement_campaigns_and_leads(self):
        (statement,) = (
            self.env["crm.dss.statement"]
            .with_user(self.executive)
            ._dss_marketing_statement(self.team, self.today - timedelta(days=30), self.today)
        )
        self.assertTrue(statement["show_campaigns"])
        self.assertEqual([row["id"] for row in statement["campaigns"]], self.campaign.ids)
        self.assertEqual(statement["campaigns"][0]["budget"], 5000.0)
        by_source = {row["source"]: row for row in statement["leads_by_source"]}
        self.assertEqual(by_source["Trade Fair"]["count"], 1)
        self.assertEqual(by_source["Trade Fair"]["expected_revenue"], 12000.0)
        self.assertEqual(statement["lead_count"], 2)
        people = {row["user_id"]: row for row in statement["appraisal"]}
        self.assertEqual(people[self.sales_a.id]["leads"], 1)
        # the department manager: leads of their staff only, campaigns of a team led by one of them
        (mine,) = (
            self.env["crm.dss.statement"]
            .with_user(self.manager)
            ._dss_marketing_statement(self.team, self.today - timedelta(days=30), self.today)
        )
        self.assertEqual(mine["lead_count"], 1)
        self.assertEqual([row["id"] for row in mine["campaigns"]], self.campaign.ids)
        wizard = (
            self.env["crm.dss.marketing.statement"]
            .with_user(self.executive)
            .create(
                {
                    "team_ids": [Command.set(self.team.ids)],
                    "date_from": self.today - timedelta(days=30),
                    "date_to": self.today,
                }
            )
        )
        content, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.executive)
            ._render_xlsx("crm_dss.crm_dss_marketing_statement_report_xlsx", wizard.ids, None)
        )
        sheets = read_workbook(content)
        self.assertEqual([row[1] for row in sheets["Campaigns"][1:]], ["Spring racks campaign"])
        self.assertIn(("HQ Sales", "Trade Fair"), [row[:2] for row in sheets["Leads"][1:]])
