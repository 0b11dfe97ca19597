"""RFM and ABC classification of customers on plain numbers.

Nothing here reads the database. The ORM layer (``crm.rfm.score``) measures every
customer of a company in one grouped query and applies these rules, either by calling
the functions below or, for a million customers at once, through SQL built from the
same data (:data:`RULES`, the cut points, the ABC shares), so that there is one
definition of each score and class.

**Measures** of a customer over the period (the ``months`` months up to today):

- recency: days since the last purchase (any time up to today);
- frequency: number of purchases (invoices or confirmed orders) in the period;
- monetary: untaxed amount in the company currency in the period (credit notes lower it).

**Scores** 1..5 from four ascending cut points per measure. Recency: 5 when the days are
at most the first cut point, one less for each cut point they exceed. Frequency and
monetary: 1 when the value is at most the first cut point, one more for each cut point
it exceeds.

**Classes**: the first rule of :data:`RULES` that matches. A customer who bought before
the period but not in it is *lapsed* and matches the first rule ("lost").

**ABC** by cumulative revenue share: customers sorted by monetary value (highest first);
a customer is A while the revenue of the customers before it is below ``a_share`` % of
the total, B while below ``b_share`` %, C after. Customers without revenue in the period
(nothing, or credit notes only) get no ABC class.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta

MEASURES = ("recency", "frequency", "monetary")
SCORES = (1, 2, 3, 4, 5)
# lists, as Odoo's selection fields take them
CLASSES = [
    ("champion", "Best Customers"),
    ("loyal", "Loyal"),
    ("at_risk", "At Risk"),
    ("new", "New"),
    ("lost", "Lost"),
    ("other", "Other"),
]
ABC_CLASSES = [("A", "A"), ("B", "B"), ("C", "C")]

DEFAULT_CUTS = {
    "recency": (30, 90, 180, 365),
    "frequency": (1, 2, 4, 8),
    "monetary": (1000, 5000, 20000, 100000),
}
DEFAULT_ABC_SHARES = (80.0, 95.0)


@dataclass(frozen=True)
class Rule:
    """A class and the conditions a customer meets to get it.

    ``r``, ``f``, ``m``: inclusive ``(lowest, highest)`` score ranges, None for any score;
    ``new``: True for customers whose first purchase falls within the period;
    ``lapsed``: True for customers who bought before the period but not within it.
    """

    rfm_class: str
    r: tuple | None = None
    f: tuple | None = None
    m: tuple | None = None
    new: bool = False
    lapsed: bool = False

    def matches(self, r, f, m, new=False, lapsed=False):
        if self.lapsed and not lapsed:
            return False
        if self.new and not new:
            return False
        return all(
            bounds is None or bounds[0] <= score <= bounds[1]
            for bounds, score in ((self.r, r), (self.f, f), (self.m, m))
        )


# The classification, first match wins. Edit here: the SQL of the ORM layer follows.
RULES = (
    Rule("lost", lapsed=True),
    Rule("champion", r=(4, 5), f=(4, 5), m=(4, 5)),
    Rule("at_risk", r=(1, 2), f=(3, 5)),
    Rule("lost", r=(1, 1), f=(1, 2)),
    Rule("new", new=True, f=(1, 1)),
    Rule("loyal", r=(3, 5), f=(3, 5)),
    Rule("other"),
)


def parse_cuts(text):
    """The cut points of a comma-separated text: a tuple of four numbers.

    :raises ValueError: with a sentence for the user when the text is not four
        non-negative, strictly increasing numbers
    """
    parts = [part.strip() for part in (text or "").split(",")]
    try:
        cuts = tuple(float(part) for part in parts)
    except ValueError:
        raise ValueError("write four numbers separated by commas, such as 30, 90, 180, 365") from None
    validate_cuts(cuts)
    return tuple(int(cut) if cut.is_integer() else cut for cut in cuts)


def validate_cuts(cuts):
    """Raise ValueError unless ``cuts`` are four non-negative, strictly increasing numbers."""
    if len(cuts) != len(SCORES) - 1:
        raise ValueError(f"write {len(SCORES) - 1} numbers separated by commas, not {len(cuts)}")
    if any(cut < 0 for cut in cuts):
        raise ValueError("the numbers cannot be negative")
    if any(low >= high for low, high in pairwise(cuts)):
        raise ValueError("each number must be greater than the one before")


def validate_abc_shares(a_share, b_share):
    """Raise ValueError unless 0 < a_share < b_share <= 100 (percentages)."""
    if not 0 < a_share < b_share <= 100:
        raise ValueError("the share of A must be above 0, below the share of B, and B at most 100 %")


def period_start(today, months):
    """The first day of the period of ``months`` months that ends ``today`` (both included)."""
    if not 1 <= months <= 120:
        raise ValueError("the period is 1 to 120 months")
    return today - relativedelta(months=months) + timedelta(days=1)


def score_ascending(value, cuts):
    """Score 1..5 of a measure where more is better (frequency, monetary)."""
    return 1 + sum(value > cut for cut in cuts)


def score_recency(days, cuts):
    """Score 1..5 of the days since the last purchase: fewer is better."""
    return len(SCORES) - sum(days > cut for cut in cuts)


@dataclass(frozen=True)
class Classification:
    recency_days: int
    frequency: int
    monetary: float
    r: int
    f: int
    m: int
    rfm_class: str


def classify(last_date, first_date, frequency, monetary, today, date_from, cuts=None):
    """The scores and class of one customer.

    :param last_date: the day of the customer's last purchase up to ``today``
    :param first_date: the day of the customer's first purchase
    :param frequency: purchases within the period
    :param monetary: untaxed amount within the period
    :param date_from: the first day of the period (:func:`period_start`)
    :param cuts: ``{measure: cut points}``, :data:`DEFAULT_CUTS` by default
    """
    cuts = cuts or DEFAULT_CUTS
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    days = (today - last_date).days
    r = score_recency(days, cuts["recency"])
    f = score_ascending(frequency, cuts["frequency"])
    m = score_ascending(monetary, cuts["monetary"])
    return Classification(
        days, frequency, monetary, r, f, m, rfm_class(r, f, m, first_date >= date_from, not frequency)
    )


def rfm_class(r, f, m, new=False, lapsed=False):
    """The class of the first rule of :data:`RULES` that the scores match."""
    return next(rule.rfm_class for rule in RULES if rule.matches(r, f, m, new=new, lapsed=lapsed))


def abc_classes(amounts, a_share=DEFAULT_ABC_SHARES[0], b_share=DEFAULT_ABC_SHARES[1]):
    """``{key: "A" | "B" | "C"}`` of ``{key: revenue}``; keys without revenue are left out.

    Sorted by revenue (highest first, then by key, as the SQL does): a key's class is
    decided by the share of the total that the keys before it make.
    """
    validate_abc_shares(a_share, b_share)
    positive = sorted(((amount, key) for key, amount in amounts.items() if amount > 0), key=lambda x: (-x[0], x[1]))
    total = sum(amount for amount, _key in positive)
    result, before = {}, 0.0
    for amount, key in positive:
        # compared without dividing, as the SQL does
        result[key] = "A" if before * 100 < a_share * total else "B" if before * 100 < b_share * total else "C"
        before += amount
    return result
