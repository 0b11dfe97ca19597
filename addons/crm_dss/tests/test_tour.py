from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "is_tour")
class TestTour(HttpCase):
    def test_executive_opens_dashboard_and_drills_down(self):
        company = self.env["res.company"].create({"name": "Tour Performance Company"})
        executive = new_test_user(
            self.env,
            login="dss_tour_executive",
            groups="crm_dss.group_crm_dss_executive",
            company_id=company.id,
        )
        product = self.env["product.product"].create({"name": "Tour Consulting", "type": "service"})
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "Tour Customer"}).id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "price_unit": 1200.0})],
                }
            )
        )
        order.action_confirm()

        self.start_tour("/odoo", "crm_dss_tour", login=executive.login)
