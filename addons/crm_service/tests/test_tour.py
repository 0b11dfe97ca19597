import re

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "is_tour")
class TestTour(HttpCase):
    def test_phone_complaint_followed_to_closure_and_rated(self):
        agent = new_test_user(self.env, login="service_tour_agent", groups="crm_service.group_crm_service_user")
        customer = self.env["res.partner"].create(
            {"name": "Tour Printing Company", "phone": "+86 21 6888 1234", "email": "tour@printing.example.com"}
        )
        earlier = self.env["crm.service.case"].create(
            {"subject": "Toner leaks", "partner_id": customer.id, "user_id": agent.id}
        )

        self.start_tour("/odoo/action-crm_service.crm_service_case_action", "crm_service_tour", login=agent.login)

        case = self.env["crm.service.case"].search([("partner_id", "=", customer.id), ("id", "!=", earlier.id)])
        self.assertEqual(len(case), 1)
        self.assertRecordValues(
            case,
            [
                {
                    "subject": "The technician never came",
                    "case_type": "complaint",
                    "channel": "phone",
                    "user_id": agent.id,
                    "state": "solved",
                    "brief_status": "resolved",
                }
            ],
        )
        self.assertTrue(case.acceptance_number)
        # the complaint's event runs the suite's complaint flow
        self.assertEqual(case.event_id.event_type, "complaint")
        flows = self.env["crm.workflow.instance"].search(
            [("res_model", "=", "crm.event"), ("res_id", "=", case.event_id.id)]
        )
        self.assertIn("COMPLAINT", flows.process_id.mapped("code"))

        # the customer rates the service from the link of their mail (no login)
        self.authenticate(None, None)
        token = case._rating_get_access_token()
        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/rate/{token}/submit_feedback", data={"rate": 5, "feedback": "Thank you", "csrf_token": csrf_token}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(case.rating_last_value, 5)
        self.assertEqual(case.rating_ids.feedback, "Thank you")
