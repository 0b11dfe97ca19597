from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "is_tour")
class TestTour(HttpCase):
    def test_agent_opens_starts_and_solves_a_case(self):
        agent = new_test_user(self.env, login="service_tour_agent", groups="crm_service.group_crm_service_user")
        customer = self.env["res.partner"].create({"name": "Tour Printing Company"})

        self.start_tour("/odoo/action-crm_service.crm_service_case_action", "crm_service_tour", login=agent.login)

        case = self.env["crm.service.case"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(case), 1)
        self.assertRecordValues(case, [{"subject": "Printer does not start", "user_id": agent.id, "state": "solved"}])
        self.assertTrue(case.date_closed)
        self.assertTrue(case.name.startswith("CASE/"))
