"""Achievement of sales targets.

A target counts the amounts of its subject over its months: a branch (a company and
its sub-companies), a sales team, or a salesperson; always within its company tree.
Amounts come in as rows ``(company_id, team_id, user_id, month, amount)`` where
``month`` is the first day of a month, already in the target's currency; the ORM
reads them with one grouped query per measure for all the targets at once.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

LEVELS = ("company", "team", "user")


@dataclass(frozen=True)
class TargetSpec:
    """What a target counts: ``subject_id`` is the company, team or user id of its level."""

    key: object
    level: str
    subject_id: int
    company_ids: frozenset
    date_from: date
    date_to: date

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"unknown target level {self.level!r}")


def achieved_amounts(targets, rows):
    """The amount each target achieved: ``{target.key: amount}`` (0.0 when nothing counts).

    One pass over the rows, indexed by subject; each target then adds the months of
    its period within its companies.
    """
    by_subject = {level: defaultdict(list) for level in LEVELS}
    for company_id, team_id, user_id, month, amount in rows:
        by_subject["company"][company_id].append((company_id, month, amount))
        if team_id:
            by_subject["team"][team_id].append((company_id, month, amount))
        if user_id:
            by_subject["user"][user_id].append((company_id, month, amount))
    result = {}
    for target in targets:
        if target.level == "company":
            candidates = (row for company_id in target.company_ids for row in by_subject["company"].get(company_id, ()))
        else:
            candidates = by_subject[target.level].get(target.subject_id, ())
        result[target.key] = sum(
            amount
            for company_id, month, amount in candidates
            if company_id in target.company_ids and target.date_from <= month <= target.date_to
        )
    return {key: float(amount) for key, amount in result.items()}


def completion_rate(achieved, amount):
    """Achieved amount as a percentage of the target (0 when the target is not positive)."""
    if not amount or amount <= 0:
        return 0.0
    return 100.0 * achieved / amount
