"""Lead qualification: the score of the criteria met, and what a stage gate still lacks.

A team's criteria (budget, authority, need, timing or its own) each carry a weight;
the score is the weighted share of the criteria met, from 0 to 100. A stage gate
names lead fields to fill in and criteria to confirm before a lead may enter a stage.
"""


def score(weights, met):
    """Weighted share, 0 to 100, of the criteria in ``met`` among ``weights`` ``{criterion: weight}``.

    Criteria of ``met`` that are not in ``weights`` (another team's) do not count; nor do
    weights of zero or less. Without any weight the score is 0.
    """
    total = sum(weight for weight in weights.values() if weight > 0)
    if not total:
        return 0.0
    done = sum(weight for criterion, weight in weights.items() if weight > 0 and criterion in met)
    return round(100.0 * done / total, 2)


def is_filled(value):
    """Whether a field value counts as filled in: not empty, not zero, not unticked."""
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def missing(required_fields, values, required_criteria, met):
    """What a lead lacks to pass a gate: ``(fields, criteria)``, each in the order required.

    ``values`` is ``{field: value}`` for at least the required fields; ``met`` the
    criteria the lead meets.
    """
    fields = [name for name in dict.fromkeys(required_fields) if not is_filled(values.get(name))]
    criteria = [criterion for criterion in dict.fromkeys(required_criteria) if criterion not in met]
    return fields, criteria
