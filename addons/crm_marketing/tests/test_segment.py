from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_segment import CrmSegmentCommon


@tagged("post_install", "-at_install")
class TestSegment(CrmSegmentCommon):
    """Members of dynamic and static segments, the class segments, and mailings to a segment."""

    def test_dynamic_members(self):
        segment = self.dynamic.with_user(self.participant)
        self.assertEqual(segment._crm_segment_partner_domain(), [("city", "=", "Paris")])
        # the company-2 contact is out of the marketer's companies
        self.assertEqual(segment._crm_segment_partners(), self.paris_1 | self.paris_2)
        self.assertEqual(segment.member_count, 2)
        self.assertEqual(segment.preview_partner_ids, self.paris_1 | self.paris_2)
        # read again at each use
        self.lyon.city = "Paris"
        segment.invalidate_recordset()
        self.assertEqual(segment.member_count, 3)

    def test_dynamic_uid(self):
        self.paris_1.user_id = self.participant
        segment = self.env["crm.segment"].create({"name": "Mine", "domain": "[('user_id', '=', uid)]"})
        self.assertEqual(segment.domain, "[('user_id', '=', uid)]")
        self.assertEqual(segment.with_user(self.participant)._crm_segment_partners(), self.paris_1)
        self.assertFalse(segment.with_user(self.colleague)._crm_segment_partners())

    def test_static_members(self):
        segment = self.static.with_user(self.participant)
        self.assertEqual(segment._crm_segment_partner_domain(), [("crm_segment_ids", "in", segment.ids)])
        self.assertEqual(segment._crm_segment_partners(), self.paris_1 | self.lyon)
        segment._crm_segment_add_partners(self.paris_1 | self.paris_2)  # one already in: kept once
        self.assertEqual(segment.member_count, 3)
        self.assertEqual(segment.partner_ids, self.paris_1 | self.paris_2 | self.lyon)
        self.assertEqual(self.paris_2.crm_segment_ids, self.static)
        # archived contacts are no members
        self.lyon.active = False
        segment.invalidate_recordset()
        self.assertEqual(segment.member_count, 2)
        action = segment.action_view_members()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.paris_1 | self.paris_2)

    def test_add_to_dynamic_refused(self):
        with self.assertRaises(ValidationError):
            self.dynamic._crm_segment_add_partners(self.lyon)

    def test_bad_conditions_change_nothing(self):
        segment = self.dynamic.with_user(self.participant)
        for text in (
            "[('city', '=', 'Paris'",  # not a literal
            "__import__('os').system('true')",  # code
            "[('nope', '=', 1)]",  # unknown field
            "[('city', 'like like', 1)]",  # unknown operator
            "[('create_date', '>', 'not a date')]",  # a value PostgreSQL refuses
            "{'a': 1}",
        ):
            with self.subTest(text=text), self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
                segment.write({"domain": text})
            self.assertEqual(segment.domain, "[('city', '=', 'Paris')]")
        with self.assertRaises(ValidationError):
            self.env["crm.segment"].create({"name": "Bad", "domain": "[('nope', '=', 1)]"})
        self.assertFalse(self.env["crm.segment"].search([("name", "=", "Bad")]))

    def test_form_preview_tells_the_error(self):
        with Form(self.env["crm.segment"].with_user(self.participant)) as form:
            form.name = "Draft"
            form.domain = "[('city', '=', 'Lyon')]"
            self.assertEqual(form.preview_partner_ids.ids, self.lyon.ids)
            form.domain = "[('nope', '=', 1)]"
            self.assertIn("nope", form.domain_error)
            self.assertFalse(form.preview_partner_ids.ids)
            form.domain = "[('city', '=', 'Lyon')]"

    def test_class_segments_follow_the_classification(self):
        Score = self.env["crm.marketing.rfm.score"]
        Score.create(
            [
                {"partner_id": self.paris_1.id, "company_id": self.company.id, "rfm_class": "champion"},
                {"partner_id": self.paris_2.id, "company_id": self.company.id, "rfm_class": "at_risk"},
                {"partner_id": self.lyon.id, "company_id": self.company.id, "rfm_class": "lost"},
                # the classification of the other company: another reading of the same customer
                {"partner_id": self.paris_1.id, "company_id": self.company_2.id, "rfm_class": "lost"},
            ]
        )
        best = self.env.ref("crm_marketing.crm_segment_best_customers")
        at_risk = self.env.ref("crm_marketing.crm_segment_at_risk")
        lost = self.env.ref("crm_marketing.crm_segment_lost")
        self.assertFalse((best | at_risk | lost).company_id)
        for user in (self.participant, self.executive):
            with self.subTest(user=user.login):
                env = self.env(user=user, context={"allowed_company_ids": self.company.ids})
                self.assertEqual(best.with_env(env)._crm_segment_partners(), self.paris_1)
                self.assertEqual(at_risk.with_env(env)._crm_segment_partners(), self.paris_2)
                self.assertEqual(lost.with_env(env)._crm_segment_partners(), self.lyon)
        # a shared segment reads the classification of the company it is used in
        env = self.env(user=self.executive, context={"allowed_company_ids": [self.company_2.id, self.company.id]})
        self.assertEqual(lost.with_env(env)._crm_segment_partners(), self.paris_1)
        # a new classification moves the customer
        Score.search([("partner_id", "=", self.paris_2.id)]).rfm_class = "champion"
        self.assertEqual(best.with_user(self.participant)._crm_segment_partners(), self.paris_1 | self.paris_2)

    def _mailing(self, segment, mailing_type="mail"):
        values = {"subject": "Spring offer", "mailing_type": mailing_type, "crm_segment_id": segment.id}
        if mailing_type == "mail":
            values["body_html"] = "<p>Hello</p>"
        else:
            values["body_plaintext"] = "Hello"
        return self.env["mailing.mailing"].with_user(self.participant).create(values)

    def test_mailing_restricted_to_segment(self):
        self.env["mail.blacklist"].create({"email": "two@paris.example"})
        mailing = self._mailing(self.dynamic)
        self.assertEqual(mailing.mailing_model_name, "res.partner")
        # mass_mailing's own count and recipients: the segment and the blacklist
        self.assertEqual(mailing.total, 1)
        self.assertEqual(mailing._get_recipients(), self.paris_1.ids)
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(traces.mapped("res_id"), self.paris_1.ids)
        self.assertEqual(mailing.state, "done")

    def test_sms_mailing_restricted_to_segment(self):
        self.env["phone.blacklist"].sudo().add("+33633333333")
        mailing = self._mailing(self.static, "sms")
        self.assertEqual(mailing.mailing_model_name, "res.partner")
        self.assertEqual(mailing.total, 1)
        self.assertEqual(mailing._get_recipients(), self.paris_1.ids)
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(traces.mapped("res_id"), self.paris_1.ids)
        self.assertEqual(set(traces.mapped("trace_type")), {"sms"})

    def test_mailing_without_segment_unchanged(self):
        mailing = self._mailing(self.dynamic)
        mailing.crm_segment_id = False
        self.assertIn(self.lyon.id, mailing._get_recipients())

    def test_mailing_form(self):
        with Form(self.env["mailing.mailing"].with_user(self.participant)) as form:
            form.subject = "Hello"
            form.crm_segment_id = self.static
            self.assertEqual(form.mailing_model_name, "res.partner")
            form.body_arch = "<p>Hi</p>"
        mailing = form.record
        self.assertEqual(mailing.crm_segment_id, self.static)
        # another recipients model drops the segment
        mailing.mailing_model_id = self.env["ir.model"]._get("mailing.list")
        self.assertFalse(mailing.crm_segment_id)
        with self.assertRaises(ValidationError):
            mailing.write({"crm_segment_id": self.static.id})
        self.assertFalse(mailing.crm_segment_id)

    def test_segment_company_reads_its_classification(self):
        self.env["crm.marketing.rfm.score"].create(
            {"partner_id": self.paris_c2.id, "company_id": self.company_2.id, "rfm_class": "champion"}
        )
        segment = self.env["crm.segment"].create(
            {"name": "C2 best", "domain": "[('crm_rfm_class', '=', 'champion')]", "company_id": self.company_2.id}
        )
        # read by the executive working in company 1: the segment's company decides
        env = self.env(user=self.executive, context={"allowed_company_ids": [self.company.id, self.company_2.id]})
        self.assertEqual(segment.with_env(env)._crm_segment_partners(), self.paris_c2)
        self.assertEqual(fields.first(segment.with_env(env).preview_partner_ids), self.paris_c2)
