from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common_response import CrmResponseCommon


@tagged("post_install", "-at_install")
class TestCampaignResponse(CrmResponseCommon):
    """Where responses come from, what follows them, and where what was learned shows."""

    # Mailings ------------------------------------------------------------------------

    def test_open_recorded_once(self):
        trace = self._trace(self.lead)
        # as the open pixel calls it, twice
        self.env["mailing.trace"].sudo().set_opened(domain=[("id", "=", trace.id)])
        self.env["mailing.trace"].sudo().set_opened(domain=[("id", "=", trace.id)])
        trace.set_opened()
        response = self._responses(trace)
        self.assertEqual(len(response), 1)
        self.assertRecordValues(
            response,
            [
                {
                    "kind": "open",
                    "campaign_id": self.utm.id,
                    "mailing_id": self.mailing.id,
                    "lead_id": self.lead.id,
                    "partner_id": self.buyer.id,
                    "user_id": self.salesperson.id,
                    "company_id": self.company.id,
                    "activity_id": False,
                }
            ],
        )
        self.assertEqual(trace.trace_status, "open")

    def test_click_records_open_and_click_with_follow_up(self):
        trace = self._trace(self.lead)
        self._click(trace)
        self._click(trace, "https://example.com/other")
        responses = self._responses(trace)
        self.assertEqual(sorted(responses.mapped("kind")), ["click", "open"])
        click = responses.filtered(lambda response: response.kind == "click")
        self.assertIn("https://example.com/pricing", click.interest)
        activity = click.activity_id
        self.assertTrue(activity)
        self.assertEqual(click.rule_id, self.default_rule)
        self.assertRecordValues(
            activity,
            [
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead.id,
                    "user_id": self.salesperson.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "date_deadline": fields.Date.context_today(self.lead) + timedelta(days=2),
                }
            ],
        )
        self.assertEqual(len(self.lead.activity_ids.filtered(lambda a: a.user_id == self.salesperson)), 1)

    def test_reply(self):
        trace = self._trace(self.lead)
        # as an incoming reply does (mass_mailing's mail.thread)
        self.env["mailing.trace"].set_opened(domain=[("message_id", "in", [trace.message_id])])
        self.env["mailing.trace"].set_replied(domain=[("message_id", "in", [trace.message_id])])
        self.env["mailing.trace"].set_replied(domain=[("message_id", "in", [trace.message_id])])
        self.assertEqual(sorted(self._responses(trace).mapped("kind")), ["open", "reply"])
        reply = self._responses(trace, "reply")
        self.assertIn("Spring news", reply.interest)
        self.assertTrue(reply.activity_id)

    def test_mailing_without_campaign_records_nothing(self):
        mailing = self.mailing.copy({"campaign_id": False})
        trace = self._trace(self.lead, mailing=mailing)
        self._click(trace)
        self.assertFalse(self._responses(trace))

    def test_mailing_contact_responder_becomes_a_lead(self):
        contact = self.env["mailing.contact"].create(
            {"name": "Bob Newman", "email": "bob@newco.example", "company_name": "NewCo Ltd"}
        )
        mailing = self.mailing.copy({"mailing_model_id": self.env["ir.model"]._get_id("mailing.contact")})
        trace = self._trace(contact, email="bob@newco.example", mailing=mailing)
        self._click(trace)
        click = self._responses(trace, "click")
        lead = click.lead_id
        self.assertTrue(lead, "a responder without lead nor customer becomes a lead when a rule applies")
        self.assertRecordValues(
            lead,
            [
                {
                    "campaign_id": self.utm.id,
                    "medium_id": mailing.medium_id.id,
                    "source_id": mailing.source_id.id,
                    "email_from": "bob@newco.example",
                    "contact_name": "Bob Newman",
                    "partner_name": "NewCo Ltd",
                    "partner_id": False,
                    "company_id": self.company.id,
                }
            ],
        )
        # nobody owns the new lead: the campaign's responsible gets the call
        self.assertEqual(click.activity_id.user_id, self.participant)
        self.assertEqual(click.activity_id.res_id, lead.id)
        # the open is linked to no lead (no rule for opens), a later conversion finds the same lead
        opened = self._responses(trace, "open")
        self.assertFalse(opened.lead_id)
        opened.action_convert_to_lead()
        self.assertEqual(opened.lead_id, lead)

    # Deduplication -------------------------------------------------------------------

    def test_convert_finds_the_customer_by_email(self):
        self.lead.action_set_lost()
        response = self._response(responder_name="Ann", email="  ANN.BUYER@example.com")
        response.action_convert_to_lead()
        self.assertEqual(response.partner_id, self.buyer)
        self.assertNotEqual(response.lead_id, self.lead, "a lost lead is not reopened")
        self.assertEqual(response.lead_id.partner_id, self.buyer)
        self.assertEqual(response.lead_id.user_id, self.salesperson, "the customer's salesperson owns the lead")
        self.assertEqual(response.user_id, self.salesperson)

    def test_convert_finds_the_customer_by_phone(self):
        self.lead.action_set_lost()
        response = self._response(responder_name="Ann", phone="0470 12.34.56")
        response.action_convert_to_lead()
        self.assertEqual(response.partner_id, self.buyer)

    def test_convert_finds_the_company(self):
        response = self._response(responder_name="Carl", email="carl@acme.example", company_name="ACME Ltd.")
        response.action_convert_to_lead()
        self.assertEqual(response.partner_id, self.acme)
        self.assertEqual(response.lead_id.partner_id, self.acme)
        self.assertEqual(response.lead_id.contact_name, "Carl")
        self.assertEqual(response.lead_id.email_from, "carl@acme.example")

    def test_convert_links_the_open_lead(self):
        open_lead = self.env["crm.lead"].create(
            {"name": "Dora", "email_from": "dora@example.com", "user_id": self.colleague.id}
        )
        won_lead = self.env["crm.lead"].create({"name": "Eve", "email_from": "eve@example.com"})
        won_lead.action_set_won()
        dora = self._response(responder_name="Dora", email="Dora@Example.com", interest="Wants a demo")
        eve = self._response(responder_name="Eve", email="eve@example.com")
        leads_before = self.env["crm.lead"].search_count([])
        (dora | eve).action_convert_to_lead()
        self.assertEqual(dora.lead_id, open_lead)
        self.assertEqual(dora.user_id, self.colleague, "the lead's salesperson follows the response up")
        notes = self.env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", open_lead.id)])
        self.assertIn("Wants a demo", "".join(notes.mapped(lambda message: str(message.body))))
        self.assertNotEqual(eve.lead_id, won_lead, "a won lead is not reused")
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before + 1)
        # converting again changes nothing
        (dora | eve).action_convert_to_lead()
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before + 1)

    def test_convert_links_the_customer_lead(self):
        response = self._response(partner_id=self.buyer.id)
        response.action_convert_to_lead()
        self.assertEqual(response.lead_id, self.lead)

    def test_one_lead_per_responder_in_a_batch(self):
        responses = (
            self._response(responder_name="Fay", email="fay@example.com")
            | self._response(responder_name="Fay", email="FAY@example.com", phone="+32 2 555 01 00")
            | self._response(responder_name="Fay (phone)", phone="02 555 01 00")
            | self._response(responder_name="Gus", email="gus@example.com")
        )
        responses.action_convert_to_lead()
        fay = responses[:3].lead_id
        self.assertEqual(len(fay), 1, "shared email, then shared phone: one responder")
        self.assertNotEqual(responses[3].lead_id, fay)
        self.assertEqual(len(responses.lead_id), 2)
        self.assertIn("fay", fay.email_from)

    def test_convert_stays_in_the_company(self):
        other = self.env["crm.lead"].create(
            {"name": "Hal", "email_from": "hal@example.com", "company_id": self.company_2.id}
        )
        response = self._response(responder_name="Hal", email="hal@example.com")
        response.action_convert_to_lead()
        self.assertNotEqual(response.lead_id, other)
        self.assertEqual(response.lead_id.company_id, self.company)

    # Rules ---------------------------------------------------------------------------

    def test_rules_choose_the_assignee(self):
        team = self.env["crm.team"].create({"name": "Fair team", "user_id": self.manager.id})
        Rule = self.env["crm.campaign.response.rule"]
        Rule.create(
            {
                "name": "Attendees: team leader within 5 days",
                "sequence": 1,
                "on_attendance": True,
                "assign_to": "team",
                "team_id": team.id,
                "days": 5,
                "create_lead": True,
            }
        )
        Rule.create(
            {
                "name": "Calls of this campaign: its responsible",
                "sequence": 2,
                "on_call": True,
                "campaign_id": self.utm.id,
                "assign_to": "campaign",
                "days": 0,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            }
        )
        Rule.create(
            {
                "name": "Other calls: fallback",
                "sequence": 3,
                "on_call": True,
                "assign_to": "owner",
                "user_id": self.sub_user.id,
            }
        )
        today = fields.Date.context_today(self.lead)
        attendance = self._response(kind="attendance", step_id=self.step.id, responder_name="Ivy", email="ivy@x.com")
        self.assertEqual(attendance.campaign_id, self.utm, "the step tells the campaign")
        self.assertEqual(attendance.activity_id.user_id, self.manager)
        self.assertEqual(attendance.activity_id.date_deadline, today + timedelta(days=5))
        self.assertEqual(attendance.activity_id.res_model, "crm.lead")
        self.assertEqual(attendance.user_id, self.manager)
        call = self._response(partner_id=self.buyer.id)
        self.assertEqual(call.activity_id.user_id, self.participant)
        self.assertEqual(call.activity_id.date_deadline, today)
        self.assertEqual(call.activity_id.res_model, "res.partner", "a known customer without rule to convert")
        other_call = self._response(campaign_id=self.campaigns["colleague"].campaign_id.id, responder_name="Jo")
        self.assertEqual(other_call.activity_id.user_id, self.sub_user, "nobody owns the new lead: the fallback")
        self.assertTrue(other_call.lead_id)

    def test_rule_bad_input(self):
        Rule = self.env["crm.campaign.response.rule"].with_user(self.manager)
        with self.assertRaises(ValidationError):
            Rule.create({"name": "Nothing"})
        with self.assertRaises(ValidationError):
            Rule.create({"name": "No team", "on_click": True, "assign_to": "team"})
        with self.assertRaises(ValidationError):
            Rule.create({"name": "Past", "on_click": True, "days": -1})
        rule = Rule.create({"name": "Good", "on_click": True})
        self.assertEqual(rule.days, 2)

    # Calls and attendance ------------------------------------------------------------

    def test_salesperson_logs_a_call(self):
        Response = self.env["crm.campaign.response"].with_user(self.salesperson)
        call = Response.create({"campaign_id": self.utm.id, "partner_id": self.buyer.id, "interest": "Budget in May"})
        self.assertEqual(call.kind, "call")
        self.assertEqual(call.user_id, self.salesperson)
        with self.assertRaises(ValidationError):
            Response.create({"campaign_id": self.utm.id})

    def test_marketer_registers_attendance(self):
        Response = self.env["crm.campaign.response"].with_user(self.participant)
        attendee = Response.create({"kind": "attendance", "step_id": self.step.id, "partner_id": self.buyer.id})
        self.assertEqual(attendee.campaign_id, self.utm)
        with self.assertRaises(ValidationError):
            Response.create({"kind": "attendance", "campaign_id": self.utm.id, "partner_id": self.buyer.id})
        with self.assertRaises(ValidationError):
            Response.create(
                {
                    "kind": "attendance",
                    "campaign_id": self.campaigns["colleague"].campaign_id.id,
                    "step_id": self.step.id,
                    "partner_id": self.buyer.id,
                }
            )

    def test_system_fields(self):
        trace = self._trace(self.lead)
        trace.set_opened()
        opened = self._responses(trace).with_user(self.salesperson)
        opened.interest = "Reads every mailing"
        for values in ({"kind": "call"}, {"date": "2020-01-01 00:00:00"}, {"email": "x@y.com"}, {"lead_id": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                opened.write(values)
        Response = self.env["crm.campaign.response"].with_user(self.participant)
        for kind in ("open", "click", "reply", "form"):
            with self.subTest(kind=kind), self.assertRaises(AccessError):
                Response.create({"kind": kind, "campaign_id": self.utm.id, "email": "x@y.com"})
        with self.assertRaises(AccessError):
            Response.create({"campaign_id": self.utm.id, "email": "x@y.com", "trace_id": trace.id})
        with self.assertRaises(AccessError):
            Response.create({"campaign_id": self.utm.id, "email": "x@y.com", "lead_id": self.lead.id})
        call = Response.create({"campaign_id": self.utm.id, "email": "x@y.com"})
        with self.assertRaises(AccessError):
            call.write({"kind": "open"})

    # Learnings -----------------------------------------------------------------------

    def test_learnings_on_lead_and_customer(self):
        trace = self._trace(self.lead)
        self._click(trace)
        # a response of the second company does not show in the first
        self._response(
            partner_id=self.buyer.id,
            company_id=self.company_2.id,
            interest="Company 2 secret",
            campaign_id=self.campaigns["company2_user"].campaign_id.id,
        )
        contact = self.env["res.partner"].create({"name": "Ann's colleague", "parent_id": self.acme.id})
        self._response(partner_id=contact.id, interest="Asked for the price list")
        lead = self.lead.with_user(self.salesperson)
        self.assertEqual(lead.crm_response_count, 2)
        self.assertIn("https://example.com/pricing", lead.crm_learning_summary)
        self.assertIn("Campaign of participant", lead.crm_learning_summary)
        self.assertEqual(len(lead.crm_response_ids), 2)
        buyer = self.buyer.with_user(self.salesperson)
        self.assertEqual(buyer.crm_response_count, 2)
        self.assertNotIn("Company 2 secret", buyer.crm_learning_summary)
        # service: an internal user without sales rights reads the learnings, not the responses
        agent = self._new_user("suite_service_agent", "base.group_user", self.company)
        self.assertIn("Click", self.buyer.with_user(agent).crm_learning_summary)
        self.assertIn("Asked for the price list", self.acme.with_user(agent).crm_learning_summary)
        self.assertIn("Asked for the price list", contact.with_user(agent).crm_learning_summary)
        with self.assertRaises(AccessError):
            self.env["crm.campaign.response"].with_user(agent).search([])
        with self.assertRaises(AccessError):
            self.buyer.with_user(agent).crm_response_ids  # noqa: B018
        # the executive of both companies sees both companies' learnings when working in both
        both = self.buyer.with_user(self.executive).with_context(
            allowed_company_ids=(self.company | self.company_2).ids
        )
        self.assertIn("Company 2 secret", both.crm_learning_summary)
