"""Every write to needs analyses and needs. Keyword-only, named ``<entity>_<action>``.

A run has two halves: ``needs_analysis_start`` checks who runs it and over what scope and
saves the analysis as ``running``; ``needs_analysis_compute`` clusters the problems' texts
with ``membumi.text`` and saves the needs (the task ``run_needs_analysis`` calls it in the
background). ``needs_analysis_run`` does both at once. Curation (rename, merge, move,
accept) is audited with ``core.audit.audit_record``.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.organizations.models import Agency, WorkUnit
from membumi.problems.enums import Sector
from membumi.problems.queries import analysable_problems

from . import rules
from .clustering import cluster_problems
from .models import Need, NeedProblem, NeedsAnalysis

logger = logging.getLogger(__name__)

MAX_KEYWORDS = 10


# --- Scope ------------------------------------------------------------------------------------


def _codes(values: Iterable) -> list[str]:
    return sorted({(v.code if isinstance(v, Agency) else str(v)).strip() for v in values or ()})


def _ids(values: Iterable) -> list[int]:
    ids = set()
    for v in values or ():
        try:
            ids.add(v.pk if isinstance(v, WorkUnit) else int(v))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"units": [_("“%(v)s” is not a unit id.") % {"v": v}]}) from exc
    return sorted(ids)


def _iso(value) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def needs_analysis_scope(
    *, institution, by, agencies=(), units=(), sectors=(), period_from=None, period_to=None
) -> dict:
    """Check a scope against what ``by`` may analyse for ``institution`` and return it in
    its stored shape (agency codes, unit ids, sector codes, ISO dates). Raises
    ``PermissionDenied`` for a user who may not analyse for the institution and
    ``ValidationError`` (per field) for a scope outside it."""
    if not (rules.is_admin(by) or institution.pk in rules.organizer_institution_ids(by)):
        raise PermissionDenied(
            _("Only an organizer of %(institution)s may run its needs analysis.")
            % {"institution": institution}
        )
    errors: dict[str, list[str]] = {}
    served = {a.code: a for a in institution.served_agencies.all()}
    codes = _codes(agencies)
    unknown = [c for c in codes if c not in served]
    if unknown:
        errors["agencies"] = [
            _("Not an agency served by %(institution)s: %(codes)s.")
            % {"institution": institution, "codes": ", ".join(unknown)}
        ]
    unit_ids = _ids(units)
    allowed_agency_ids = {served[c].pk for c in codes if c in served} or {
        a.pk for a in served.values()
    }
    found = dict(WorkUnit.objects.filter(pk__in=unit_ids).values_list("pk", "agency_id"))
    bad_units = [str(u) for u in unit_ids if found.get(u) not in allowed_agency_ids]
    if bad_units:
        errors["units"] = [
            _("Not a unit of the agencies in this scope: %(ids)s.") % {"ids": ", ".join(bad_units)}
        ]
    sector_codes = sorted({str(s) for s in sectors or ()})
    bad_sectors = [s for s in sector_codes if s not in Sector.values]
    if bad_sectors:
        errors["sectors"] = [_("Unknown sector: %(s)s.") % {"s": ", ".join(bad_sectors)}]
    try:
        start, end = _iso(period_from), _iso(period_to)
    except ValueError:
        errors["period_from"] = [_("Write dates as YYYY-MM-DD.")]
        start = end = None
    if start and end and start > end:
        errors["period_to"] = [_("The end of the period is before its start.")]
    if errors:
        raise ValidationError(errors)
    return {
        "agencies": codes,
        "units": unit_ids,
        "sectors": sector_codes,
        "period_from": start,
        "period_to": end,
    }


def problems_in_scope(*, institution, by, scope: dict):
    """The problems a run over ``scope`` analyses: what ``by`` may analyse, of the agencies
    ``institution`` serves, narrowed by agencies, units (with their subtrees), sectors and the
    period of submission (inclusive)."""
    qs = analysable_problems(by).filter(
        agency_id__in=institution.served_agencies.values("pk"),
    )
    if scope.get("agencies"):
        qs = qs.filter(agency__code__in=scope["agencies"])
    if scope.get("units"):
        paths = WorkUnit.objects.filter(pk__in=scope["units"]).values_list("path", flat=True)
        condition = Q()
        for path in paths:
            condition |= Q(work_unit__path__startswith=path)
        qs = qs.filter(condition)
    if scope.get("sectors"):
        qs = qs.filter(sector__in=scope["sectors"])
    if scope.get("period_from"):
        qs = qs.filter(created_at__date__gte=scope["period_from"])
    if scope.get("period_to"):
        qs = qs.filter(created_at__date__lte=scope["period_to"])
    return qs


# --- Run ---------------------------------------------------------------------------------------


@transaction.atomic
def needs_analysis_start(
    *,
    institution,
    by,
    title: str = "",
    agencies=(),
    units=(),
    sectors=(),
    period_from=None,
    period_to=None,
) -> NeedsAnalysis:
    """Check the scope and save a new analysis as ``running`` (nothing else is touched: a
    rerun is a new analysis). The caller then computes it, directly or in a task."""
    scope = needs_analysis_scope(
        institution=institution,
        by=by,
        agencies=agencies,
        units=units,
        sectors=sectors,
        period_from=period_from,
        period_to=period_to,
    )
    count = problems_in_scope(institution=institution, by=by, scope=scope).count()
    if not count:
        raise ValidationError(
            _("No open problems match this scope: widen the agencies, units, sectors or period.")
        )
    title = " ".join((title or "").split())[:200] or _("Needs analysis %(date)s") % {
        "date": date_format(timezone.localdate(), "j F Y")
    }
    analysis = NeedsAnalysis.objects.create(
        institution=institution,
        title=title,
        created_by=by,
        scope=scope,
        problem_count=count,
        status=NeedsAnalysis.Status.RUNNING,
    )
    audit_record(
        actor=by,
        action="needs.analysis_started",
        obj=analysis,
        summary=f"{title} ({count})",
        data={"scope": scope, "institution": institution.code},
    )
    return analysis


def _progress(analysis: NeedsAnalysis, percent: int) -> None:
    analysis.progress = percent
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(progress=percent)


def needs_analysis_compute(*, analysis: NeedsAnalysis) -> NeedsAnalysis:
    """Cluster the problems of a running analysis and save its needs (idempotent: an analysis
    that is no longer running is left as it is). A failure marks it ``failed``."""
    analysis = NeedsAnalysis.objects.select_related("institution", "created_by").get(pk=analysis.pk)
    if analysis.status != NeedsAnalysis.Status.RUNNING:
        return analysis
    try:
        if analysis.created_by is None:
            raise ValueError(_("The person who started this analysis no longer exists."))
        _progress(analysis, 10)
        rows = list(
            problems_in_scope(
                institution=analysis.institution, by=analysis.created_by, scope=analysis.scope
            )
            .order_by("id")
            .values_list("id", "title", "statement")
        )
        if not rows:
            raise ValueError(_("No open problems match this scope any more."))
        _progress(analysis, 25)
        clusters = cluster_problems((pk, f"{title}. {statement}") for pk, title, statement in rows)
        _progress(analysis, 80)
        _save_needs(analysis, clusters, problem_count=len(rows))
    except Exception as exc:
        logger.exception("needs analysis %s failed", analysis.pk)
        return _finish(analysis, failure=str(exc) or exc.__class__.__name__)
    return analysis


@transaction.atomic
def _save_needs(analysis: NeedsAnalysis, clusters, *, problem_count: int) -> None:
    Need.objects.filter(analysis=analysis).delete()  # a re-delivered task starts clean
    needs = Need.objects.bulk_create(
        Need(
            analysis=analysis,
            label=cluster.label[:200],
            keywords=list(cluster.keywords)[:MAX_KEYWORDS],
            position=position,
        )
        for position, cluster in enumerate(clusters, start=1)
    )
    NeedProblem.objects.bulk_create(
        (
            NeedProblem(analysis=analysis, need=need, problem_id=problem_id)
            for need, cluster in zip(needs, clusters, strict=True)
            for problem_id in cluster.members
        ),
        batch_size=2000,
    )
    _finish(analysis, problem_count=problem_count, need_count=len(needs))


@transaction.atomic
def _finish(analysis, *, failure: str = "", problem_count=None, need_count=0) -> NeedsAnalysis:
    analysis.finished_at = timezone.now()
    if failure:
        analysis.status = NeedsAnalysis.Status.FAILED
        analysis.message = failure[:2000]
    else:
        analysis.status = NeedsAnalysis.Status.DONE
        analysis.progress = 100
        analysis.problem_count = problem_count
        analysis.message = _("%(needs)d needs from %(problems)d problems.") % {
            "needs": need_count,
            "problems": problem_count,
        }
    analysis.save(update_fields=["status", "progress", "problem_count", "message", "finished_at"])
    audit_record(
        actor=analysis.created_by,
        action="needs.analysis_failed" if failure else "needs.analysis_finished",
        obj=analysis,
        summary=f"{analysis.title}: {analysis.message}",
        data={"needs": need_count, "problems": analysis.problem_count},
    )
    return analysis


def needs_analysis_run(
    *,
    institution,
    by,
    title: str = "",
    agencies=(),
    units=(),
    sectors=(),
    period_from=None,
    period_to=None,
) -> NeedsAnalysis:
    """Run a needs analysis now: start it and compute it in this process."""
    analysis = needs_analysis_start(
        institution=institution,
        by=by,
        title=title,
        agencies=agencies,
        units=units,
        sectors=sectors,
        period_from=period_from,
        period_to=period_to,
    )
    return needs_analysis_compute(analysis=analysis)


def needs_analysis_record_export(*, analysis: NeedsAnalysis, by, fmt: str) -> None:
    """Exports of personal and performance data are audit-logged (DESIGN §9)."""
    audit_record(
        actor=by,
        action="needs.analysis_exported",
        obj=analysis,
        summary=f"{analysis.title} ({fmt})",
        data={"format": fmt},
    )


# --- Curation ----------------------------------------------------------------------------------


def _lock(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("analysis").get(pk=need.pk)


def _check_curator(need: Need, by) -> None:
    if not rules.can_manage_analysis(by, need.analysis):
        raise PermissionDenied(_("Only an organizer of this institution may change its needs."))
    if need.analysis.status != NeedsAnalysis.Status.DONE:
        raise TransitionNotAllowed(_("This analysis has not finished; its needs cannot change."))


def _check_editable(need: Need) -> None:
    if not rules.need_is_editable(need):
        raise TransitionNotAllowed(
            _("“%(label)s” is accepted: un-accept it before changing its problems.")
            % {"label": need.label}
        )


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": [_("Give the need a name.")]})
    if len(label) > 200:
        raise ValidationError({"label": [_("Keep the name under 200 characters.")]})
    return label


def _merge_keywords(*lists) -> list[str]:
    merged: list[str] = []
    for words in lists:
        for word in words or []:
            if word not in merged:
                merged.append(word)
    return merged[:MAX_KEYWORDS]


@transaction.atomic
def need_rename(*, need: Need, by, label: str) -> Need:
    need = _lock(need)
    _check_curator(need, by)
    label = _clean_label(label)
    old = need.label
    if label == old:
        return need
    need.label = label
    need.save(update_fields=["label"])
    audit_record(
        actor=by,
        action="needs.need_renamed",
        obj=need,
        summary=f"{old} → {label}",
        data={"from": old, "to": label, "analysis": need.analysis_id},
    )
    return need


@transaction.atomic
def need_merge(*, source: Need, target: Need, by) -> Need:
    """Merge ``source`` into ``target``: its problems and keywords join the target and the
    source need is deleted. Both must be of one analysis and not accepted."""
    if source.pk == target.pk:
        raise ValidationError({"target": [_("Choose another need to merge into.")]})
    # Lock in id order, so two opposite merges cannot deadlock.
    first, second = sorted([source, target], key=lambda n: n.pk)
    first, second = _lock(first), _lock(second)
    source, target = (first, second) if first.pk == source.pk else (second, first)
    _check_curator(target, by)
    if source.analysis_id != target.analysis_id:
        raise ValidationError({"target": [_("Both needs must belong to the same analysis.")]})
    _check_editable(source)
    _check_editable(target)
    if source.programs.exists() or source.modules.exists():
        raise TransitionNotAllowed(
            _("“%(label)s” is used by a program: it cannot be merged away.")
            % {"label": source.label}
        )
    problem_ids = list(source.memberships.values_list("problem_id", flat=True))
    source.memberships.update(need=target)
    target.keywords = _merge_keywords(target.keywords, source.keywords)
    target.save(update_fields=["keywords"])
    audit_record(
        actor=by,
        action="needs.need_merged",
        obj=target,
        summary=f"{source.label} → {target.label}",
        data={
            "source": source.pk,
            "source_label": source.label,
            "target": target.pk,
            "problems": problem_ids,
            "analysis": target.analysis_id,
        },
    )
    source.delete()
    return target


@transaction.atomic
def need_move_problems(
    *, need: Need, problems: Iterable, by, target: Need | None = None, new_label: str = ""
) -> Need:
    """Move some problems of ``need`` to ``target`` (another need of the analysis) or, with
    no target, to a new need called ``new_label`` (a split). A need left empty is deleted.
    Returns the need that received the problems."""
    need = _lock(need)
    _check_curator(need, by)
    _check_editable(need)
    ids = sorted({getattr(p, "pk", p) for p in problems or ()})
    if not ids:
        raise ValidationError({"problems": [_("Select at least one problem to move.")]})
    members = need.memberships.filter(problem_id__in=ids)
    if members.count() != len(ids):
        raise ValidationError({"problems": [_("Some selected problems are not in this need.")]})
    emptied = need.memberships.count() == len(ids)
    if emptied and (need.programs.exists() or need.modules.exists()):
        raise TransitionNotAllowed(
            _("“%(label)s” is used by a program: it cannot be emptied.") % {"label": need.label}
        )
    if target is not None:
        if target.pk == need.pk:
            raise ValidationError({"target": [_("Choose another need to move the problems to.")]})
        target = _lock(target)
        if target.analysis_id != need.analysis_id:
            raise ValidationError({"target": [_("Both needs must belong to the same analysis.")]})
        _check_editable(target)
        created = False
    else:
        label = _clean_label(new_label)
        last = need.analysis.needs.order_by("-position").values_list("position", flat=True)
        target = Need.objects.create(
            analysis=need.analysis, label=label, position=(last.first() or 0) + 1
        )
        created = True
    members.update(need=target)
    audit_record(
        actor=by,
        action="needs.problems_moved",
        obj=target,
        summary=f"{need.label} → {target.label} ({len(ids)})",
        data={
            "source": need.pk,
            "source_label": need.label,
            "target": target.pk,
            "target_created": created,
            "source_deleted": emptied,
            "problems": ids,
            "analysis": need.analysis_id,
        },
    )
    if emptied:
        need.delete()
    return target


@transaction.atomic
def need_accept(*, need: Need, by) -> Need:
    need = _lock(need)
    _check_curator(need, by)
    if need.accepted:
        return need
    if not need.memberships.exists():
        raise TransitionNotAllowed(_("A need without problems cannot be accepted."))
    need.accepted = True
    need.accepted_by = by
    need.accepted_at = timezone.now()
    need.save(update_fields=["accepted", "accepted_by", "accepted_at"])
    total = need.memberships.aggregate(total=Sum("problem__priority"))["total"]
    audit_record(
        actor=by,
        action="needs.need_accepted",
        obj=need,
        summary=need.label,
        data={"analysis": need.analysis_id, "priority_total": total},
    )
    return need


@transaction.atomic
def need_unaccept(*, need: Need, by) -> Need:
    need = _lock(need)
    _check_curator(need, by)
    if not need.accepted:
        return need
    program = need.programs.order_by("pk").first()
    if program is None:
        module = need.modules.select_related("program").order_by("pk").first()
        program = module.program if module else None
    if program is not None:
        raise TransitionNotAllowed(
            _("“%(label)s” is answered by the program “%(program)s”: it stays accepted.")
            % {"label": need.label, "program": program.name}
        )
    need.accepted = False
    need.accepted_by = None
    need.accepted_at = None
    need.save(update_fields=["accepted", "accepted_by", "accepted_at"])
    audit_record(
        actor=by,
        action="needs.need_unaccepted",
        obj=need,
        summary=need.label,
        data={"analysis": need.analysis_id},
    )
    return need
