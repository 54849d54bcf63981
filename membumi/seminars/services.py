"""Every write to seminars. Keyword-only, ``<entity>_<action>``.

* ``seminar_config_save`` — a program's rubric and pass mark (locked once a score exists);
* ``seminar_session_create`` / ``seminar_session_update`` — a batch's session, its examiners;
* ``score_save`` — an examiner's scores for one plan (changeable until finalisation);
* ``seminar_session_transition`` — the only code that changes ``SeminarSession.state``
  (open → finalised): refuses while scores are missing (naming who and what), freezes one
  ``SeminarResult`` per plan with its document number, writes a ``SessionTransition`` row and
  an audit entry, and notifies the participants.

Refusals raise ``TransitionNotAllowed`` (HTTP 409), ``PermissionDenied`` (403) or
``ValidationError`` (400), with a message in the user's language.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment
from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.notifications.services import notify

from . import queries, rules, scoring
from .enums import SessionAction, SessionKind, SessionState
from .models import (
    MAX_SCORE_LIMIT,
    MIN_SCORE,
    Criterion,
    Score,
    ScoreItem,
    SeminarConfig,
    SeminarResult,
    SeminarSession,
    SessionTransition,
)

MAX_CRITERIA = 12


class FinaliseRefused(TransitionNotAllowed):
    """Finalising refused; ``reasons`` lists each missing score (or other obstacle)."""

    def __init__(self, message, reasons):
        super().__init__(message)
        self.reasons = reasons


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _audit(*, by, action, obj, summary="", data=None):
    audit_record(actor=_actor(by), action=f"seminars.{action}", obj=obj, summary=summary, data=data)


# --- Configuration per program -------------------------------------------------------------------


def _parse_int(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return "invalid"


def _clean_criteria(criteria) -> list[dict]:
    errors, cleaned, names = [], [], set()
    for n, row in enumerate(criteria, start=1):
        name = (row.get("name") or "").strip()
        label = name or _("criterion %(n)d") % {"n": n}
        weight = _parse_int(row.get("weight"))
        max_score = _parse_int(row.get("max_score"))
        if not name:
            errors.append(_("Criterion %(n)d needs a name.") % {"n": n})
        elif name.casefold() in names:
            errors.append(_("“%(name)s” appears twice.") % {"name": name})
        names.add(name.casefold())
        if weight is None or weight == "invalid" or not 1 <= weight <= 100:
            errors.append(
                _("“%(name)s”: the weight must be a whole number from 1 to 100.") % {"name": label}
            )
        if max_score is None or max_score == "invalid" or not 2 <= max_score <= MAX_SCORE_LIMIT:
            errors.append(
                _("“%(name)s”: the maximum score must be a whole number from 2 to %(max)d.")
                % {"name": label, "max": MAX_SCORE_LIMIT}
            )
        cleaned.append(
            {
                "name": name,
                "description": (row.get("description") or "").strip(),
                "weight": weight,
                "max_score": max_score,
            }
        )
    if len(cleaned) > MAX_CRITERIA:
        errors.append(_("At most %(n)d criteria.") % {"n": MAX_CRITERIA})
    if errors:
        raise ValidationError({"criteria": errors})
    return cleaned


def seminar_config_save(*, program, by, enabled: bool, pass_mark, criteria) -> SeminarConfig:
    """Save whether ``program`` holds seminars, its pass mark (0–100) and its rubric
    (``criteria``: dicts with name, description, weight 1–100, max_score 2–100, in order).
    Refused once any score exists for a session of the program (the rubric is locked)."""
    if not rules.can_configure(by, program):
        raise PermissionDenied(_("Only the organizer of the institution may change this."))
    errors = {}
    try:
        pass_mark = Decimal(str(pass_mark).strip().replace(",", "."))
        if not pass_mark.is_finite() or not 0 <= pass_mark <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["pass_mark"] = [_("The pass mark must be a number from 0 to 100.")]
    try:
        cleaned = _clean_criteria(criteria)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = []
    if enabled and not cleaned and "criteria" not in errors:
        errors["criteria"] = [_("A seminar needs at least one criterion.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        config, _created = SeminarConfig.objects.select_for_update().get_or_create(program=program)
        if queries.config_locked(program):
            raise TransitionNotAllowed(rules_locked_message())
        config.enabled = bool(enabled)
        config.pass_mark = pass_mark.quantize(Decimal("0.01"))
        config.updated_by = _actor(by)
        config.save()
        config.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(config=config, position=i, **row) for i, row in enumerate(cleaned)
        )
        _audit(
            by=by,
            action="config_saved",
            obj=config,
            summary=f"{program}: {'on' if enabled else 'off'}, pass mark {config.pass_mark}",
            data={"criteria": [(c["name"], c["weight"], c["max_score"]) for c in cleaned]},
        )
    return config


def rules_locked_message() -> str:
    return _(
        "Examiners have already scored plans of this program, so its rubric and pass mark "
        "are locked."
    )


# --- Sessions -----------------------------------------------------------------------------------


def _examiner_ids_at(institution_id) -> set[int]:
    return set(
        RoleAssignment.objects.filter(
            role=Role.EXAMINER, institution_id=institution_id
        ).values_list("user_id", flat=True)
    )


def _clean_session(*, batch, kind, starts_at, place, examiners) -> tuple[str, list]:
    errors = {}
    if kind not in SessionKind.values:
        errors["kind"] = [_("Choose the kind of seminar.")]
    if starts_at is None:
        errors["starts_at"] = [_("Give the date and time.")]
    place = (place or "").strip()
    if not place:
        errors["place"] = [_("Give the place.")]
    examiners = list(examiners or [])
    if not examiners:
        errors["examiners"] = [_("Choose at least one examiner.")]
    else:
        allowed = _examiner_ids_at(batch.program.institution_id)
        refused = [u for u in examiners if u.pk not in allowed]
        if refused:
            errors["examiners"] = [
                _("%(names)s do(es) not hold the examiner role at %(institution)s.")
                % {
                    "names": ", ".join(str(u) for u in refused),
                    "institution": batch.program.institution,
                }
            ]
        else:
            enrolled = _participants_of(batch, examiners)
            if enrolled:
                errors["examiners"] = [
                    _("%(names)s take(s) part in this batch and cannot examine it.")
                    % {"names": ", ".join(str(u) for u in enrolled)}
                ]
    if errors:
        raise ValidationError(errors)
    return place, examiners


def _participants_of(batch, users) -> list:
    """Those of ``users`` who take part in ``batch`` (not withdrawn): they do not examine it."""
    from membumi.programs.models import Enrollment

    employee_ids = {u.employee_id for u in users if getattr(u, "employee_id", None)}
    if not employee_ids:
        return []
    taking_part = set(
        Enrollment.objects.filter(batch=batch, employee_id__in=employee_ids)
        .exclude(state="withdrawn")
        .values_list("employee_id", flat=True)
    )
    return [u for u in users if getattr(u, "employee_id", None) in taking_part]


def _require_seminars_enabled(batch):
    config = queries.config_for(batch.program)
    if config is None or not config.enabled:
        raise TransitionNotAllowed(
            _("The program does not hold seminars: enable them in its seminar settings first.")
        )
    if not config.criteria.exists():
        raise TransitionNotAllowed(_("The program's rubric has no criteria yet."))


def _notify_examiners(session, users):
    url = reverse("seminars:session_detail", args=[session.pk])
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            notify(
                recipient=user,
                kind="seminar_assigned",
                title=_("You examine a seminar: %(batch)s") % {"batch": session.batch},
                body=_(
                    "%(kind)s on %(when)s at %(place)s. Score each plan before the berita acara is finalised."
                )
                % {
                    "kind": session.get_kind_display(),
                    "when": timezone.localtime(session.starts_at).strftime("%d-%m-%Y %H:%M"),
                    "place": session.place,
                },
                url=url,
                key=f"seminar_assigned:{session.pk}:{user.pk}",
            )


def seminar_session_create(
    *, batch, by, kind: str, starts_at, place: str, examiners
) -> SeminarSession:
    """A seminar session of ``batch`` with its examiners (users holding the examiner role at
    the batch's institution). The program must hold seminars."""
    if not rules.can_manage_batch_seminars(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may do this."))
    _require_seminars_enabled(batch)
    place, examiners = _clean_session(
        batch=batch, kind=kind, starts_at=starts_at, place=place, examiners=examiners
    )
    with transaction.atomic():
        session = SeminarSession.objects.create(
            batch=batch, kind=kind, starts_at=starts_at, place=place, created_by=_actor(by)
        )
        session.examiners.set(examiners)
        _audit(
            by=by,
            action="session_created",
            obj=session,
            summary=str(session),
            data={"examiners": sorted(u.pk for u in examiners)},
        )
        _notify_examiners(session, examiners)
    return session


def seminar_session_update(
    *, session, by, kind: str, starts_at, place: str, examiners
) -> SeminarSession:
    """Change an open session. An examiner who has already scored stays on it."""
    if not rules.can_manage_batch_seminars(by, session.batch):
        raise PermissionDenied(_("Only the organizer of the institution may do this."))
    with transaction.atomic():
        session = SeminarSession.objects.select_for_update().get(pk=session.pk)
        if session.state != SessionState.OPEN:
            raise TransitionNotAllowed(
                _("The berita acara is finalised: the session can no longer be changed.")
            )
        place, examiners = _clean_session(
            batch=session.batch, kind=kind, starts_at=starts_at, place=place, examiners=examiners
        )
        before = set(session.examiners.values_list("pk", flat=True))
        kept = {u.pk for u in examiners}
        scored = set(
            session.scores.filter(examiner_id__in=before - kept).values_list(
                "examiner_id", flat=True
            )
        )
        if scored:
            names = ", ".join(
                str(u) for u in session.examiners.filter(pk__in=scored).order_by("username")
            )
            raise ValidationError(
                {
                    "examiners": [
                        _("%(names)s already scored plans at this session and stay on it.")
                        % {"names": names}
                    ]
                }
            )
        session.kind, session.starts_at, session.place = kind, starts_at, place
        session.save(update_fields=["kind", "starts_at", "place"])
        session.examiners.set(examiners)
        _audit(
            by=by,
            action="session_updated",
            obj=session,
            summary=str(session),
            data={"examiners": sorted(kept)},
        )
        _notify_examiners(session, [u for u in examiners if u.pk not in before])
    return session


# --- Scores -------------------------------------------------------------------------------------


def score_field(criterion) -> str:
    return f"score_{criterion.pk}"


def comment_field(criterion) -> str:
    return f"comment_{criterion.pk}"


def score_save(*, session, plan, by, values: dict, comments: dict | None = None, note="") -> Score:
    """Record ``by``'s scores for ``plan`` at ``session``: ``values`` maps criterion id → score
    (whole number from 1 to the criterion's maximum; every criterion needed), ``comments``
    criterion id → optional comment. Replaces the examiner's earlier scores for the plan.
    Refused once the session is finalised."""
    comments = comments or {}
    session = SeminarSession.objects.select_related("batch__program__institution").get(
        pk=session.pk
    )
    relations = rules.session_relations(by, session)
    if "examiner" not in relations:
        raise PermissionDenied(_("Only an examiner assigned to this session may score."))
    if session.state != SessionState.OPEN:
        raise TransitionNotAllowed(
            _("The berita acara is finalised: scores can no longer be changed.")
        )
    if not queries.examined_plans(session).filter(pk=plan.pk).exists():
        raise TransitionNotAllowed(_("This plan is not examined at this session."))
    if getattr(by, "employee_id", None) and plan.enrollment.employee_id == by.employee_id:
        raise PermissionDenied(_("Nobody scores their own plan."))
    criteria = queries.criteria_for(session.batch.program)
    errors, items = {}, []
    for criterion in criteria:
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        value = _parse_int(raw)
        if value is None:
            errors[score_field(criterion)] = [
                _("Give a score for “%(name)s”.") % {"name": criterion.name}
            ]
        elif value == "invalid" or not MIN_SCORE <= value <= criterion.max_score:
            errors[score_field(criterion)] = [
                _("“%(name)s”: the score must be a whole number from %(min)d to %(max)d.")
                % {"name": criterion.name, "min": MIN_SCORE, "max": criterion.max_score}
            ]
        else:
            comment = comments.get(criterion.pk, comments.get(str(criterion.pk))) or ""
            items.append((criterion, value, comment.strip()))
    if not criteria:
        errors["__all__"] = [_("The program's rubric has no criteria yet.")]
    if errors:
        raise ValidationError(errors)
    total = scoring.weighted_total((c, v) for c, v, _comment in items)
    with transaction.atomic():
        locked = SeminarSession.objects.select_for_update().get(pk=session.pk)
        if locked.state != SessionState.OPEN:
            raise TransitionNotAllowed(
                _("The berita acara is finalised: scores can no longer be changed.")
            )
        score, created = Score.objects.update_or_create(
            session=session,
            plan=plan,
            examiner=by,
            defaults={"total": total, "note": (note or "").strip()},
        )
        score.items.all().delete()
        ScoreItem.objects.bulk_create(
            ScoreItem(score=score, criterion=c, value=v, comment=comment) for c, v, comment in items
        )
        _audit(
            by=by,
            action="score_saved" if created else "score_changed",
            obj=score,
            summary=f"{plan} @ session {session.pk}: {total}",
            data={"items": {str(c.pk): v for c, v, _comment in items}},
        )
    return score


# --- The session lifecycle -------------------------------------------------------------------------

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def document_number(*, session, seq: int, when) -> str:
    """E.g. ``003/BA-SR/BPSDM-NTB/12/XI/2026``: sequence in the session, BA-SR (seminar
    rancangan) or BA-SL (seminar laporan), institution code, session id, month, year."""
    kind = "SR" if session.kind == SessionKind.RANCANGAN else "SL"
    code = session.batch.program.institution.code
    return f"{seq:03d}/BA-{kind}/{code}/{session.pk}/{ROMAN_MONTHS[when.month - 1]}/{when.year}"


def missing_scores(session) -> list[str]:
    """Each examiner with the plans they have not scored yet, one line per examiner."""
    plans = list(
        queries.examined_plans(session)
        .select_related("enrollment__employee")
        .order_by("enrollment__employee__name", "pk")
    )
    scored = set(session.scores.values_list("examiner_id", "plan_id"))
    examiners = list(session.examiners.select_related("employee").order_by("username"))

    def own(examiner, plan) -> bool:
        # Nobody scores their own plan (an examiner who enrolled in the batch after being
        # assigned): that pair is not missing, or the session could never be finalised.
        return bool(examiner.employee_id) and examiner.employee_id == plan.enrollment.employee_id

    lines = []
    unscorable = [p for p in plans if examiners and all(own(e, p) for e in examiners)]
    if unscorable:
        lines.append(
            _("No examiner other than the participant can score: %(plans)s")
            % {
                "plans": "; ".join(
                    f"“{p.title}” ({p.enrollment.employee.name})" for p in unscorable
                )
            }
        )
    for examiner in examiners:
        missing = [p for p in plans if (examiner.pk, p.pk) not in scored and not own(examiner, p)]
        if missing:
            lines.append(
                _("%(examiner)s has not scored: %(plans)s")
                % {
                    "examiner": examiner,
                    "plans": "; ".join(
                        f"“{p.title}” ({p.enrollment.employee.name})" for p in missing
                    ),
                }
            )
    return lines


def _finalise_refusals(session) -> list[str]:
    if not session.examiners.exists():
        return [_("The session has no examiner.")]
    if not queries.examined_plans(session).exists():
        return [_("No submitted plan of the batch to examine yet.")]
    return missing_scores(session)


def seminar_session_transition(*, session, action: str, by, note: str = "") -> SeminarSession:
    """The only function that changes ``SeminarSession.state``: open —finalise→ finalised.

    Finalising needs every examiner's complete scores for every examined plan; it freezes one
    ``SeminarResult`` per plan (average of the examiners' totals, the pass mark, passed or not,
    the berita acara's number), writes the history row and an audit entry, and notifies each
    participant of their result."""
    with transaction.atomic():
        session = (
            SeminarSession.objects.select_for_update(of=("self",))
            .select_related("batch__program__institution")
            .get(pk=session.pk)
        )
        try:
            action = SessionAction(action)
        except ValueError as exc:
            raise TransitionNotAllowed(
                _("Unknown action “%(action)s”.") % {"action": action}
            ) from exc
        sources, target, who = rules.SESSION_TRANSITIONS[action]
        if not rules.session_relations(by, session) & who:
            raise PermissionDenied(_("Only the organizer of the institution may finalise."))
        if session.state not in sources:
            raise TransitionNotAllowed(
                _("Cannot %(action)s the session: it is %(state)s.")
                % {"action": action.label, "state": session.get_state_display()}
            )
        reasons = _finalise_refusals(session)
        if reasons:
            raise FinaliseRefused(
                _("The berita acara cannot be finalised yet: %(reasons)s")
                % {"reasons": " ".join(reasons)},
                reasons,
            )
        now = timezone.now()
        config = queries.config_for(session.batch.program)
        results = _results(session=session, pass_mark=config.pass_mark, when=now)
        source = session.state
        session.state = target
        session.finalised_at = now
        session.finalised_by = _actor(by)
        session.save(update_fields=["state", "finalised_at", "finalised_by"])
        SessionTransition.objects.create(
            session=session,
            action=action,
            from_state=source,
            to_state=target,
            by=_actor(by),
            note=(note or "").strip(),
        )
        _audit(
            by=by,
            action=f"session_{action}",
            obj=session,
            summary=f"{session}: {source} → {target}",
            data={"results": [(r.plan_id, str(r.average), r.passed) for r in results]},
        )
        _notify_results(session, results)
    return session


def _results(*, session, pass_mark, when) -> list[SeminarResult]:
    plans = list(queries.examined_plans(session).order_by("enrollment__employee__name", "pk"))
    totals: dict[int, list[Decimal]] = {}
    for plan_id, total in session.scores.values_list("plan_id", "total"):
        totals.setdefault(plan_id, []).append(total)
    results = []
    localised = timezone.localtime(when)
    for seq, plan in enumerate(plans, start=1):
        average = scoring.average(totals.get(plan.pk, []))
        results.append(
            SeminarResult(
                session=session,
                plan=plan,
                average=average,
                pass_mark=pass_mark,
                passed=average >= pass_mark,
                number=document_number(session=session, seq=seq, when=localised),
            )
        )
    return SeminarResult.objects.bulk_create(results)


def _notify_results(session, results):
    from membumi.action_plans.models import ActionPlan

    plans = ActionPlan.objects.filter(pk__in=[r.plan_id for r in results]).select_related(
        "enrollment__employee__user"
    )
    by_plan = {p.pk: p for p in plans}
    url = reverse("seminars:session_detail", args=[session.pk])
    with translation.override(settings.LANGUAGE_CODE):
        for result in results:
            plan = by_plan[result.plan_id]
            user = getattr(plan.enrollment.employee, "user", None)
            if user is None:
                continue
            notify(
                recipient=user,
                kind="seminar_result",
                title=_("Seminar result for “%(title)s”: %(average)s (%(outcome)s)")
                % {
                    "title": plan.title,
                    "average": result.average,
                    "outcome": _("meets the pass mark")
                    if result.passed
                    else _("below the pass mark"),
                },
                body=_(
                    "The berita acara of the %(kind)s seminar is final. Read the examiners' comments."
                )
                % {"kind": session.get_kind_display()},
                url=reverse("seminars:plan_sheet", args=[session.pk, plan.pk]) or url,
                key=f"seminar_result:{session.pk}:{plan.pk}",
            )


def berita_acara_export(*, session, plan, by) -> bytes:
    """The berita acara PDF of ``plan`` at the finalised ``session`` (callers check the scope);
    every download is audit-logged (DESIGN §9: exports are recorded)."""
    from . import pdf

    if session.state != SessionState.FINALISED:
        raise TransitionNotAllowed(_("The berita acara exists once the session is finalised."))
    sheet = queries.plan_sheet(session, plan)
    content = pdf.berita_acara_pdf(
        session=session, plan=plan, sheet=sheet, organizer=session.finalised_by
    )
    _audit(
        by=by,
        action="berita_acara_exported",
        obj=session,
        summary=f"{sheet.result.number if sheet.result else ''}: {plan}",
        data={"plan": plan.pk},
    )
    return content
