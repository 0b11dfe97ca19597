from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_response import CrmResponseCommon

MY_MODELS = {
    "crm.campaign.response",
    "crm.campaign.response.rule",
    "crm.campaign.response.lock",
    "utm.campaign",
    "mailing.trace",
    "crm.lead",
}


@tagged("post_install", "-at_install")
class TestCampaignResponseSecurity(CrmResponseCommon):
    """Who sees and changes which responses and rules, and what RPC callers cannot do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Response = cls.env["crm.campaign.response"]

        def response(key, name, user=None, company=None):
            return Response.create(
                {
                    "kind": "call",
                    "campaign_id": cls.campaigns[key].campaign_id.id,
                    "company_id": (company or cls.company).id,
                    "responder_name": name,
                    "user_id": user.id if user else False,
                }
            )

        cls.r_participant = response("participant", "Of participant's campaign")
        cls.r_colleague = response("colleague", "Of colleague's campaign")
        cls.r_sub = response("sub_user", "Of Sales North's campaign")
        cls.r_other = response("other_user", "Of Support's campaign")
        cls.r_salesperson = response("other_user", "Assigned to the salesperson", user=cls.salesperson)
        cls.r_company2 = response("company2_user", "Of company 2", company=cls.company_2)
        cls.r_company2_salesperson = response(
            "company2_user", "Company 2, assigned to the salesperson", user=cls.salesperson, company=cls.company_2
        )
        cls.responses = (
            cls.r_participant
            | cls.r_colleague
            | cls.r_sub
            | cls.r_other
            | cls.r_salesperson
            | cls.r_company2
            | cls.r_company2_salesperson
        )
        cls.salesperson.company_ids = [Command.link(cls.company_2.id)]

    def test_visibility_per_role(self):
        company1 = self.responses - self.r_company2 - self.r_company2_salesperson
        self.assertVisible(self.participant, self.responses, self.r_participant)
        self.assertVisible(self.colleague, self.responses, self.r_colleague)
        self.assertVisible(self.other_user, self.responses, self.r_other | self.r_salesperson)
        self.assertVisible(self.salesperson, self.responses, self.r_salesperson, allowed_company_ids=self.company.ids)
        # the manager of Sales: the campaigns of Sales and Sales North
        self.assertVisible(self.manager, self.responses, self.r_participant | self.r_colleague | self.r_sub)
        self.assertVisible(self.executive, self.responses, company1, allowed_company_ids=self.company.ids)
        self.assertVisible(
            self.executive,
            self.responses,
            self.responses,
            allowed_company_ids=(self.company | self.company_2).ids,
        )
        self.assertVisible(self.company2_user, self.responses, self.r_company2 | self.r_company2_salesperson)
        # the salesperson of both companies sees their own of company 2 when working in it
        self.assertVisible(
            self.salesperson,
            self.responses,
            self.r_salesperson | self.r_company2_salesperson,
            allowed_company_ids=(self.company | self.company_2).ids,
        )
        with self.assertRaises(AccessError):
            self.env["crm.campaign.response"].with_user(self.portal).search([])

    def test_write_and_unlink(self):
        self.r_salesperson.with_user(self.salesperson).interest = "Called: wants an offer"
        for user, response in (
            (self.salesperson, self.r_participant),
            (self.colleague, self.r_participant),
            (self.company2_user, self.r_participant),
        ):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                response.with_user(user).interest = "Not mine"
        # a salesperson creates only responses of their own
        with self.assertRaises(AccessError):
            self.env["crm.campaign.response"].with_user(self.salesperson).create(
                {"campaign_id": self.utm.id, "responder_name": "X", "user_id": self.colleague.id}
            )
        for user in (self.salesperson, self.participant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.r_participant.with_user(user).unlink()
        self.r_participant.with_user(self.manager).unlink()
        self.assertFalse(self.r_participant.exists())

    def test_rules_access(self):
        Rule = self.env["crm.campaign.response.rule"]
        self.assertIn(self.default_rule, Rule.with_user(self.participant).search([]))
        with self.assertRaises(AccessError):
            self.default_rule.with_user(self.participant).days = 5
        with self.assertRaises(AccessError):
            Rule.with_user(self.participant).create({"name": "Mine", "on_click": True})
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Rule.with_user(user).search([])
        rule = Rule.with_user(self.manager).create({"name": "Managed", "on_form": True})
        rule.with_user(self.manager).days = 1
        company2_rule = Rule.create({"name": "Company 2 rule", "on_form": True, "company_id": self.company_2.id})
        self.assertNotIn(company2_rule, Rule.with_user(self.manager).search([]))
        self.assertIn(company2_rule, Rule.with_user(self.company2_user).search([]))

    def test_locks_are_the_system_s(self):
        Lock = self.env["crm.campaign.response.lock"]
        Lock._crm_lock(["responder:1:email:x@y.com"])
        for user in (self.participant, self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Lock.with_user(user).search([])
        lock = Lock.with_user(self.manager).search([("key", "=", "responder:1:email:x@y.com")])
        self.assertTrue(lock)
        with self.assertRaises(AccessError):
            lock.write({"attempt_count": 0})

    def test_form_token_is_the_marketers(self):
        token = self.utm.crm_form_token
        self.assertTrue(token)
        new = self.env["utm.campaign"].create({"title": "Own token", "crm_form_token": "chosen-by-the-caller-xxxxxxxx"})
        self.assertNotEqual(new.crm_form_token, "chosen-by-the-caller-xxxxxxxx")
        with self.assertRaises(AccessError):
            self.utm.with_user(self.salesperson).crm_form_token  # noqa: B018
        with self.assertRaises(AccessError):
            self.utm.with_user(self.participant).write({"crm_form_token": "chosen-by-the-caller-xxxxxxxx"})
        with self.assertRaises(AccessError):
            call_kw(self.salesperson, "utm.campaign", "action_crm_new_form_token", self.utm.ids)
        call_kw(self.participant, "utm.campaign", "action_crm_new_form_token", self.utm.ids)
        self.assertNotEqual(self.utm.crm_form_token, token)
        self.assertTrue(self.campaign.with_user(self.participant).crm_form_url.endswith(self.utm.crm_form_token))

    def test_public_methods_inventory(self):
        mine = {(model, method) for model, method in public_methods(self.env, "crm_marketing") if model in MY_MODELS}
        self.assertEqual(
            mine,
            {
                ("crm.campaign.response", "create"),
                ("crm.campaign.response", "write"),
                ("crm.campaign.response", "action_convert_to_lead"),
                ("utm.campaign", "create"),
                ("utm.campaign", "write"),
                ("utm.campaign", "action_crm_new_form_token"),
                ("mailing.trace", "set_opened"),
                ("mailing.trace", "set_clicked"),
                ("mailing.trace", "set_replied"),
            },
        )

    def test_call_kw_attacks(self):
        trace = self._trace(self.lead)
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login):
                # converting responses of others (or any, for the portal)
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.campaign.response", "action_convert_to_lead", self.r_participant.ids)
                # faking mailing responses: the traces are the mailing users'
                for method in ("set_opened", "set_clicked", "set_replied"):
                    with self.assertRaises(AccessError):
                        call_kw(user, "mailing.trace", method, trace.ids)
                # recording what only the system records, or linking what only the system links
                for values in (
                    {"kind": "form", "responder_name": "X"},
                    {"responder_name": "X", "trace_id": trace.id},
                    {"responder_name": "X", "lead_id": self.lead.id},
                    {"responder_name": "X", "activity_id": 1},
                    {"responder_name": "X", "rule_id": self.default_rule.id},
                ):
                    with self.assertRaises(AccessError):
                        call_kw(user, "crm.campaign.response", "create", [{"campaign_id": self.utm.id, **values}])
                with self.assertRaises(AccessError):
                    call_kw(
                        user,
                        "crm.campaign.response",
                        "create",
                        [{"responder_name": "X"}],
                        context={"default_kind": "open", "default_lead_id": self.lead.id},
                    )
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.campaign.response", "write", self.r_salesperson.ids, {"lead_id": self.lead.id})
        self.assertFalse(self._responses(trace))
        self.assertFalse(self.r_participant.lead_id)
        # the salesperson converts their own: the dedup reads as superuser, the caller chose the response only
        action = call_kw(self.salesperson, "crm.campaign.response", "action_convert_to_lead", self.r_salesperson.ids)
        self.assertEqual(action["res_id"], self.r_salesperson.lead_id.id)
        self.assertEqual(self.r_salesperson.lead_id.user_id, self.salesperson)
