"""Every sending path of the suite respects the contacts' preferences: a mailing, an SMS
mailing, a campaign's mailing and SMS steps, a workflow's mail step and a service case's
notification reach the contact who allows the channel, and neither the one who refused
it (``crm_allow_email`` / ``crm_allow_sms``) nor the one whose address and number are
blacklisted. Through Odoo's mail and SMS test gateways: nothing leaves the machine."""

from contextlib import contextmanager

from odoo import Command
from odoo.tests import tagged

from odoo.addons.crm_service.tests.common import CrmServiceCommon
from odoo.addons.mail.tests.common import MailCase
from odoo.addons.sms.tests.common import SMSCase

MARKETER = "crm_marketing.group_crm_marketing_user,mass_mailing.group_mass_mailing_user"


@tagged("post_install", "-at_install")
class TestContactPreferencesPaths(CrmServiceCommon, MailCase, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls.company.email = "news@printco.example.com"
        Partner = cls.env["res.partner"]
        cls.willing = Partner.create({"name": "Willing", "email": "willing@example.com", "mobile": "+8613900000101"})
        cls.refusing = Partner.create(
            {
                "name": "Refusing",
                "email": "refusing@example.com",
                "mobile": "+8613900000102",
                "crm_allow_email": False,
                "crm_allow_sms": False,
            }
        )
        cls.blocked = Partner.create({"name": "Blocked", "email": "blocked@example.com", "mobile": "+8613900000103"})
        cls.env["mail.blacklist"].create({"email": cls.blocked.email})
        cls.env["phone.blacklist"].create({"number": cls.blocked.mobile})
        cls.customers = cls.willing | cls.refusing | cls.blocked
        cls.marketer = cls._create_user("prefs_marketer", MARKETER, cls.department)
        cls.campaign = cls.env["crm.marketing.campaign"].create(
            {"title": "Spring", "user_id": cls.marketer.id, "company_id": cls.company.id, "budget": 1000}
        )

    @contextmanager
    def _gateways(self):
        with self.mock_mail_gateway(), self.mockSMSGateway():
            yield

    def _send(self, mailing):
        """Send ``mailing`` to the three customers as its marketer; its traces by customer."""
        mailing = mailing.with_user(self.marketer)
        mailing.write({"mailing_domain": [("id", "in", self.customers.ids)], "body_plaintext": "Spring is here"})
        mailing.body_html = "<p>Spring is here</p>"
        with self._gateways():
            mailing.action_send_mail()
        return {self.customers.browse(t.res_id): (t.trace_status, t.failure_type) for t in mailing.mailing_trace_ids}

    def assertOnlyWillingReached(self, traces, mailing_type):
        blocked = "mail_bl" if mailing_type == "mail" else "sms_blacklist"
        self.assertEqual(
            traces,
            {
                # the test gateway sends the mails at once; the SMS wait in the queue
                self.willing: ("sent" if mailing_type == "mail" else "outgoing", False),
                self.refusing: ("cancel", "mail_optout" if mailing_type == "mail" else "sms_optout"),
                self.blocked: ("cancel", blocked),
            },
        )

    def _mailing(self, mailing_type, **values):
        return (
            self.env["mailing.mailing"]
            .with_user(self.marketer)
            .create(
                {
                    "subject": f"Spring news ({mailing_type})",
                    "mailing_type": mailing_type,
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    **values,
                }
            )
        )

    def test_an_email_mailing(self):
        traces = self._send(self._mailing("mail"))
        self.assertOnlyWillingReached(traces, "mail")
        self.assertEqual(self._new_mails.filtered(lambda m: m.state != "cancel").recipient_ids, self.willing)

    def test_an_sms_mailing(self):
        traces = self._send(self._mailing("sms"))
        self.assertOnlyWillingReached(traces, "sms")
        self.assertEqual(self._new_sms.filtered(lambda s: s.state == "outgoing").partner_id, self.willing)

    def test_a_campaigns_mailing_and_sms_steps(self):
        for kind, mailing_type in (("mailing", "mail"), ("sms", "sms")):
            with self.subTest(kind=kind):
                step = (
                    self.env["crm.marketing.campaign.step"]
                    .with_user(self.marketer)
                    .create({"name": f"Spring {kind}", "campaign_id": self.campaign.id, "kind": kind})
                )
                step.action_prepare_mailing()
                self.assertEqual(step.mailing_id.campaign_id, self.campaign.campaign_id)
                self.assertOnlyWillingReached(self._send(step.mailing_id), mailing_type)

    def test_a_workflows_mail_step(self):
        event_model = self.env["ir.model"]._get("crm.event")
        template = self.env["mail.template"].create(
            {
                "name": "Event follow-up",
                "model_id": event_model.id,
                "subject": "About {{ object.name }}",
                "body_html": "<p>We are on it.</p>",
                "partner_to": "{{ object.partner_id.id }}",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Mail the customer",
                "model_id": event_model.id,
                "state": "mail_post",
                "template_id": template.id,
                "mail_post_method": "email",
                "crm_workflow_usable": True,
            }
        )
        process = self.env["crm.workflow.process"].create(
            {
                "name": "Follow-up",
                "code": "PREFS-FOLLOW-UP",
                "model_id": event_model.id,
                "activity_ids": [
                    Command.create({"name": name, "kind": kind, "sequence": sequence, **extra})
                    for sequence, (name, kind, extra) in enumerate(
                        [("Start", "start", {}), ("Mail", "auto", {"action_id": action.id}), ("End", "end", {})]
                    )
                ],
            }
        )
        by_name = {activity.name: activity for activity in process.activity_ids}
        process.transition_ids = [
            Command.create({"sequence": sequence, "source_id": by_name[a].id, "target_id": by_name[b].id})
            for sequence, (a, b) in enumerate([("Start", "Mail"), ("Mail", "End")])
        ]
        process.action_activate()
        events = (
            self.env["crm.event"]
            .with_context(crm_workflow_no_rules=True)
            .create(
                [
                    {"name": f"Event of {c.name}", "partner_id": c.id, "company_id": self.company.id}
                    for c in self.customers
                ]
            )
        )
        with self._gateways():
            process._start_manually(events)
        mails = self._new_mails.filtered(lambda mail: mail.model == "crm.event")
        self.assertEqual(
            {mail.res_id: (mail.state, mail.failure_type, mail.recipient_ids) for mail in mails},
            {
                events[0].id: ("outgoing", False, self.willing),
                events[1].id: ("cancel", "mail_optout", self.env["res.partner"]),
                events[2].id: ("cancel", "mail_optout", self.env["res.partner"]),
            },
        )

    def test_a_service_cases_notification(self):
        for customer in self.customers:
            with self._gateways():
                self.env["crm.service.case"].with_user(self.agent_a).create(
                    {"subject": "The printer does not start", "partner_id": customer.id}
                )
            reached = (
                bool(self._new_mails.filtered(lambda mail, c=customer: c in mail.recipient_ids)),
                bool(self._new_sms.filtered(lambda sms, c=customer: sms.partner_id == c)),
            )
            self.assertEqual(reached, (customer == self.willing, False), customer.name)
