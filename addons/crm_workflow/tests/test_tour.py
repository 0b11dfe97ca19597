from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    def test_participant_records_and_closes_event(self):
        participant = new_test_user(
            self.env, login="wf_tour_participant", password="wf_tour_participant", groups="base.group_user"
        )
        self.start_tour("/odoo", "crm_workflow_tour", login=participant.login)
        event = self.env["crm.event"].search([("name", "=", "Tour: late delivery complaint")])
        self.assertEqual(event.state, "done")
        self.assertEqual(event.event_type, "complaint")
        self.assertEqual(event.user_id, participant)
