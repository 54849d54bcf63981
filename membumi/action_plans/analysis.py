"""Thin adapters from action plans to ``membumi.text`` (plain Python, no Django): the plan
quality check (the models become a ``PlanDraft``) and originality (a cached ``PlanIndex`` over
every plan). Nothing here decides what is good or who may see what."""

import threading
import time
from dataclasses import dataclass

from django.db.models import Max

from membumi.text.originality import ORIGINALITY_THRESHOLD, PlanIndex, SimilarPlan, plan_text
from membumi.text.quality import (
    MilestoneDraft,
    PlanDraft,
    ProblemRef,
    QualityResult,
    StakeholderDraft,
    check_quality,
)

from .models import ActionPlan, Milestone
from .rules import ADDRESSABLE_PROBLEM_STATES

# Plans at or above this similarity are reported (chosen and measured in membumi.text).
THRESHOLD = ORIGINALITY_THRESHOLD


def _unit_ids_above(unit) -> frozenset:
    """The participant's unit and the units above it (a problem of the dinas is theirs too)."""
    if unit is None:
        return frozenset()
    return frozenset(int(part) for part in unit.path.strip("/").split("/") if part)


def plan_draft(plan) -> PlanDraft:
    enrollment = plan.enrollment
    problem = None
    if plan.problem_id:
        p = plan.problem
        problem = ProblemRef(
            title=p.title,
            statement=p.statement,
            validated=p.state in ADDRESSABLE_PROBLEM_STATES,
            unit_id=p.work_unit_id,
            endorsing_unit_ids=frozenset(e.work_unit_id for e in p.endorsements.all()),
        )
    unit = enrollment.employee.work_unit
    return PlanDraft(
        problem=problem,
        participant_unit_id=enrollment.employee.work_unit_id,
        own_unit_ids=_unit_ids_above(unit),
        title=plan.title,
        goal=plan.goal,
        root_cause=plan.root_cause,
        indicator_name=plan.indicator_name,
        indicator_unit=plan.indicator_unit,
        indicator_direction=plan.indicator_direction,
        baseline_value=plan.baseline_value,
        baseline_date=plan.baseline_date,
        target_value=plan.target_value,
        target_date=plan.target_date,
        data_source=plan.data_source,
        milestones=tuple(
            MilestoneDraft(
                term=m.term,
                due_date=m.due_date,
                budget=m.budget,
                responsible=m.responsible,
                output=m.output,
                berakhlak=tuple(m.values),
            )
            for m in plan.milestones.all()
        ),
        stakeholders=tuple(
            StakeholderDraft(name=s.name, kind=s.kind, role=s.role, support=s.support_needed)
            for s in plan.stakeholders.all()
        ),
        training_start=enrollment.batch.start_date,
        training_end=enrollment.batch.end_date,
        program_type=enrollment.batch.program.program_type,
    )


def plan_quality(plan) -> QualityResult:
    return check_quality(plan_draft(plan))


# --- Originality: near-duplicate plans (same institution and nationwide, all years) ----------

# An index older than this is rebuilt when some plan was edited since (new plans are appended
# at once; the plan being checked is always compared with its current text).
REBUILD_AFTER_SECONDS = 60.0


@dataclass
class _Index:
    top_id: int
    changed_at: object  # MAX(updated_at) when built
    built_at: float
    index: PlanIndex | None


_lock = threading.Lock()
_current: _Index | None = None


def plan_text_of(plan) -> str:
    return plan_text(plan.title, plan.goal, [m.output for m in plan.milestones.all()])


def _texts(qs) -> list[tuple[int, str]]:
    outputs: dict[int, list[str]] = {}
    for plan_id, output in (
        Milestone.objects.filter(plan__in=qs)
        .order_by("plan_id", "position", "id")
        .values_list("plan_id", "output")
    ):
        outputs.setdefault(plan_id, []).append(output)
    return [
        (pk, plan_text(title, goal, outputs.get(pk, [])))
        for pk, title, goal in qs.order_by("id").values_list("id", "title", "goal")
    ]


def _build(figures) -> _Index:
    items = _texts(ActionPlan.objects.filter(pk__lte=figures["top"] or 0))
    return _Index(
        top_id=figures["top"] or 0,
        changed_at=figures["last"],
        built_at=time.monotonic(),
        index=PlanIndex(items) if items else None,
    )


def _index() -> _Index:
    global _current
    figures = ActionPlan.objects.aggregate(top=Max("id"), last=Max("updated_at"))
    top = figures["top"] or 0
    with _lock:
        current = _current
        stale = (
            current is None
            or current.index is None
            or top < current.top_id
            or (
                figures["last"] != current.changed_at
                and time.monotonic() - current.built_at >= REBUILD_AFTER_SECONDS
            )
        )
        if stale:
            current = _current = _build(figures)
        elif top > current.top_id:
            current.index.add(_texts(ActionPlan.objects.filter(pk__gt=current.top_id, pk__lte=top)))
            current.top_id = top
        return current


def invalidate() -> None:
    """Drop the cached index (tests; after bulk changes made outside the services)."""
    global _current
    with _lock:
        _current = None


def similar_plans(plan, *, limit: int = 10) -> list[SimilarPlan]:
    """Plans at or above ``ORIGINALITY_THRESHOLD`` similar to ``plan``'s current text."""
    current = _index()
    if current.index is None:
        return []
    return current.index.check(plan_text_of(plan), limit, plan_id=plan.pk)
