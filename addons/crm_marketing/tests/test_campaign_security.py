from odoo.exceptions import AccessError, UserError

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_campaign import CrmMarketingCampaignCommon

MODELS = (
    "crm.marketing.campaign",
    "crm.marketing.campaign.step",
    "crm.marketing.cost.line",
    "crm.marketing.channel.report",
)
CAMPAIGN_BUTTONS = {
    "action_start",
    "action_done",
    "action_cancel",
    "action_view_leads",
    "action_view_opportunities",
    "action_view_orders",
    "action_view_invoices",
    "action_view_responses",
    "action_view_steps",
}
STEP_BUTTONS = {"action_done", "action_cancel", "action_reset", "action_prepare_mailing"}


class TestCampaignRpcAttack(CrmMarketingCampaignCommon):
    """Every button of the campaign models, called over RPC by those who may not press it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.campaigns["participant"]
        cls.step = cls.env["crm.marketing.campaign.step"].create(
            {"campaign_id": cls.campaign.id, "name": "Invitation", "kind": "mailing", "user_id": cls.participant.id}
        )
        cls.cost = cls.env["crm.marketing.cost.line"].create(
            {"campaign_id": cls.campaign.id, "name": "Booth", "actual_amount": 100}
        )

    def test_public_methods_are_the_buttons(self):
        found = {pair for pair in public_methods(self.env, "crm_marketing") if pair[0] in MODELS}
        expected = {("crm.marketing.campaign", name) for name in CAMPAIGN_BUTTONS} | {
            ("crm.marketing.campaign.step", name) for name in STEP_BUTTONS
        }
        # create and write of the steps are public too: extended for the activities and the field guard
        expected |= {("crm.marketing.campaign.step", "create"), ("crm.marketing.campaign.step", "write")}
        self.assertEqual(found, expected)

    def test_salesperson_and_portal_press_no_campaign_button(self):
        for user in (self.salesperson, self.portal, self.company2_user):
            for method in sorted(CAMPAIGN_BUTTONS):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.campaign", method, self.campaign.ids)
        self.assertEqual(self.campaign.state, "draft")

    def test_salesperson_and_portal_press_no_step_button(self):
        for user in (self.salesperson, self.portal, self.company2_user):
            for method in sorted(STEP_BUTTONS):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.marketing.campaign.step", method, self.step.ids)
        self.assertEqual(self.step.state, "todo")
        self.assertFalse(self.step.mailing_id)

    def test_salesperson_running_the_campaign_presses_only_their_step_buttons(self):
        self.campaign.executing_company_id = self.branch
        own = self.env["crm.marketing.campaign.step"].create(
            {"campaign_id": self.campaign.id, "name": "Visit", "kind": "sms", "user_id": self.branch_rep.id}
        )
        for method in ("action_start", "action_done", "action_cancel"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.branch_rep, "crm.marketing.campaign", method, self.campaign.ids)
        # reading what the campaign brought is theirs: the buttons only open lists
        self.assertEqual(
            call_kw(self.branch_rep, "crm.marketing.campaign", "action_view_leads", self.campaign.ids)["domain"],
            [("campaign_id", "=", self.campaign.campaign_id.id)],
        )
        with self.assertRaises(AccessError):
            call_kw(self.branch_rep, "crm.marketing.campaign.step", "action_prepare_mailing", own.ids)
        with self.assertRaises(AccessError):
            call_kw(self.branch_rep, "crm.marketing.campaign.step", "action_done", self.step.ids)
        call_kw(self.branch_rep, "crm.marketing.campaign.step", "action_done", own.ids)
        self.assertEqual(own.state, "done")

    def test_nobody_but_marketing_writes_or_deletes_over_rpc(self):
        attacks = [
            ("crm.marketing.campaign", "write", self.campaign.ids, {"budget": 1}),
            ("crm.marketing.campaign", "unlink", self.campaign.ids),
            ("crm.marketing.campaign", "create", {"title": "Rogue"}),
            ("crm.marketing.campaign.step", "write", self.step.ids, {"state": "done"}),
            ("crm.marketing.campaign.step", "unlink", self.step.ids),
            ("crm.marketing.campaign.step", "create", {"campaign_id": self.campaign.id, "name": "Rogue"}),
            ("crm.marketing.cost.line", "write", self.cost.ids, {"actual_amount": 0}),
            ("crm.marketing.cost.line", "unlink", self.cost.ids),
            ("crm.marketing.cost.line", "create", {"campaign_id": self.campaign.id, "name": "Rogue"}),
            ("crm.marketing.channel.report", "search_read", []),
        ]
        # the marketer of the second company makes campaigns and reads the analysis of their own company
        legit_in_own_company = {("crm.marketing.campaign", "create"), ("crm.marketing.channel.report", "search_read")}
        for user in (self.salesperson, self.portal, self.company2_user):
            for model, method, *args in attacks:
                if user == self.company2_user and (model, method) in legit_in_own_company:
                    continue
                with self.subTest(user=user.login, model=model, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
        self.assertTrue(self.cost.exists() and self.step.exists() and self.campaign.exists())
        self.assertEqual(self.cost.actual_amount, 100)

    def test_the_wrong_kind_of_step_prepares_no_mailing(self):
        task = self.env["crm.marketing.campaign.step"].create({"campaign_id": self.campaign.id, "name": "Task"})
        with self.assertRaises(UserError):
            call_kw(self.participant, "crm.marketing.campaign.step", "action_prepare_mailing", task.ids)
