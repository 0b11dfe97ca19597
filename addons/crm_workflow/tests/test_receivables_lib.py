from datetime import date

from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools import SQL

from ..lib.receivables import AGEING_BUCKETS, ageing_bucket, is_overdue, overdue_condition

TODAY = date(2026, 3, 31)


class TestAgeingBucket(BaseCase):
    def test_not_overdue_has_no_bucket(self):
        self.assertIsNone(ageing_bucket(0))
        self.assertIsNone(ageing_bucket(-5))

    def test_bucket_edges(self):
        self.assertEqual(
            [ageing_bucket(days) for days in (1, 30, 31, 60, 61, 90, 91, 4000)],
            ["1_30", "1_30", "31_60", "31_60", "61_90", "61_90", "91_plus", "91_plus"],
        )

    def test_buckets_cover_every_overdue_day_once(self):
        for days in range(1, 200):
            matches = [key for key, first, last in AGEING_BUCKETS if days >= first and (last is None or days <= last)]
            self.assertEqual(len(matches), 1, days)


@tagged("post_install", "-at_install")
class TestOverdueCondition(TransactionCase):
    """The SQL form of the overdue rule says what :func:`is_overdue` says, line by line."""

    def test_sql_condition_agrees_with_python_rule(self):
        lines = [
            (date(2026, 3, 30), 100.0),
            (TODAY, 100.0),
            (date(2026, 4, 1), 100.0),
            (date(2026, 1, 1), 0.0),
            (date(2026, 1, 1), -50.0),
            (None, 100.0),
        ]
        values = SQL(", ").join(
            SQL("(%s, %s::date, %s::numeric)", index, due, residual) for index, (due, residual) in enumerate(lines)
        )
        self.env.cr.execute(
            SQL(
                """SELECT line.id, COALESCE(%s, false)
                     FROM (VALUES %s) AS line(id, date_maturity, amount_residual)
                 ORDER BY 1""",
                overdue_condition("line", TODAY),
                values,
            )
        )
        self.assertEqual(
            [overdue for _id, overdue in self.env.cr.fetchall()],
            [is_overdue(due, residual, TODAY) for due, residual in lines],
        )
