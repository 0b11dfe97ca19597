from datetime import date

from odoo.tests import BaseCase, tagged

from ..lib.statement import APPRAISAL_KEYS, appraisal, new_customers, receivable_rows, totals


@tagged("post_install", "-at_install")
class TestStatementLib(BaseCase):
    today = date(2026, 3, 31)

    def test_receivable_rows(self):
        rows = receivable_rows(
            [
                {"id": 1, "date_maturity": date(2026, 4, 30), "residual": 200.0},
                {"id": 2, "date_maturity": date(2026, 3, 1), "residual": 500.0},
                {"id": 3, "date_maturity": date(2026, 3, 1), "residual": -50.0},
                {"id": 4, "date_maturity": None, "residual": 10.0},
            ],
            self.today,
        )
        self.assertEqual([row["id"] for row in rows], [2, 3, 1, 4])
        self.assertEqual([row["days_overdue"] for row in rows], [30, 0, 0, 0])
        self.assertEqual([row["overdue"] for row in rows], [True, False, False, False])

    def test_new_customers(self):
        firsts = {1: date(2026, 3, 5), 2: date(2025, 1, 1), 3: date(2026, 3, 31), 4: None}
        self.assertEqual(new_customers(firsts, date(2026, 3, 1), self.today), {1, 3})

    def test_appraisal_and_totals(self):
        table = appraisal({7, 8}, ordered={7: 100.0, 9: 5.0}, leads={8: 2})
        self.assertEqual(set(table), {7, 8, 9})
        self.assertEqual(table[7]["ordered"], 100.0)
        self.assertEqual(table[8], {**dict.fromkeys(APPRAISAL_KEYS, 0), "leads": 2})
        self.assertEqual(totals(table.values(), ["ordered", "leads"]), {"ordered": 105.0, "leads": 2})
        with self.assertRaises(ValueError):
            appraisal(set(), bogus={})
