from odoo.tests import tagged

from .common_process import CrmWorkflowProcessCase


@tagged("post_install", "-at_install")
class TestContactPreferencesWorkflow(CrmWorkflowProcessCase):
    """The mails a workflow's automatic step sends reach no one who refused email, nor a
    blacklisted address: the template's mail loses them (cancelled as *Opted Out* when no
    one is left), the posted message is not emailed to them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.willing = Partner.create({"name": "Willing", "email": "willing@example.com"})
        cls.refusing = Partner.create({"name": "Refusing", "email": "refusing@example.com", "crm_allow_email": False})
        cls.blocked = Partner.create({"name": "Blocked", "email": "blocked@example.com"})
        cls.env["mail.blacklist"].create({"email": "blocked@example.com"})
        cls.customers = cls.willing | cls.refusing | cls.blocked
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Event follow-up",
                "model_id": cls.event_model.id,
                "subject": "About {{ object.name }}",
                "body_html": "<p>We are on it.</p>",
                "partner_to": "{{ object.partner_id.id }}",
            }
        )

    def _run_mail_step(self, method, template=None):
        action = self.env["ir.actions.server"].create(
            {
                "name": f"Mail the customer ({method})",
                "model_id": self.event_model.id,
                "state": "mail_post",
                "template_id": (template or self.template).id,
                "mail_post_method": method,
                "crm_workflow_usable": True,
            }
        )
        process = self._build_process(
            f"MAIL-{method.upper()}",
            [("Start", "start"), ("Mail", "auto", {"action": action}), ("End", "end")],
            [("Start", "Mail"), ("Mail", "End")],
        )
        events = self.env["crm.event"]
        for customer in self.customers:
            events |= self._event(f"Event of {customer.name}", partner_id=customer.id)
        instances = process._start_manually(events)
        self.assertEqual(set(instances.mapped("state")), {"done"}, "nothing fails: the mail just reaches fewer")
        return {event.partner_id: event for event in events}

    def _mails(self, event):
        return self.env["mail.mail"].sudo().search([("model", "=", "crm.event"), ("res_id", "=", event.id)])

    def test_a_template_mail_does_not_reach_who_refused(self):
        by_customer = self._run_mail_step("email")
        self.assertRecordValues(
            self._mails(by_customer[self.willing]), [{"state": "outgoing", "recipient_ids": self.willing.ids}]
        )
        for customer in (self.refusing, self.blocked):
            self.assertRecordValues(
                self._mails(by_customer[customer]),
                [{"state": "cancel", "failure_type": "mail_optout", "recipient_ids": []}],
            )

    def test_a_raw_address_of_who_refused_is_not_mailed(self):
        template = self.template.copy(
            {"partner_to": False, "email_to": "{{ object.partner_id.email }}, boss@example.com"}
        )
        by_customer = self._run_mail_step("email", template)
        self.assertRecordValues(
            self._mails(by_customer[self.willing]),
            [{"state": "outgoing", "email_to": "willing@example.com, boss@example.com"}],
        )
        self.assertRecordValues(
            self._mails(by_customer[self.refusing]), [{"state": "outgoing", "email_to": "boss@example.com"}]
        )
        self.assertRecordValues(self._mails(by_customer[self.blocked]), [{"email_to": "boss@example.com"}])

    def test_a_posted_message_is_not_emailed_to_who_refused(self):
        by_customer = self._run_mail_step("comment")
        for customer, event in by_customer.items():
            subject = f"About {event.name}"
            message = event.message_ids.filtered(lambda m, subject=subject: m.subject == subject)
            self.assertEqual(message.partner_ids, customer, "they see it in the portal all the same")
            emailed = message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id
            self.assertEqual(emailed, customer if customer == self.willing else customer.browse())

    def test_outside_workflows_odoo_sends_as_it_always_did(self):
        """The rule is the suite's sending paths': a user's own mail from the chatter is theirs."""
        event = self._event("Direct", partner_id=self.refusing.id)
        mail = self.env["mail.mail"].sudo().browse(self.template.send_mail(event.id))
        self.assertRecordValues(mail, [{"state": "outgoing", "recipient_ids": self.refusing.ids}])
