"""Indicator achievement (DESIGN §5): (latest verified value − baseline) / (target − baseline),
per direction (increase or decrease), clipped to [0, 1.5]; undefined (``None``) without a
verified measurement, a baseline or a target, or when the target equals the baseline."""

from decimal import Decimal

from membumi.problems.enums import Direction

LOW = Decimal("0")
HIGH = Decimal("1.5")


def achievement(*, baseline, target, value, direction) -> Decimal | None:
    if value is None or baseline is None or target is None or target == baseline:
        return None
    baseline, target, value = Decimal(baseline), Decimal(target), Decimal(value)
    if direction == Direction.DECREASE:
        ratio = (baseline - value) / (baseline - target)
    else:
        ratio = (value - baseline) / (target - baseline)
    return min(max(ratio, LOW), HIGH).quantize(Decimal("0.0001"))


def plan_achievement(plan, latest_value=None) -> Decimal | None:
    """Achievement of ``plan`` from ``latest_value`` (the latest accepted measurement's value,
    when the caller has it annotated) or from the database."""
    if latest_value is None:
        from .queries import latest_accepted_measurement

        measurement = latest_accepted_measurement(plan)
        latest_value = measurement.value if measurement else None
    return achievement(
        baseline=plan.baseline_value,
        target=plan.target_value,
        value=latest_value,
        direction=plan.indicator_direction,
    )
