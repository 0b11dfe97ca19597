from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    """The module's main flow in the web client (``static/tests/tours/crm_sfa_tour.js``)."""

    def test_salesperson_takes_lead_to_won(self):
        """A real lead: qualified, converted, held by a stage gate then moved, quoted, ordered, won."""
        salesperson = new_test_user(
            self.env,
            login="sfa_tour_salesperson",
            password="sfa_tour_salesperson",
            groups="sales_team.group_sale_salesman,crm.group_use_lead",
        )
        team = self.env["crm.team"].create(
            {"name": "SFA Tour Team", "use_leads": True, "member_ids": [Command.link(salesperson.id)]}
        )
        customer = self.env["res.partner"].create({"name": "SFA Tour Customer"})
        product = self.env["product.product"].create(
            {"name": "SFA Tour Product", "type": "service", "list_price": 1250.0, "taxes_id": False}
        )
        # the criteria the module ships, and only those: Budget, Authority, Need, Timing
        criteria = self.env["crm.qualification.criterion"].search([])
        shipped = self.env["crm.qualification.criterion"].browse(
            self.env.ref(f"crm_sfa.crm_qualification_criterion_{name}").id
            for name in ("budget", "authority", "need", "timing")
        )
        (criteria - shipped).active = False
        proposition = self.env.ref("crm.stage_lead3")
        self.env["crm.stage.gate"].create(
            {
                "stage_id": proposition.id,
                "team_id": team.id,
                "field_ids": [Command.link(self.env["ir.model.fields"]._get("crm.lead", "expected_revenue").id)],
                "criterion_ids": [Command.link(shipped[0].id)],
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "SFA Tour Deal",
                "type": "lead",
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "team_id": team.id,
                "expected_revenue": 0,
            }
        )
        self.start_tour("/odoo", "crm_sfa_tour", login=salesperson.login)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id, customer)
        self.assertEqual(lead.user_id, salesperson)
        self.assertEqual(lead.crm_qualification_criterion_ids, shipped[:3])
        self.assertEqual(lead.crm_qualification_score, 75)
        self.assertEqual(lead.expected_revenue, 25000)
        self.assertTrue(lead.stage_id.is_won, "the opportunity is won")
        self.assertEqual(lead.probability, 100)
        history = lead.crm_stage_history_ids.sorted("id")
        self.assertIn(proposition, history.stage_id, "it went through Proposition")
        order = lead.order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale", "the opportunity carries a confirmed order")
        self.assertEqual(order.partner_id, customer)
        self.assertEqual(order.order_line.product_id, product)
        self.assertEqual(order.amount_untaxed, 1250.0)
