from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw
from odoo.addons.mail.tests.common import MockEmail

from .common import CrmMarketingCommon

MAILER_GROUPS = "crm_marketing.group_crm_marketing_user,mass_mailing.group_mass_mailing_user"


@tagged("post_install", "-at_install")
class TestContactPreferencesMailing(CrmMarketingCommon, MockEmail):
    """Mailings skip the contacts who refused the channel (``crm_allow_email`` / ``_sms``)
    and Odoo's blacklists as Odoo does: each one skipped has a cancelled trace saying why,
    so the mailing's statistics count them as opted out or blacklisted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailer = cls._new_user("suite_mailer", MAILER_GROUPS, cls.company)
        Partner = cls.env["res.partner"]

        def contact(name, number, **values):
            return Partner.create(
                {"name": name, "email": f"{name.lower()}@example.com", "mobile": f"+86 139 0000 000{number}", **values}
            )

        cls.willing = contact("Willing", 1)
        cls.no_email = contact("NoEmail", 2, crm_allow_email=False)
        cls.no_sms = contact("NoSms", 3, crm_allow_sms=False)
        cls.mail_blocked = contact("MailBlocked", 4)
        cls.phone_blocked = contact("PhoneBlocked", 5)
        cls.env["mail.blacklist"].create({"email": cls.mail_blocked.email})
        cls.env["phone.blacklist"].create({"number": cls.phone_blocked.mobile})
        cls.contacts = cls.willing | cls.no_email | cls.no_sms | cls.mail_blocked | cls.phone_blocked

    def _mailing(self, records, mailing_type="mail", **values):
        return (
            self.env["mailing.mailing"]
            .with_user(self.mailer)
            .create(
                {
                    "name": f"Spring news by {mailing_type}",
                    "subject": "Spring news",
                    "mailing_type": mailing_type,
                    "body_html": "<p>New in spring</p>",
                    "body_plaintext": "New in spring",
                    "mailing_model_id": self.env["ir.model"]._get(records._name).id,
                    "mailing_domain": [("id", "in", records.ids)],
                    **values,
                }
            )
        )

    def _send(self, mailing):
        with self.mock_mail_gateway():
            if mailing.mailing_type == "sms":
                mailing.action_send_sms()
            else:
                mailing.action_send_mail()
        self.env.invalidate_all()
        return {trace.res_id: (trace.trace_status, trace.failure_type or False) for trace in mailing.mailing_trace_ids}

    def test_an_email_mailing_skips_who_refused_email_and_the_blacklist(self):
        traces = self._send(self._mailing(self.contacts))
        self.assertEqual(
            traces,
            {
                self.willing.id: ("sent", False),
                self.no_email.id: ("cancel", "mail_optout"),
                self.no_sms.id: ("sent", False),
                self.mail_blocked.id: ("cancel", "mail_bl"),
                self.phone_blocked.id: ("sent", False),
            },
        )

    def test_an_sms_mailing_skips_who_refused_sms_and_the_blacklist(self):
        traces = self._send(self._mailing(self.contacts, "sms"))
        self.assertEqual(
            traces,
            {
                self.willing.id: ("outgoing", False),
                self.no_email.id: ("outgoing", False),
                self.no_sms.id: ("cancel", "sms_optout"),
                self.mail_blocked.id: ("outgoing", False),
                self.phone_blocked.id: ("cancel", "sms_blacklist"),
            },
        )
        queued = (
            self.env["sms.sms"].sudo().search([("partner_id", "in", self.contacts.ids), ("state", "=", "outgoing")])
        )
        self.assertEqual(queued.partner_id, self.contacts - self.no_sms - self.phone_blocked)

    def test_a_refusal_wins_over_a_twin_with_the_same_address(self):
        twin = self.env["res.partner"].create({"name": "NoEmail at work", "email": self.no_email.email})
        traces = self._send(self._mailing(self.no_email | twin | self.willing))
        self.assertEqual(traces[twin.id], ("cancel", "mail_optout"))
        self.assertEqual(traces[self.willing.id], ("sent", False))

    def test_a_channel_allowed_again_is_mailed_again(self):
        self.no_email.with_user(self.mailer).crm_allow_email = True
        self.assertEqual(self._send(self._mailing(self.no_email))[self.no_email.id], ("sent", False))

    def test_lead_mailings_follow_the_customers_preferences(self):
        Lead = self.env["crm.lead"]
        leads = Lead.create(
            [
                {"name": f"Lead of {partner.name}", "partner_id": partner.id, "user_id": self.mailer.id}
                for partner in (self.willing, self.no_email, self.no_sms)
            ]
            + [
                {
                    "name": "No customer",
                    "email_from": "lead@example.com",
                    "phone": "+86 139 0000 0009",
                    "user_id": self.mailer.id,
                }
            ]
        )
        by_partner = {lead.partner_id: lead for lead in leads}
        mails = self._send(self._mailing(leads))
        self.assertEqual(mails[by_partner[self.no_email].id], ("cancel", "mail_optout"))
        self.assertEqual(
            {mails[by_partner[p].id] for p in (self.willing, self.no_sms, Lead.partner_id)}, {("sent", False)}
        )
        sms = self._send(self._mailing(leads, "sms", name="Spring news by SMS to leads"))
        self.assertEqual(sms[by_partner[self.no_sms].id], ("cancel", "sms_optout"))
        self.assertEqual(
            {sms[by_partner[p].id] for p in (self.willing, self.no_email, Lead.partner_id)}, {("outgoing", False)}
        )

    def test_the_statistics_count_the_opted_out(self):
        mailing = self._mailing(self.contacts)
        self._send(mailing)
        self.assertRecordValues(mailing, [{"expected": 5, "canceled": 2}])

    def test_the_opt_out_lists_are_not_reachable_over_rpc(self):
        for method in ("_mailing_get_opt_out_list", "_mailing_get_opt_out_list_sms"):
            with self.assertRaises(AccessError):
                call_kw(self.mailer, "res.partner", method, [], self._mailing(self.contacts).id)

    def test_the_opt_out_list_is_one_search(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Contact {i}", "email": f"c{i}@example.com", "crm_allow_email": i % 2} for i in range(60)]
        )
        mailing = self._mailing(partners)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=11):
            opt_out = mailing.with_user(self.mailer)._get_opt_out_list()
        self.assertEqual(len(opt_out), 30)

    # Blacklists: the bridge of crm_marketing -------------------------------------------

    def _log(self, partner):
        return self.env["crm.contact.optout"].search([("partner_id", "=", partner.id)], order="id")

    def test_blacklisting_a_number_logs_sms_and_calls_opt_outs(self):
        self.assertRecordValues(
            self._log(self.phone_blocked),
            [
                {"channel": "sms", "kind": "opt_out", "source": "blacklist"},
                {"channel": "phone", "kind": "opt_out", "source": "blacklist"},
            ],
        )
        self.assertTrue(self.phone_blocked.crm_allow_sms, "the number is blocked, the contact's choice stays")
        self.assertFalse(self.phone_blocked._crm_contactable("phone"))
        Blacklist = self.env["phone.blacklist"]  # the administrator's screen
        Blacklist._remove([self.phone_blocked.phone_sanitized])
        Blacklist.create({"number": self.phone_blocked.mobile})  # reactivated by Odoo's create: logged once
        self.assertEqual(
            self._log(self.phone_blocked).mapped("kind"), ["opt_out"] * 2 + ["opt_in"] * 2 + ["opt_out"] * 2
        )

    def test_the_reason_given_on_the_unsubscribe_page_is_logged(self):
        """mass_mailing blocks the address, then writes the answer on its blacklist entry."""
        entry = self.env["mail.blacklist"].sudo()._add(self.willing.email)
        entry.opt_out_reason_id = self.env.ref("mass_mailing.mailing_subscription_optout_data_2")
        self.assertRecordValues(
            self._log(self.willing),
            [
                {"kind": "opt_out", "source": "blacklist", "reason": "not_given", "note": False},
                {
                    "kind": "opt_out",
                    "source": "unsubscribe",
                    "reason": "too_many",
                    "note": "I receive too many emails from this list",
                },
            ],
        )
