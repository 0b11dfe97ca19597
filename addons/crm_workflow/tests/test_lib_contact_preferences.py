from odoo.tests import BaseCase, tagged

from ..lib import contact_preferences as prefs


@tagged("post_install", "-at_install")
class TestLibContactPreferences(BaseCase):
    """Which opt-outs and opt-ins a change of channels means, on plain data."""

    def test_refusing_and_allowing_again(self):
        before = {1: {"email": True, "sms": False}, 2: {"email": True, "sms": True}}
        after = {1: {"email": False, "sms": True}, 2: {"email": True, "sms": True}}
        self.assertEqual(prefs.channel_changes(before, after), [(1, "email", prefs.OPT_OUT), (1, "sms", prefs.OPT_IN)])

    def test_a_channel_not_written_did_not_change(self):
        self.assertEqual(prefs.channel_changes({1: {"email": True, "post": False}}, {1: {"email": True}}), [])
        self.assertEqual(prefs.channel_changes({1: {"email": True}}, {}), [])

    def test_changes_follow_the_channels_order(self):
        before = {7: {"post": True, "email": True}}
        after = {7: {"post": False, "email": False}}
        self.assertEqual([channel for _key, channel, _kind in prefs.channel_changes(before, after)], ["email", "post"])

    def test_a_new_contact_refuses_what_it_is_created_without(self):
        self.assertEqual(prefs.created_refusals({"sms": False, "email": True, "post": False}), ["sms", "post"])
        self.assertEqual(prefs.created_refusals({}), [])

    def test_a_reason_defaults_to_not_given_by_a_user(self):
        reason = prefs.Reason()
        self.assertEqual((reason.reason, reason.note, reason.source), (prefs.NOT_GIVEN, "", prefs.SOURCE_USER))
        self.assertEqual(prefs.field_of("sms"), "crm_allow_sms")
