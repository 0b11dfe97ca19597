import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCampaignResponseForm(HttpCase):
    """The public web form of a campaign, posted as a landing page (or an attacker) does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = new_test_user(cls.env, "suite_form_owner", groups="crm_marketing.group_crm_marketing_user")
        cls.campaign = cls.env["crm.marketing.campaign"].create({"title": "Web form campaign", "user_id": cls.owner.id})
        cls.utm = cls.campaign.campaign_id
        cls.url = f"/crm_marketing/form/{cls.utm.crm_form_token}"
        cls.env["ir.config_parameter"].set_param("crm_marketing.form_limit", "5")

    def _post(self, data, url=None, json_body=False):
        if json_body:
            return self.url_open(url or self.url, data=json.dumps(data), headers={"Content-Type": "application/json"})
        return self.url_open(url or self.url, data=data)

    def _responses(self):
        return self.env["crm.campaign.response"].search([("campaign_id", "=", self.utm.id)])

    def test_good_submission(self):
        answer = self._post(
            {
                "name": "Kim Prospect",
                "email": "Kim@Prospect.example",
                "phone": "+32 2 555 01 99",
                "company": "Prospect SA",
                "message": "Please send the catalogue",
                # what the caller may not choose: ignored
                "user_id": "1",
                "company_id": "2",
                "kind": "open",
                "lead_id": "1",
            }
        )
        self.assertEqual(answer.status_code, 201)
        self.assertEqual(answer.json(), {"ok": True})
        response = self._responses()
        self.assertRecordValues(
            response,
            [
                {
                    "kind": "form",
                    "responder_name": "Kim Prospect",
                    "email": "kim@prospect.example",
                    "phone": "+32 2 555 01 99",
                    "company_name": "Prospect SA",
                    "interest": "Please send the catalogue",
                    "company_id": self.campaign.company_id.id,
                }
            ],
        )
        # the default rule: a new lead, a call for the campaign's responsible (nobody owns the lead)
        self.assertEqual(response.lead_id.email_from, "kim@prospect.example")
        self.assertEqual(response.lead_id.medium_id, self.env.ref("utm.utm_medium_website"))
        self.assertEqual(response.activity_id.user_id, self.owner)
        self.assertEqual(response.user_id, self.owner)

    def test_json_submission(self):
        answer = self._post({"name": "Lou", "phone": "0470 99 88 77"}, json_body=True)
        self.assertEqual(answer.status_code, 201)
        self.assertEqual(self._responses().responder_name, "Lou")
        answer = self._post(["not", "an", "object"], json_body=True)
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(answer.json()["error"], "invalid_json")

    def test_bad_submissions(self):
        cases = [
            ({"email": "a@x.com"}, {"name": "required"}),
            ({"name": "Max"}, {"email": "contact_required"}),
            ({"name": "Max", "email": "not an email"}, {"email": "invalid"}),
            ({"name": "Max", "email": "a@x.com", "message": "m" * 2001}, {"message": "too_long"}),
        ]
        for data, errors in cases:
            with self.subTest(data=data):
                answer = self._post(data)
                self.assertEqual(answer.status_code, 400)
                self.assertEqual(answer.json(), {"error": "invalid", "fields": errors})
        self.assertFalse(self._responses())

    def test_unknown_and_malformed_tokens(self):
        for url in ("/crm_marketing/form/" + "x" * 32, "/crm_marketing/form/short", "/crm_marketing/form/a%27%3B--"):
            with self.subTest(url=url):
                answer = self._post({"name": "Ned", "email": "ned@x.com"}, url=url)
                self.assertEqual(answer.status_code, 404)
        self.utm.action_crm_new_form_token()
        answer = self._post({"name": "Ned", "email": "ned@x.com"})
        self.assertEqual(answer.status_code, 404, "the old address stops taking submissions")
        self.assertFalse(self._responses())

    def test_too_large_and_get(self):
        answer = self._post({"name": "Oz", "email": "oz@x.com", "message": "m" * 20000})
        self.assertEqual(answer.status_code, 413)
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(self.url).status_code, 405)
        self.assertFalse(self._responses())

    def test_rate_limit(self):
        for index in range(4):
            answer = self._post({"name": f"Pat {index}", "email": f"pat{index}@x.com"})
            self.assertEqual(answer.status_code, 201)
        # unknown tokens count too: they cannot be tried without limit
        self.assertEqual(
            self._post({"name": "Pat", "email": "p@x.com"}, url="/crm_marketing/form/" + "y" * 32).status_code, 404
        )
        answer = self._post({"name": "Pat 5", "email": "pat5@x.com"})
        self.assertEqual(answer.status_code, 429)
        self.assertEqual(answer.headers["Retry-After"], "600")
        self.assertEqual(len(self._responses()), 4)
