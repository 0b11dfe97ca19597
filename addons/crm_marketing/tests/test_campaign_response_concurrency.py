from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race


@tagged("post_install", "-at_install")
class TestCampaignResponseConcurrency(BaseCase):
    """Two responses of one new responder arriving at the same moment (two workers: two
    cursors, two threads, retried on serialization failures as Odoo's workers retry):
    one lead, both responses on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.run_id = uuid4().hex[:8]  # committed data: names of this run only
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            campaign = env["crm.marketing.campaign"].create({"title": f"Concurrent responses {cls.run_id}"})
            cls.campaign_id = campaign.id
            cls.utm_id = campaign.campaign_id.id
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            responses = env["crm.campaign.response"].search([("campaign_id", "=", cls.utm_id)])
            leads = responses.lead_id | env["crm.lead"].with_context(active_test=False).search(
                [("campaign_id", "=", cls.utm_id)]
            )
            responses.unlink()
            leads.unlink()
            env["crm.campaign.response.lock"].search([("key", "like", f"%{cls.run_id}%")]).unlink()
            env["crm.marketing.campaign"].browse(cls.campaign_id).unlink()

    def _responder(self, email):
        def body(env):
            response = env["crm.campaign.response"].create(
                {"kind": "call", "campaign_id": self.utm_id, "responder_name": "Racer", "email": email}
            )
            response._crm_convert()
            env.flush_all()

        return body

    def test_same_responder_at_the_same_moment(self):
        email = f"racer-{self.run_id}@example.com"
        (errors_one, __), (errors_two, attempts_two) = race(
            self.registry, self._responder(email), self._responder(email.upper())
        )
        self.assertEqual(errors_one + errors_two, [])
        self.assertGreater(len(attempts_two), 1, "the second worker waited for the first and was retried")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            responses = env["crm.campaign.response"].search([("campaign_id", "=", self.utm_id)])
            self.assertEqual(len(responses), 2)
            self.assertEqual(len(responses.lead_id), 1)
            self.assertEqual(env["crm.lead"].search_count([("email_normalized", "=", email)]), 1)
