from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    """The module's main flow in the web client (``static/tests/tours/crm_eai_tour.js``)."""

    def test_operator_retries_a_message_given_up(self):
        """An operator, no Settings administrator, finds the message given up from the
        dashboard, reads its error and retries it."""
        operator = new_test_user(self.env, login="eai_tour_operator", groups="crm_eai.group_crm_eai_user")
        self.assertFalse(operator.has_group("base.group_system"))
        backend = self.env["crm.eai.backend"].create(
            {"name": "Tour MIS", "kind": "mis", "protocol": "soap", "wsdl_url": "https://mis.example.com/service?wsdl"}
        )
        # sudo: messages are written by the integration only
        Exchange = self.env["crm.eai.exchange"].sudo()
        exchange = Exchange.create(
            {
                "backend_id": backend.id,
                "kind": "push",
                "direction": "out",
                "entity": "order",
                "idempotency_key": "tour-dead",
                "state": "dead",
                "attempts": 8,
                "error": "The system refused order S00042: unknown customer C-9.",
                "error_kind": "soap_client",
            }
        )
        failing = Exchange.create(
            {
                "backend_id": backend.id,
                "kind": "pull",
                "direction": "in",
                "entity": "customer",
                "idempotency_key": "tour-failed",
                "state": "failed",
                "attempts": 2,
                "error": "Timed out after 30 s.",
            }
        )

        self.start_tour("/odoo", "crm_eai_tour", login=operator.login)

        self.assertRecordValues(
            exchange | failing, [{"state": "pending", "attempts": 0}, {"state": "failed", "attempts": 2}]
        )
        job = self.env["queue.job"].search([("identity_key", "=", f"crm_eai_exchange:{exchange.id}")])
        self.assertEqual(job.channel, backend.channel_id.complete_name)
        self.assertIn(operator.name, backend.message_ids[0].body)
