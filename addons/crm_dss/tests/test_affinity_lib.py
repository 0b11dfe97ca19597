from odoo.tests import BaseCase, tagged

from ..lib import affinity


@tagged("post_install", "-at_install")
class TestAffinityLib(BaseCase):
    """Support, confidence and lift of "also bought" pairs on plain baskets."""

    ORDERS = ([1, 2], [1, 2, 3, 1], [1, 3], [2], [9], [9], [9], [9])

    def test_measures(self):
        self.assertEqual(affinity.support(2, 8), 0.25)
        self.assertEqual(affinity.confidence(2, 3), 2 / 3)
        self.assertAlmostEqual(affinity.lift(2, 3, 3, 8), 16 / 9)

    def test_measures_without_orders_are_zero(self):
        self.assertEqual(affinity.support(0, 0), 0.0)
        self.assertEqual(affinity.confidence(1, 0), 0.0)
        self.assertEqual(affinity.lift(1, 0, 2, 3), 0.0)

    def test_mine_pairs(self):
        pairs = affinity.mine_pairs(self.ORDERS)
        self.assertEqual(set(pairs), {(1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2)})
        self.assertEqual(pairs[1, 2]["orders"], 2)
        self.assertEqual(pairs[1, 2]["support"], 0.25)
        self.assertAlmostEqual(pairs[1, 3]["confidence"], 2 / 3)
        self.assertEqual(pairs[3, 1]["confidence"], 1.0)
        self.assertAlmostEqual(pairs[3, 1]["lift"], 16 / 6)
        self.assertAlmostEqual(pairs[2, 3]["lift"], 8 / 6)

    def test_min_support_drops_rare_pairs(self):
        self.assertEqual(set(affinity.mine_pairs(self.ORDERS, min_support=0.2)), {(1, 2), (2, 1), (1, 3), (3, 1)})

    def test_top_keeps_the_best_pairs_per_product(self):
        pairs = affinity.mine_pairs(self.ORDERS, top=1)
        # 1 -> 2 and 1 -> 3 have the same confidence: the higher lift wins
        self.assertIn((1, 3), pairs)
        self.assertNotIn((1, 2), pairs)
        self.assertEqual(sum(1 for product, _other in pairs if product == 1), 1)

    def test_suggest_skips_what_was_bought(self):
        pairs = [(1, 2, 0.5, 1.2), (1, 3, 0.5, 2.0), (3, 2, 0.9, 1.0), (4, 5, 1.0, 3.0)]
        self.assertEqual(affinity.suggest({1}, pairs), [3, 2])
        self.assertEqual(affinity.suggest({1, 3}, pairs), [2])
        self.assertEqual(affinity.suggest({1}, pairs, exclude={3}), [2])
        self.assertEqual(affinity.suggest({1}, pairs, limit=1), [3])
        self.assertEqual(affinity.suggest(set(), pairs), [])
