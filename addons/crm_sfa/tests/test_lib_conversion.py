from odoo.tests import BaseCase
from odoo.tools import SQL

from ..lib import conversion


class TestConversion(BaseCase):
    def test_rate(self):
        self.assertEqual(conversion.rate(3, 4), 0.75)
        self.assertEqual(conversion.rate(0, 0), 0.0)

    def test_won_entries_are_conversions(self):
        condition = conversion.converted_sql(SQL("h.outcome"), SQL("s.is_won"))
        self.assertEqual(
            condition.code, "(h.outcome = 'forward' OR (COALESCE(s.is_won, FALSE) AND h.outcome = 'open'))"
        )

    def test_team_rates_pool_the_entries(self):
        stats = {("north", "ann"): (4, 1), ("north", "bob"): (6, 5), ("south", "cid"): (2, 2)}
        self.assertEqual(conversion.team_rates(stats), {"north": 0.6, "south": 1.0})

    def test_underperformers_below_ratio_with_enough_leads(self):
        stats = {
            ("north", "ann"): (10, 1),  # 10 % against 50 %: below half
            ("north", "bob"): (10, 9),
            ("north", "eve"): (2, 0),  # too few entries to judge
            ("north", None): (8, 4),  # unassigned leads count in the average only
        }
        found = conversion.underperformers(stats, ratio=0.5, min_leads=5)
        self.assertEqual([(item.team, item.user) for item in found], [("north", "ann")])
        self.assertAlmostEqual(found[0].rate, 0.1)
        self.assertAlmostEqual(found[0].team_rate, 14 / 30)

    def test_no_alert_at_the_limit_or_when_the_team_converts_nothing(self):
        self.assertEqual(conversion.underperformers({("t", "a"): (10, 2), ("t", "b"): (10, 6)}, 0.5, 5), [])
        self.assertEqual(conversion.underperformers({("t", "a"): (10, 0), ("t", "b"): (10, 0)}, 0.5, 5), [])

    def test_ratio_is_a_fraction(self):
        with self.assertRaises(ValueError):
            conversion.underperformers({}, ratio=0, min_leads=1)
        with self.assertRaises(ValueError):
            conversion.underperformers({}, ratio=1.5, min_leads=1)
