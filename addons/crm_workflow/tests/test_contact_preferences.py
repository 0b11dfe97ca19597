from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..lib import contact_preferences as prefs
from .common import CrmSuiteOrgCase, call_kw, public_methods

PREFERENCE_MODELS = (
    "crm.contact.optout",
    "crm.contact.channel.refuse",
    "res.partner",
    "mail.blacklist",
    "mail.mail",
    "mail.template",
)


@tagged("post_install", "-at_install")
class TestContactPreferences(CrmSuiteOrgCase):
    """The channels a contact may be reached by: their choice, then Odoo's blacklists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "email": "anna@example.com", "mobile": "+86 138 0000 0001"})
        cls.bo = Partner.create(
            {"name": "Bo", "email": "bo@example.com", "mobile": "+86 138 0000 0002", "crm_allow_email": False}
        )
        cls.chen = Partner.create({"name": "Chen", "street": "1 Nanjing Road", "crm_allow_sms": False})
        cls.everyone = cls.anna | cls.bo | cls.chen
        # an employee who may edit contacts (Odoo's Contact Creation right)
        cls.editor = cls._new_user("prefs_editor", "base.group_user,base.group_partner_manager", cls.company)

    def _log(self, partners):
        return self.env["crm.contact.optout"].search([("partner_id", "in", partners.ids)], order="id")

    def test_the_contacts_choice(self):
        self.assertEqual(self.everyone._crm_contactable("email"), self.anna)
        self.assertEqual(self.everyone._crm_contactable("sms"), self.anna | self.bo)
        self.assertEqual(self.everyone._crm_contactable("post"), self.chen)
        self.bo.crm_allow_phone = False
        self.assertEqual(self.everyone._crm_contactable("phone"), self.anna)

    def test_the_email_blacklist(self):
        self.env["mail.blacklist"].create({"email": "Anna@Example.com"})
        self.assertFalse(self.everyone._crm_contactable("email"))

    def test_the_phone_blacklist(self):
        self.env["phone.blacklist"].create({"number": self.anna.phone_sanitized})
        self.assertEqual(self.everyone._crm_contactable("sms"), self.bo)

    def test_an_unknown_channel_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            self.everyone._crm_contactable("pigeon")

    # The opt-out log -------------------------------------------------------------------

    def test_a_contact_created_without_a_channel_has_refused_it(self):
        self.assertRecordValues(
            self._log(self.bo | self.chen),
            [
                {"partner_id": self.bo.id, "channel": "email", "kind": "opt_out", "reason": "not_given"},
                {"partner_id": self.chen.id, "channel": "sms", "kind": "opt_out", "reason": "not_given"},
            ],
        )
        self.assertFalse(self._log(self.anna), "allowing every channel is the default: nothing to log")

    def test_unticking_over_rpc_records_an_opt_out_without_reason(self):
        call_kw(self.editor, "res.partner", "write", self.anna.ids, {"crm_allow_email": False, "name": "Anna L."})
        self.assertRecordValues(
            self._log(self.anna),
            [
                {
                    "channel": "email",
                    "kind": "opt_out",
                    "reason": "not_given",
                    "note": False,
                    "source": "user",
                    "user_id": self.editor.id,
                }
            ],
        )
        self.assertTrue(self._log(self.anna).date)
        # writing the same value again is no change
        call_kw(self.editor, "res.partner", "write", self.anna.ids, {"crm_allow_email": False})
        self.assertEqual(len(self._log(self.anna)), 1)

    def test_ticking_again_records_the_opt_in(self):
        call_kw(self.editor, "res.partner", "write", self.bo.ids, {"crm_allow_email": True})
        self.assertRecordValues(
            self._log(self.bo),
            [
                {"channel": "email", "kind": "opt_out", "reason": "not_given", "user_id": self.env.uid},
                {"channel": "email", "kind": "opt_in", "reason": False, "user_id": self.editor.id},
            ],
        )
        self.assertEqual(self.everyone._crm_contactable("email"), self.anna | self.bo)

    def test_the_reason_cannot_be_forged_over_rpc(self):
        """A context over RPC is JSON: it never holds the reason code gives the write."""
        forged = {prefs.CONTEXT_CONTACT_PREFERENCES: True, "crm_workflow_optout_reason": {"source": "unsubscribe"}}
        call_kw(self.editor, "res.partner", "write", self.anna.ids, {"crm_allow_sms": False}, context=forged)
        self.assertRecordValues(self._log(self.anna), [{"reason": "not_given", "source": "user"}])

    def test_the_wizard_records_the_reason_and_the_note(self):
        self.anna.crm_preferred_channel = "email"
        wizard = (
            self.env["crm.contact.channel.refuse"]
            .with_user(self.editor)
            .with_context(active_model="res.partner", active_ids=self.anna.ids)
            .create({"channel": "email", "reason": "too_many", "note": "One a month is enough"})
        )
        self.assertEqual(wizard.partner_ids, self.anna)
        call_kw(self.editor, "crm.contact.channel.refuse", "action_confirm", wizard.ids)
        self.assertRecordValues(self.anna, [{"crm_allow_email": False, "crm_preferred_channel": False}])
        self.assertRecordValues(
            self._log(self.anna),
            [{"kind": "opt_out", "reason": "too_many", "note": "One a month is enough", "source": "user"}],
        )

    def test_the_partner_shows_the_latest_opt_out_of_each_channel(self):
        Refuse = self.env["crm.contact.channel.refuse"]
        Refuse.create({"partner_ids": self.bo.ids, "channel": "sms", "reason": "other_channel"}).action_confirm()
        self.bo.crm_allow_email = True
        Refuse.create({"partner_ids": self.bo.ids, "channel": "email", "reason": "legal"}).action_confirm()
        self.env.invalidate_all()
        latest = self.bo.with_user(self.participant).crm_latest_optout_ids.sorted("channel")
        self.assertEqual(
            latest.mapped(lambda row: (row.channel, row.reason)), [("email", "legal"), ("sms", "other_channel")]
        )

    def test_an_import_and_the_contact_themselves_are_the_sources(self):
        imported = (
            self.env["res.partner"].with_context(import_file=True).create({"name": "Du", "crm_allow_post": False})
        )
        self.assertRecordValues(self._log(imported), [{"channel": "post", "source": "import"}])
        # the portal's preferences page writes the user's own partner, in sudo
        self.portal.partner_id.with_user(self.portal).sudo().write({"crm_allow_phone": False})
        self.assertRecordValues(
            self._log(self.portal.partner_id), [{"channel": "phone", "source": "contact", "user_id": self.portal.id}]
        )

    # Blacklists -------------------------------------------------------------------------

    def test_blacklisting_an_address_logs_it_on_every_contact_holding_it(self):
        twin = self.env["res.partner"].create({"name": "Anna (shop)", "email": "ANNA@example.com"})
        Blacklist = self.env["mail.blacklist"].with_user(self.manager).sudo()  # as the marketing app does
        entry = Blacklist._add("anna@example.com")
        self.assertRecordValues(
            self._log(self.anna | twin),
            [
                {"partner_id": self.anna.id, "channel": "email", "kind": "opt_out", "source": "blacklist"},
                {"partner_id": twin.id, "channel": "email", "kind": "opt_out", "source": "blacklist"},
            ],
        )
        self.assertTrue(self.anna.crm_allow_email, "the blacklist blocks the address, the contact's choice stays")
        self.assertFalse((self.anna | twin)._crm_contactable("email"))
        # blocking it again changes nothing; releasing it is logged as the opt-in
        Blacklist._add("anna@example.com")
        self.assertEqual(len(self._log(self.anna)), 1)
        Blacklist._remove("anna@example.com")
        self.assertEqual(self._log(self.anna).mapped("kind"), ["opt_out", "opt_in"])
        self.assertEqual(self.everyone._crm_contactable("email"), self.anna)
        entry.action_unarchive()
        entry.unlink()
        self.assertEqual(self._log(self.anna).mapped("kind"), ["opt_out", "opt_in", "opt_out", "opt_in"])

    def test_creating_and_importing_blacklist_entries(self):
        self.env["mail.blacklist"].with_context(import_file=True).create(
            [{"email": "anna@example.com"}, {"email": "nobody@example.com"}]
        )
        self.assertRecordValues(self._log(self.anna), [{"kind": "opt_out", "source": "import"}])
        self.env["mail.blacklist"].create({"email": "anna@example.com"})  # already there: Odoo returns it
        self.assertEqual(len(self._log(self.anna)), 1)

    # Access ----------------------------------------------------------------------------

    def test_nobody_writes_or_deletes_the_log(self):
        call_kw(self.editor, "res.partner", "write", self.anna.ids, {"crm_allow_email": False})
        row = self._log(self.anna)
        for user in (self.participant, self.manager, self.executive):
            self.assertEqual(call_kw(user, "crm.contact.optout", "read", row.ids, ["reason"])[0]["reason"], "not_given")
            with self.assertRaises(AccessError):
                call_kw(user, "crm.contact.optout", "write", row.ids, {"reason": "legal"})
            with self.assertRaises(AccessError):
                call_kw(user, "crm.contact.optout", "unlink", row.ids)
            with self.assertRaises(AccessError):
                call_kw(
                    user,
                    "crm.contact.optout",
                    "create",
                    {"partner_id": self.anna.id, "channel": "sms", "kind": "opt_in", "source": "user"},
                )
        self.assertRecordValues(row.exists(), [{"reason": "not_given"}])

    def test_portal_users_see_no_log_and_cannot_refuse_for_others(self):
        with self.assertRaises(AccessError):
            call_kw(self.portal, "crm.contact.optout", "search_read", [])
        with self.assertRaises(AccessError):
            call_kw(
                self.portal,
                "crm.contact.channel.refuse",
                "create",
                {"partner_ids": self.anna.ids, "channel": "email", "reason": "other"},
            )
        with self.assertRaises(AccessError):
            call_kw(self.portal, "res.partner", "write", self.anna.ids, {"crm_allow_email": False})
        self.assertFalse(self._log(self.anna))

    def test_the_log_is_seen_by_whoever_sees_the_contact(self):
        Partner = self.env["res.partner"]
        of_company_2 = Partner.create({"name": "Fang", "company_id": self.company_2.id, "crm_allow_email": False})
        shared = Partner.create({"name": "Gao", "crm_allow_email": False})
        rows = self._log(of_company_2 | shared)
        self.assertVisible(self.participant, rows, rows.filtered(lambda r: r.partner_id == shared))
        self.assertVisible(self.company2_user, rows, rows)
        self.assertVisible(self.executive, rows, rows)

    def test_public_methods(self):
        """The wizard's button is the only new method RPC may call; the ORM's create, write
        and unlink are extended, not opened."""
        found = public_methods(self.env, "crm_workflow")
        mine = {(model, method) for model, method in found if model in PREFERENCE_MODELS}
        self.assertEqual(
            mine,
            {
                ("crm.contact.channel.refuse", "action_confirm"),
                ("crm.contact.channel.refuse", "default_get"),
                ("res.partner", "create"),
                ("res.partner", "write"),
                ("mail.blacklist", "create"),
                ("mail.blacklist", "write"),
                ("mail.blacklist", "unlink"),
                ("mail.template", "send_mail_batch"),
            },
        )

    # Performance -----------------------------------------------------------------------

    def test_refusing_a_channel_for_many_contacts_is_batched(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Contact {index}", "email": f"c{index}@example.com"} for index in range(60)]
        )
        partners = partners.with_context(tracking_disable=False)  # tracking on, as in production
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=9):
            partners.write({"crm_allow_email": False, "crm_allow_sms": False})
            self.env.flush_all()
        self.assertEqual(len(self._log(partners)), 120)
