"""Association measures of "also bought" pairs, on plain counts.

For two products A and B sold in ``total`` orders: ``support`` is the share of orders
holding both, ``confidence`` the share of A's orders that also hold B (how often a buyer
of A buys B) and ``lift`` how much more often than chance they go together (1: as often
as chance; above 1: bought together). The SQL miner of ``crm.dss.product.affinity``
computes the same figures in the database; these functions are its reference.
"""

from collections import Counter
from itertools import permutations


def support(both, total):
    """Share of the ``total`` orders that hold both products (0 without orders)."""
    return both / total if total else 0.0


def confidence(both, with_first):
    """Share of the orders holding the first product that also hold the second."""
    return both / with_first if with_first else 0.0


def lift(both, with_first, with_second, total):
    """Confidence of first -> second divided by the second's own support (0 when undefined)."""
    if not (with_first and with_second and total):
        return 0.0
    return (both * total) / (with_first * with_second)


def mine_pairs(orders, min_support=0.0, top=None):
    """Directed pairs ``(product, other)`` mined from ``orders`` (iterables of product ids).

    Returns ``{(product, other): {"orders", "support", "confidence", "lift"}}`` for the
    pairs whose support reaches ``min_support``, keeping for each product only its
    ``top`` best others (by confidence, then lift, then orders, then the other's id).
    """
    baskets = [set(order) for order in orders]
    total = len(baskets)
    single = Counter(product for basket in baskets for product in basket)
    together = Counter(pair for basket in baskets for pair in permutations(sorted(basket), 2))
    pairs = {}
    for (product, other), both in together.items():
        value = support(both, total)
        if value < min_support:
            continue
        pairs[product, other] = {
            "orders": both,
            "support": value,
            "confidence": confidence(both, single[product]),
            "lift": lift(both, single[product], single[other], total),
        }
    return rank_pairs(pairs, top)


def rank_pairs(pairs, top=None):
    """Keep, for each product, its ``top`` best pairs (all when ``top`` is None)."""
    if top is None:
        return pairs
    by_product = {}
    for (product, other), figures in pairs.items():
        by_product.setdefault(product, []).append((other, figures))
    kept = {}
    for product, others in by_product.items():
        others.sort(key=lambda item: (-item[1]["confidence"], -item[1]["lift"], -item[1]["orders"], item[0]))
        for other, figures in others[:top]:
            kept[product, other] = figures
    return kept


def suggest(bought, pairs, exclude=(), limit=10):
    """Products to offer a buyer of ``bought``: the others of their pairs, best first.

    ``pairs`` are ``(product, other, confidence, lift)`` tuples; a product already in
    ``bought`` or ``exclude`` is never offered; each other keeps its best pair.
    """
    bought = set(bought)
    skip = bought | set(exclude)
    best = {}
    for product, other, conf, lift_value in pairs:
        if product not in bought or other in skip:
            continue
        key = (conf, lift_value)
        if other not in best or key > best[other]:
            best[other] = key
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [other for other, _key in ranked[:limit]]
