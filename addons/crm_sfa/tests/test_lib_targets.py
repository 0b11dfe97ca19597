from datetime import date

from odoo.tests import BaseCase

from ..lib import targets
from ..lib.targets import TargetSpec

JAN, FEB, MAR, APR = (date(2026, month, 1) for month in (1, 2, 3, 4))
HQ, BRANCH, OTHER = 1, 2, 3
ROWS = [
    # company, team, user, month, amount
    (HQ, 10, 100, JAN, 1000.0),
    (HQ, 10, 100, FEB, 500.0),
    (HQ, 10, 101, FEB, 300.0),
    (HQ, False, 100, APR, 50.0),
    (BRANCH, 20, 102, MAR, 700.0),
    (OTHER, 10, 100, FEB, 9999.0),  # another company: never counted by HQ targets
]


def spec(key, level, subject, companies, date_from, date_to):
    return TargetSpec(key, level, subject, frozenset(companies), date_from, date_to)


class TestTargets(BaseCase):
    def test_each_level_counts_its_subject_over_its_months(self):
        result = targets.achieved_amounts(
            [
                spec("user_q1", "user", 100, {HQ}, JAN, date(2026, 3, 31)),
                spec("user_feb", "user", 100, {HQ}, FEB, date(2026, 2, 28)),
                spec("team_q1", "team", 10, {HQ}, JAN, date(2026, 3, 31)),
                spec("hq_tree_q1", "company", HQ, {HQ, BRANCH}, JAN, date(2026, 3, 31)),
                spec("branch_q1", "company", BRANCH, {BRANCH}, JAN, date(2026, 3, 31)),
                spec("nobody", "user", 999, {HQ}, JAN, date(2026, 12, 31)),
            ],
            ROWS,
        )
        self.assertEqual(
            result,
            {
                "user_q1": 1500.0,
                "user_feb": 500.0,
                "team_q1": 1800.0,
                "hq_tree_q1": 2500.0,
                "branch_q1": 700.0,
                "nobody": 0.0,
            },
        )

    def test_unknown_level_is_refused(self):
        with self.assertRaises(ValueError):
            spec("x", "region", 1, {HQ}, JAN, FEB)

    def test_completion_rate(self):
        self.assertEqual(targets.completion_rate(500, 2000), 25.0)
        self.assertEqual(targets.completion_rate(500, 0), 0.0)
        self.assertEqual(targets.completion_rate(3000, 2000), 150.0)
