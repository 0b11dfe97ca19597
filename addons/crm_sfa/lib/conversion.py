"""Stage-to-stage conversion, and the salespeople who stay below their team.

A stage *entry* is a lead entering a stage. It *converted* when the lead left that
stage for a later one (a higher sequence, or a won stage), or when the stage is a won
stage and the lead stays there: winning is where the funnel ends, and a won entry is a
conversion (:func:`converted_sql`, the one definition, which the funnel report and the
conversion alert both read). The conversion rate of a salesperson, a team or a stage is
``converted / entered`` over the entries of a period; the team average pools all the
entries of the team.
"""

from collections import defaultdict
from dataclasses import dataclass

from odoo.tools import SQL


def converted_sql(outcome, stage_is_won):
    """The SQL condition that a stage entry converted, from its ``outcome`` and whether its stage is won.

    :param outcome: SQL of the entry's outcome (``crm_lead_stage_history.outcome``)
    :param stage_is_won: SQL of the entry's stage's ``is_won``
    """
    return SQL("(%s = 'forward' OR (COALESCE(%s, FALSE) AND %s = 'open'))", outcome, stage_is_won, outcome)


def rate(converted, entered):
    """``converted / entered`` as a fraction; 0.0 without entries."""
    return converted / entered if entered else 0.0


def team_rates(stats):
    """``{team: pooled rate}`` from ``{(team, user): (entered, converted)}``."""
    totals = defaultdict(lambda: [0, 0])
    for (team, __), (entered, converted) in stats.items():
        totals[team][0] += entered
        totals[team][1] += converted
    return {team: rate(converted, entered) for team, (entered, converted) in totals.items()}


@dataclass(frozen=True)
class Underperformer:
    team: object
    user: object
    entered: int
    converted: int
    rate: float
    team_rate: float


def underperformers(stats, ratio, min_leads):
    """Who converts below ``ratio`` times their team average, with at least ``min_leads`` entries.

    ``stats`` is ``{(team, user): (entered, converted)}``; ``ratio`` a fraction such as
    0.5 (half the team average). Teams that convert nothing raise no alert.
    """
    if not 0 < ratio <= 1:
        raise ValueError("the alert ratio is a fraction between 0 and 1")
    averages = team_rates(stats)
    result = []
    for (team, user), (entered, converted) in sorted(stats.items(), key=lambda item: str(item[0])):
        if not user or entered < max(min_leads, 1):
            continue
        own, average = rate(converted, entered), averages[team]
        if average > 0 and own < ratio * average:
            result.append(Underperformer(team, user, entered, converted, own, average))
    return result
