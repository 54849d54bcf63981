"""The arithmetic of the rubric, plain Python (no database).

Each criterion is scored in whole numbers from 1 to its maximum. An examiner's weighted total
is on a 0–100 scale whatever the maxima::

    total = 100 × Σ (weight × score / max_score) / Σ weight

so weights are relative (20-20-20-20-20 and 1-1-1-1-1 give the same totals). A plan's result
is the plain average of the examiners' totals; it meets the pass mark when average ≥ pass mark.
Figures are rounded half up to two decimals.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(items) -> Decimal:
    """``items``: pairs (criterion with ``weight`` and ``max_score``, score)."""
    items = list(items)
    weights = sum(Decimal(c.weight) for c, _v in items)
    if not weights:
        return Decimal("0.00")
    points = sum(Decimal(c.weight) * Decimal(v) / Decimal(c.max_score) for c, v in items)
    return _round(points * 100 / weights)


def average(totals) -> Decimal | None:
    totals = [Decimal(t) for t in totals]
    if not totals:
        return None
    return _round(sum(totals) / len(totals))


def weight_share(weight, weights) -> Decimal:
    """A criterion's share of the total, in percent (shown beside each weight)."""
    total = sum(Decimal(w) for w in weights)
    return _round(Decimal(weight) * 100 / total) if total else Decimal("0.00")
