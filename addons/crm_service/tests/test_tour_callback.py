from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "is_tour")
class TestCallbackTour(HttpCase):
    """A visitor asks to be called back through the public form, in the browser."""

    def test_visitor_asks_to_be_called_back(self):
        agent = new_test_user(
            self.env, login="service_tour_callback_agent", groups="crm_service.group_crm_service_user", tz="UTC"
        )
        team = self.env["crm.service.team"].create({"name": "Tour Call Centre", "leader_id": agent.id})

        def route(cases):
            # as a routing rule sending web requests to the call centre would (routing is tested on its own)
            cases.write({"team_id": team.id})

        with patch.object(type(self.env["crm.service.case"]), "_crm_service_route", route):
            self.start_tour("/service/callback", "crm_service_callback_tour")

        case = self.env["crm.service.case"].search([("subject", "=", "Call-back request: Tour Visitor")])
        self.assertEqual(len(case), 1)
        self.assertRecordValues(case, [{"channel": "web", "team_id": team.id, "partner_phone": "+86 139 1234 5678"}])
        self.assertEqual(case.partner_id.name, "Tour Visitor")
        self.assertIn("error E42", case.description)
        # tomorrow at 10:00 in the browser's zone: within two days from now, whatever the zones
        now = fields.Datetime.now()
        self.assertTrue(now < case.callback_date < now + timedelta(days=2))
        self.assertRecordValues(
            case.activity_ids,
            [{"activity_type_id": self.env.ref("mail.mail_activity_data_call").id, "user_id": agent.id}],
        )
        self.assertEqual(self.env["crm.service.status.lookup"].search([("kind", "=", "callback")]).success, True)
