from odoo.tests import BaseCase

from ..lib.qualification import is_filled, missing, score


class TestScore(BaseCase):
    """The score is the weighted share of the criteria met."""

    def test_weighted_share(self):
        weights = {"budget": 3, "authority": 1, "need": 1}
        self.assertEqual(score(weights, set()), 0.0)
        self.assertEqual(score(weights, {"budget"}), 60.0)
        self.assertEqual(score(weights, {"authority", "need"}), 40.0)
        self.assertEqual(score(weights, {"budget", "authority", "need"}), 100.0)

    def test_rounded_to_hundredths(self):
        self.assertEqual(score({"a": 1, "b": 1, "c": 1}, {"a"}), 33.33)

    def test_criteria_of_other_teams_do_not_count(self):
        self.assertEqual(score({"budget": 1}, {"budget", "partner_fit"}), 100.0)

    def test_no_criteria_no_score(self):
        self.assertEqual(score({}, {"budget"}), 0.0)
        self.assertEqual(score({"budget": 0}, {"budget"}), 0.0)


class TestMissing(BaseCase):
    """What a gate still lacks, in the order it asks for it."""

    def test_filled(self):
        for value in ("ACME", 1, 0.5, True, [1]):
            self.assertTrue(is_filled(value), value)
        for value in ("", "  ", 0, 0.0, False, None, []):
            self.assertFalse(is_filled(value), value)

    def test_missing_fields_and_criteria(self):
        fields, criteria = missing(
            ["expected_revenue", "email_from", "phone"],
            {"expected_revenue": 0.0, "email_from": "info@acme.example", "phone": ""},
            ["budget", "authority"],
            {"authority"},
        )
        self.assertEqual(fields, ["expected_revenue", "phone"])
        self.assertEqual(criteria, ["budget"])

    def test_nothing_missing(self):
        self.assertEqual(missing(["name"], {"name": "ACME"}, ["budget"], {"budget"}), ([], []))

    def test_asked_twice_named_once(self):
        self.assertEqual(missing(["phone", "phone"], {}, ["budget", "budget"], set()), (["phone"], ["budget"]))
