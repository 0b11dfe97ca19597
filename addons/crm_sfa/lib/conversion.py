"""Stage-to-stage conversion, and the salespeople who stay below their team.

A stage *entry* is a lead entering a stage; it *converted* when the lead left that
stage for a later one (a higher sequence, or a won stage). The conversion rate of a
salesperson, a team or a stage is ``converted / entered`` over the entries of a
period; the team average pools all the entries of the team.
"""

from collections import defaultdict
from dataclasses import dataclass


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
