"""Forecast: categories of the open pipeline, historical win rates and the projection.

- The forecast category of an opportunity defaults from its probability (the
  salesperson may then set it): *commit* from 80 %, *best case* from 50 %, else
  *pipeline*.
- The win rate of a salesperson is ``won / (won + lost)`` over the leads they closed
  in the last N months, pulled towards the company's rate while they closed few
  (``prior_weight`` imaginary leads at the company's rate), so that one lucky deal
  does not make a 100 % forecast.
- The projection of an open pipeline is its expected revenue times the win rate.
"""

from dataclasses import dataclass

from .periods import add_months

CATEGORIES = ("pipeline", "best_case", "commit")
BEST_CASE_FROM = 50.0
COMMIT_FROM = 80.0
DEFAULT_PRIOR_WEIGHT = 5


def category_from_probability(probability, best_case_from=BEST_CASE_FROM, commit_from=COMMIT_FROM):
    """The forecast category an opportunity gets from its probability (percent)."""
    probability = probability or 0.0
    if probability >= commit_from:
        return "commit"
    if probability >= best_case_from:
        return "best_case"
    return "pipeline"


@dataclass(frozen=True)
class WinRate:
    won: int
    lost: int
    rate: float

    @property
    def closed(self):
        return self.won + self.lost


def pooled_rate(counts):
    """``won / closed`` over all ``{key: (won, lost)}``; 0.0 when nothing was closed."""
    won = sum(won for won, __ in counts.values())
    closed = sum(won + lost for won, lost in counts.values())
    return won / closed if closed else 0.0


def win_rates(counts, prior_weight=DEFAULT_PRIOR_WEIGHT, prior_rate=None):
    """``{key: WinRate}`` from ``{key: (won, lost)}``.

    Each rate is smoothed towards ``prior_rate`` (by default the pooled rate of all
    the keys) with ``prior_weight`` imaginary closed leads; ``prior_weight=0`` gives
    the raw rates.
    """
    if prior_weight < 0:
        raise ValueError("prior_weight cannot be negative")
    prior = pooled_rate(counts) if prior_rate is None else prior_rate
    rates = {}
    for key, (won, lost) in counts.items():
        if won < 0 or lost < 0:
            raise ValueError(f"negative counts for {key!r}")
        closed = won + lost
        denominator = closed + prior_weight
        rate = (won + prior_weight * prior) / denominator if denominator else prior
        rates[key] = WinRate(won, lost, rate)
    return rates


def project(pipeline_amount, rate):
    """The revenue a pipeline is expected to bring at this win rate."""
    return (pipeline_amount or 0.0) * (rate or 0.0)


def projection(pipeline, rates, default_rate=0.0):
    """``{key: projected}`` for ``{key: open pipeline}``, with ``rates`` ``{key: rate}``.

    Keys without a rate of their own use ``default_rate`` (the company's).
    """
    return {key: project(amount, rates.get(key, default_rate)) for key, amount in pipeline.items()}


def window_start(today, months):
    """First day of the history window: the start of the month ``months`` months ago."""
    if months < 1:
        raise ValueError("the win rate window is at least one month")
    return add_months(today, -months)
