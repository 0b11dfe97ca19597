from datetime import date

from odoo.tests import BaseCase

from ..lib import rfm


class TestLibRfm(BaseCase):
    """The RFM and ABC rules on plain numbers."""

    today = date(2026, 6, 30)

    def test_parse_cuts(self):
        self.assertEqual(rfm.parse_cuts("30, 90,180 ,365"), (30, 90, 180, 365))
        self.assertEqual(rfm.parse_cuts("0.5,1,2.5,4"), (0.5, 1, 2.5, 4))
        for text in ("", "1,2,3", "1,2,3,4,5", "a,b,c,d", "1,2,2,3", "4,3,2,1", "-1,2,3,4", "1;2;3;4"):
            with self.subTest(text=text), self.assertRaises(ValueError):
                rfm.parse_cuts(text)

    def test_abc_shares(self):
        rfm.validate_abc_shares(80, 95)
        rfm.validate_abc_shares(50, 100)
        for shares in ((0, 95), (95, 80), (80, 80), (80, 101), (-5, 50)):
            with self.subTest(shares=shares), self.assertRaises(ValueError):
                rfm.validate_abc_shares(*shares)

    def test_period_start(self):
        # 12 months ending on 30 June 2026, both ends included
        self.assertEqual(rfm.period_start(self.today, 12), date(2025, 7, 1))
        self.assertEqual(rfm.period_start(date(2026, 3, 31), 1), date(2026, 3, 1))
        for months in (0, 121):
            with self.assertRaises(ValueError):
                rfm.period_start(self.today, months)

    def test_scores(self):
        cuts = (30, 90, 180, 365)
        self.assertEqual(
            [rfm.score_recency(days, cuts) for days in (0, 30, 31, 90, 91, 180, 365, 366, 5000)],
            [5, 5, 4, 4, 3, 3, 2, 1, 1],
        )
        cuts = (1, 2, 4, 8)
        self.assertEqual([rfm.score_ascending(f, cuts) for f in (0, 1, 2, 3, 4, 5, 8, 9)], [1, 1, 2, 3, 3, 4, 4, 5])
        self.assertEqual(rfm.score_ascending(-200.0, (1000, 5000, 20000, 100000)), 1)

    def test_rules(self):
        self.assertEqual(rfm.rfm_class(5, 5, 5), "champion")
        self.assertEqual(rfm.rfm_class(4, 4, 3), "loyal")  # monetary too low for the best customers
        self.assertEqual(rfm.rfm_class(2, 3, 5), "at_risk")
        self.assertEqual(rfm.rfm_class(1, 5, 5), "at_risk")
        self.assertEqual(rfm.rfm_class(1, 2, 5), "lost")
        self.assertEqual(rfm.rfm_class(5, 1, 1, new=True), "new")
        self.assertEqual(rfm.rfm_class(5, 1, 1), "other")  # a single purchase, but an old customer
        self.assertEqual(rfm.rfm_class(3, 2, 2), "other")
        # no purchase in the period: lost, whatever the scores
        self.assertEqual(rfm.rfm_class(5, 5, 5, lapsed=True), "lost")
        self.assertEqual({rule.rfm_class for rule in rfm.RULES}, {key for key, _label in rfm.CLASSES})
        self.assertFalse(rfm.RULES[-1].r or rfm.RULES[-1].f or rfm.RULES[-1].m, "the last rule catches all")

    def test_classify(self):
        date_from = rfm.period_start(self.today, 12)
        result = rfm.classify(date(2026, 6, 20), date(2024, 1, 1), 6, 25000.0, self.today, date_from)
        self.assertEqual(result, rfm.Classification(10, 6, 25000.0, 5, 4, 4, "champion"))
        new = rfm.classify(date(2026, 6, 1), date(2026, 6, 1), 1, 300.0, self.today, date_from)
        self.assertEqual((new.recency_days, new.r, new.f, new.m, new.rfm_class), (29, 5, 1, 1, "new"))
        lapsed = rfm.classify(date(2025, 1, 1), date(2024, 1, 1), 0, 0.0, self.today, date_from)
        self.assertEqual((lapsed.r, lapsed.f, lapsed.rfm_class), (1, 1, "lost"))
        with self.assertRaises(TypeError):
            rfm.classify(date(2026, 1, 1), date(2026, 1, 1), 1, 1.0, "2026-06-30", date_from)

    def test_abc(self):
        amounts = {"a": 500, "b": 300, "c": 100, "d": 60, "e": 40, "f": 0, "g": -50}
        # shares before each: 0 %, 50 %, 80 %, 90 %, 96 %
        self.assertEqual(rfm.abc_classes(amounts), {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C"})
        # one customer making most of the revenue is A on its own
        self.assertEqual(rfm.abc_classes({1: 900, 2: 100}), {1: "A", 2: "B"})
        # equal revenue: the key decides the order
        self.assertEqual(rfm.abc_classes({2: 10, 1: 10}, 50, 100), {1: "A", 2: "B"})
        self.assertEqual(rfm.abc_classes({}), {})
        with self.assertRaises(ValueError):
            rfm.abc_classes(amounts, 95, 80)
