from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    def test_marketer_plans_and_launches_campaign(self):
        marketer = new_test_user(
            self.env,
            login="mkt_tour_marketer",
            password="mkt_tour_marketer",
            groups="crm_marketing.group_crm_marketing_user",
        )
        self.start_tour("/odoo", "crm_marketing_tour", login=marketer.login)
        campaign = self.env["crm.marketing.campaign"].search([("title", "=", "Tour: spring trade fair")])
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.budget, 4500)
        self.assertEqual(campaign.user_id, marketer)
