from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    def test_salesperson_adds_opportunity_to_pipeline(self):
        salesperson = new_test_user(
            self.env,
            login="sfa_tour_salesperson",
            password="sfa_tour_salesperson",
            groups="sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create({"name": "SFA Tour Customer"})
        self.start_tour("/odoo", "crm_sfa_tour", login=salesperson.login)
        lead = self.env["crm.lead"].search([("name", "=", "SFA Tour Opportunity")])
        self.assertEqual(lead.partner_id, customer)
        self.assertEqual(lead.user_id, salesperson)
        self.assertEqual(lead.type, "opportunity")

    def test_salesperson_takes_lead_to_won_with_confirmed_order(self):
        """The module's main flow: new opportunity -> quotation -> confirmed order -> won."""
        salesperson = new_test_user(
            self.env,
            login="sfa_won_salesperson",
            password="sfa_won_salesperson",
            groups="sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create({"name": "SFA Won Customer"})
        product = self.env["product.product"].create(
            {"name": "SFA Won Product", "type": "service", "list_price": 1250.0, "taxes_id": False}
        )
        self.start_tour("/odoo", "crm_sfa_lead_to_won_tour", login=salesperson.login)
        lead = self.env["crm.lead"].search([("name", "=", "SFA Won Opportunity")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, customer)
        self.assertEqual(lead.user_id, salesperson)
        self.assertTrue(lead.stage_id.is_won, "the opportunity is won")
        self.assertEqual(lead.probability, 100)
        order = lead.order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale", "the opportunity carries a confirmed order")
        self.assertEqual(order.partner_id, customer)
        self.assertEqual(order.order_line.product_id, product)
        self.assertEqual(order.amount_untaxed, 1250.0)
