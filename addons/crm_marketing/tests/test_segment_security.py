from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_segment import CrmSegmentCommon

SEGMENT_MODELS = ("crm.segment", "crm.segment.import", "crm.segment.import.line")


@tagged("post_install", "-at_install")
class TestSegmentSecurity(CrmSegmentCommon):
    """Who sees, edits and deletes segments, imports into them and mails them."""

    def test_readers(self):
        company_1 = self.segments - self.segment_c2
        classes = self.env["crm.segment"].search([("company_id", "=", False)])
        for user in (self.participant, self.colleague, self.manager):
            with self.subTest(user=user.login):
                self.assertVisible(user, self.segments, company_1)
                self.assertEqual(self.env["crm.segment"].with_user(user).search([("company_id", "=", False)]), classes)
        self.assertVisible(self.company2_user, self.segments, self.segment_c2 | self.shared)
        self.assertVisible(
            self.executive, self.segments, self.segments, allowed_company_ids=(self.company | self.company_2).ids
        )
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.segment"].with_user(user).search([])

    def test_marketer_edits_own(self):
        Segment = self.env["crm.segment"].with_user(self.participant)
        mine = Segment.create({"name": "Mine", "kind": "static"})
        self.assertEqual((mine.user_id, mine.company_id), (self.participant, self.company))
        mine.name = "Mine, renamed"
        self.dynamic.with_user(self.participant).domain = "[('city', '=', 'Lyon')]"
        for segment in (self.colleague_segment, self.shared, self.env.ref("crm_marketing.crm_segment_lost")):
            with self.subTest(segment=segment.name), self.assertRaises(AccessError):
                segment.with_user(self.participant).write({"name": "Taken"})
        with self.assertRaises(AccessError):
            self.colleague_segment.with_user(self.participant)._crm_segment_add_partners(self.lyon)
        with self.assertRaises(AccessError):
            mine.unlink()  # managers delete
        with self.assertRaises(AccessError):
            Segment.create({"name": "For a colleague", "user_id": self.colleague.id})

    def test_manager_edits_and_deletes(self):
        for segment in (self.colleague_segment, self.shared):
            segment.with_user(self.manager).write({"name": "Renamed"})
        self.colleague_segment.with_user(self.manager).unlink()
        with self.assertRaises(AccessError):
            self.segment_c2.with_user(self.manager).unlink()
        self.segment_c2.with_user(self.executive).with_context(
            allowed_company_ids=(self.company | self.company_2).ids
        ).unlink()

    def test_membership_field_for_marketers_only(self):
        self.assertEqual(self.paris_1.with_user(self.participant).crm_segment_ids, self.static)
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "res.partner", "read", self.paris_1.ids, ["crm_segment_ids"])

    def test_public_methods(self):
        found = {
            (model, method) for model, method in public_methods(self.env, "crm_marketing") if model in SEGMENT_MODELS
        }
        self.assertEqual(
            found,
            {
                ("crm.segment", "create"),
                ("crm.segment", "write"),
                ("crm.segment", "action_view_members"),
                ("crm.segment", "action_import_prospects"),
                ("crm.segment.import", "write"),
                ("crm.segment.import", "action_preview"),
                ("crm.segment.import", "action_import"),
                ("crm.segment.import", "action_download_report"),
            },
        )

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_rpc_attacks(self):
        self.env.invalidate_all()  # as in a request of its own: nothing read before
        for user in (self.salesperson, self.portal):
            with self.subTest(user=user.login):
                for method in ("action_view_members", "action_import_prospects"):
                    with self.assertRaises(AccessError):
                        call_kw(user, "crm.segment", method, self.static.ids)
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.segment", "create", {"name": "X"})
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.segment.import", "create", {"segment_id": self.static.id})
        # private methods are not reachable
        for method in ("_crm_segment_add_partners", "_crm_segment_partners", "_crm_segment_partner_query"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.segment", method, self.static.ids)
        # a marketer of company 2 reaches nothing of company 1
        with self.assertRaises(AccessError):
            call_kw(self.company2_user, "crm.segment", "action_view_members", self.static.ids)
        with self.assertRaises(AccessError):
            call_kw(self.company2_user, "crm.segment", "write", self.dynamic.ids, {"domain": "[]"})

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_imports_are_their_authors(self):
        wizard = self.new_import(self.participant, [["Name"], ["A"]], segment_id=self.static.id)
        call_kw(self.participant, "crm.segment.import", "action_preview", wizard.ids)
        line = wizard.line_ids
        self.assertEqual(line.status, "new")
        # the checked rows are not the user's to change
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.segment.import.line", "write", line.ids, {"status": "existing"})
        with self.assertRaises(AccessError):
            call_kw(
                self.participant,
                "crm.segment.import.line",
                "create",
                {"import_id": wizard.id, "status": "new", "email": "x@y.cn"},
            )
        for user in (self.colleague, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.segment.import", "action_import", wizard.ids)
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.segment.import.line", "read", line.ids, ["name"])
        # into a list the marketer may not edit
        wizard = self.new_import(self.participant, [["Name"], ["B"]], segment_id=self.colleague_segment.id)
        wizard.action_preview()
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.segment.import", "action_import", wizard.ids)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "B")]))

    def test_mailing_segment_must_be_readable(self):
        self.company2_user.groups_id += self.env.ref("mass_mailing.group_mass_mailing_user")
        with self.assertRaises(AccessError):
            call_kw(self.company2_user, "mailing.mailing", "create", {"subject": "X", "crm_segment_id": self.static.id})
        with self.assertRaises(AccessError):
            call_kw(
                self.participant, "mailing.mailing", "create", {"subject": "X", "crm_segment_id": self.segment_c2.id}
            )
        mailing_id = call_kw(
            self.participant, "mailing.mailing", "create", {"subject": "X", "crm_segment_id": self.static.id}
        )
        self.assertEqual(self.env["mailing.mailing"].browse(mailing_id).mailing_model_name, "res.partner")
        with self.assertRaises(ValidationError):
            call_kw(
                self.participant,
                "mailing.mailing",
                "create",
                {
                    "subject": "X",
                    "crm_segment_id": self.static.id,
                    "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                },
            )

    def test_mailing_sender_keeps_own_rules(self):
        """A shared list with contacts of both companies, mailed from the first: its contacts only."""
        shared_list = self.env["crm.segment"].create(
            {
                "name": "Both companies",
                "kind": "static",
                "company_id": False,
                "partner_ids": [Command.set((self.paris_1 | self.paris_c2).ids)],
            }
        )
        Mailing = self.env["mailing.mailing"].with_user(self.participant)
        mailing = Mailing.create({"subject": "X", "crm_segment_id": shared_list.id})
        self.assertEqual(mailing._get_recipients(), self.paris_1.ids)
        with self.assertRaises(UserError):
            # an empty list: mass_mailing's own refusal
            Mailing.create({"subject": "Y", "crm_segment_id": self.colleague_segment.id}).action_send_mail()
