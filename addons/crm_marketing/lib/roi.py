"""The money figures of a campaign and the choice of the cheapest effective channel.

Plain Python on plain numbers, so that the campaign form, the channel report and the
tests share one definition of each figure and can check it without a database.
"""

from collections import namedtuple

#: one channel of earlier campaigns: what it cost and how many deals it won
ChannelResult = namedtuple("ChannelResult", ["medium_id", "source_id", "cost", "won_count"])


def roi_percent(revenue, cost):
    """Return on investment in percent, ``(revenue - cost) / cost``; 0 when nothing was spent
    (a return on nothing is not a number a marketer can compare)."""
    return (revenue - cost) / cost * 100.0 if cost else 0.0


def cost_per(cost, count):
    """What one lead (or one won deal) cost; 0 while there is none to divide by."""
    return cost / count if count else 0.0


def share_percent(part, whole):
    """``part`` as a percentage of ``whole`` (steps done of the plan, attendance of the planned); 0 of nothing."""
    return part * 100.0 / whole if whole else 0.0


def cheapest_channel(rows):
    """The channel with the lowest cost per won deal among ``rows`` (:class:`ChannelResult`).

    Only channels that won at least one deal and whose cost was recorded compete: a channel
    without a win has no cost per won deal, and one with wins but no recorded cost (word of
    mouth, a lead typed in without its channel) would always come first without being a
    channel one can plan a budget on. Rows of the same channel are summed first. Ties go to
    the channel that won more deals, then to the smaller ids, so the answer is stable.

    :returns: ``(medium_id, source_id, cost_per_won)`` or ``None`` when no channel qualifies
    """
    totals = {}
    for row in rows:
        if not (row.medium_id or row.source_id):
            continue
        key = (row.medium_id or 0, row.source_id or 0)
        cost, won = totals.get(key, (0.0, 0))
        totals[key] = (cost + (row.cost or 0.0), won + (row.won_count or 0))
    candidates = [(cost / won, -won, key) for key, (cost, won) in totals.items() if won > 0 and cost > 0]
    if not candidates:
        return None
    cost_per_won, _won, (medium_id, source_id) = min(candidates)
    return medium_id or False, source_id or False, cost_per_won
