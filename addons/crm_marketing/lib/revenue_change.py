"""Why revenue rose or fell between two periods, on plain numbers.

Nothing here reads the database. The change of revenue of a group of customers (a
segment in a region) from an earlier to a later period is split by customer:

- ``new``: customers with revenue in the later period and none in the earlier one
  (first buyers and customers won back): their whole later revenue;
- ``lost``: customers with revenue in the earlier period and none in the later one:
  minus their whole earlier revenue;
- ``grown``: customers in both periods who bought more: the increase;
- ``shrunk``: customers in both periods who bought less: the decrease (negative).

The four parts add up to the change exactly (``after - before``); the *driver* is the
part of the largest absolute size, the one-word answer to "why".
"""

from collections import defaultdict
from dataclasses import dataclass, field

PARTS = ("new", "lost", "grown", "shrunk")
DRIVERS = [
    ("new", "New customers"),
    ("lost", "Lost customers"),
    ("grown", "Customers buying more"),
    ("shrunk", "Customers buying less"),
]


@dataclass
class Change:
    """The revenue of one group in both periods and the four parts of its change."""

    before: float = 0.0
    after: float = 0.0
    new: float = 0.0
    lost: float = 0.0
    grown: float = 0.0
    shrunk: float = 0.0
    counts: dict = field(default_factory=lambda: dict.fromkeys(PARTS, 0))

    @property
    def change(self):
        return self.after - self.before

    @property
    def driver(self):
        """The part that moved the revenue most (None when nothing changed)."""
        sizes = {part: abs(getattr(self, part)) for part in PARTS}
        part = max(PARTS, key=sizes.get)
        return part if sizes[part] else None

    def add(self, before, after):
        """Count one customer's revenue in the two periods."""
        self.before += before
        self.after += after
        if not before and not after:
            return
        if not before:
            part, amount = "new", after
        elif not after:
            part, amount = "lost", -before
        elif after >= before:
            part, amount = "grown", after - before
        else:
            part, amount = "shrunk", after - before
        setattr(self, part, getattr(self, part) + amount)
        self.counts[part] += 1


def decompose(rows):
    """``{group: Change}`` from rows ``(group, customer, before, after)``.

    A customer may appear in several rows of a group (the amounts are summed first: only
    its totals per period decide whether it is new, lost, grown or shrunk).
    """
    totals = defaultdict(lambda: [0.0, 0.0])
    for group, customer, before, after in rows:
        amounts = totals[group, customer]
        amounts[0] += before
        amounts[1] += after
    changes = defaultdict(Change)
    for (group, _customer), (before, after) in totals.items():
        changes[group].add(before, after)
    return dict(changes)
