from odoo.tests import BaseCase

from ..lib import prospects


class TestCampaignResponseLib(BaseCase):
    """The responder keys, the public form's cleaning and the rules' choices on plain values."""

    def test_normalize_email(self):
        self.assertEqual(prospects.normalize_email("  Ann.Buyer@Example.COM "), "ann.buyer@example.com")
        self.assertEqual(prospects.normalize_email('"Ann" <Ann@Example.com>'), "ann@example.com")
        for value in (None, "", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com"):
            with self.subTest(value=value):
                self.assertIsNone(prospects.normalize_email(value))
        self.assertIsNone(prospects.normalize_email("a" * 250 + "@example.com"))

    def test_phone_digits(self):
        self.assertEqual(prospects.phone_digits("+86 (21) 555-0100"), "+86215550100")
        self.assertEqual(prospects.phone_digits("0086 21 5550100"), "+86215550100")
        self.assertEqual(prospects.phone_digits("0470 12.34.56"), "0470123456")
        for value in (None, "", "12345", "phone", "1" * 21):
            with self.subTest(value=value):
                self.assertIsNone(prospects.phone_digits(value))

    def test_phone_key(self):
        self.assertEqual(prospects.phone_key("0470/12.34.56", 32), "+32470123456")
        self.assertEqual(prospects.phone_key("0032 470 123456", 32), "+32470123456")
        self.assertEqual(prospects.phone_key("+32 470 12 34 56", 86), "+32470123456")
        self.assertEqual(prospects.phone_key("0470123456"), "0470123456")
        self.assertIsNone(prospects.phone_key("12", 32))
        self.assertEqual(prospects.phone_suffix("+32470123456"), "70123456")

    def test_normalize_company(self):
        self.assertEqual(prospects.normalize_company("ACME Ltd."), "acme")
        self.assertEqual(prospects.normalize_company("Acme"), "acme")
        self.assertEqual(prospects.normalize_company("Société Générale S.A."), "societe generale s a")
        self.assertEqual(prospects.normalize_company("Müller GmbH & Co. KG"), "muller")
        self.assertEqual(prospects.normalize_company("上海云杉有限公司"), "上海云杉")
        # a legal form alone stays a name
        self.assertEqual(prospects.normalize_company("Ltd"), "ltd")
        for value in (None, "", "n/a", "N.A.", "Private", "-", "x"):
            with self.subTest(value=value):
                self.assertIsNone(prospects.normalize_company(value))

    def test_responder_keys(self):
        self.assertEqual(
            prospects.responder_keys("Ann@X.com", "0470 12 34 56", "ACME Ltd", country_phone_code=32),
            [("email", "ann@x.com"), ("phone", "+32470123456"), ("company", "acme")],
        )
        self.assertEqual(prospects.responder_keys(None, "12", "n/a"), [])

    def test_group_responders(self):
        keys = [
            [("email", "a@x.com")],
            [("email", "b@x.com"), ("phone", "1")],
            [("phone", "1"), ("email", "a@x.com")],  # joins the first two
            [],
            [("email", "c@x.com")],
            [("email", "c@x.com")],
        ]
        self.assertEqual(prospects.group_responders(keys), [0, 0, 0, 3, 4, 4])
        self.assertEqual(prospects.group_responders([]), [])

    def test_best_match(self):
        found = {("phone", "1"): "lead phone", ("company", "acme"): "lead company"}
        self.assertEqual(
            prospects.best_match([("email", "a"), ("phone", "1"), ("company", "acme")], found), "lead phone"
        )
        self.assertIsNone(prospects.best_match([("email", "a")], found))

    def test_pick_assignee(self):
        self.assertEqual(prospects.pick_assignee("owner", owner_id=1, campaign_user_id=2, fallback_id=9), 1)
        self.assertEqual(prospects.pick_assignee("owner", campaign_user_id=2, fallback_id=9), 9)
        self.assertEqual(prospects.pick_assignee("campaign", owner_id=1, campaign_user_id=2), 2)
        self.assertEqual(prospects.pick_assignee("team", owner_id=1, team_leader_id=3), 3)
        self.assertIsNone(prospects.pick_assignee("team", owner_id=1))

    def test_rule_matches(self):
        self.assertTrue(prospects.rule_matches({"click", "form"}, None, "click", 5))
        self.assertFalse(prospects.rule_matches({"click"}, None, "open", 5))
        self.assertTrue(prospects.rule_matches({"click"}, 5, "click", 5))
        self.assertFalse(prospects.rule_matches({"click"}, 5, "click", 6))
        self.assertFalse(prospects.rule_matches({"click"}, 5, "click", None))

    def test_clean_form(self):
        cleaned, errors = prospects.clean_form(
            {"name": " Ann ", "email": "Ann@Example.com", "phone": "", "company": "ACME", "message": "Hi", "x": "y"}
        )
        self.assertEqual(errors, {})
        self.assertEqual(
            cleaned, {"name": "Ann", "email": "ann@example.com", "phone": "", "company": "ACME", "message": "Hi"}
        )
        self.assertEqual(prospects.clean_form({"name": "Ann", "phone": "+32 470 12 34 56"})[1], {})
        cases = [
            ({"email": "a@x.com"}, {"name": "required"}),
            ({"name": "Ann"}, {"email": "contact_required"}),
            ({"name": "Ann", "email": "nope"}, {"email": "invalid"}),
            ({"name": "Ann", "phone": "call me"}, {"phone": "invalid"}),
            ({"name": "Ann", "phone": "123"}, {"phone": "invalid"}),
            ({"name": "A" * 101, "email": "a@x.com"}, {"name": "too_long"}),
            ({"name": "Ann", "email": "a@x.com", "message": "m" * 2001}, {"message": "too_long"}),
            ({"name": ["Ann"], "email": {"a": 1}}, {"name": "required", "email": "contact_required"}),
        ]
        for values, expected in cases:
            with self.subTest(values=values):
                self.assertEqual(prospects.clean_form(values)[1], expected)

    def test_learning_line(self):
        self.assertEqual(
            prospects.learning_line("2025-03-02", "Click", "Spring", "Clicked\n https://x/pricing"),
            "2025-03-02 Click (Spring): Clicked https://x/pricing",
        )
        self.assertEqual(prospects.learning_line("2025-03-02", "Open", False, False), "2025-03-02 Open")

    def test_positive_int(self):
        self.assertEqual(prospects.positive_int("5", 1), 5)
        for value in (None, "", "x", "0", "-3"):
            with self.subTest(value=value):
                self.assertEqual(prospects.positive_int(value, 7), 7)
