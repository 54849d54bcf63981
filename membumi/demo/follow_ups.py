"""Demo step for the follow-up after training (membumi/evaluation, EPP).

It needs the earlier batch the monitoring step builds: a batch in ``follow_up`` (or closed)
that ended a few months before ``DEMO_TODAY``, in which ``peserta`` (mentor ``mentor``) has an
approved plan. Without such a batch the step does nothing (and says so in the world's notes).

With it, the 3-month follow-ups of the batch open through the real scheduling service on their
due date; ``peserta`` and ``mentor`` find theirs open and unanswered on ``DEMO_TODAY``, while
most other participants and their mentors have answered (continuing, completed, some stopped
with a reason; ratings 1–5), so the roll-up shows figures. When the batch ended so long ago
that a 30-day window would have closed by ``DEMO_TODAY``, the demo program's policy keeps the
forms open longer (a per-program setting). The reminder pass then runs once as of
``DEMO_TODAY``, so the notices appear in the notification centre.

Idempotent: a follow-up of the batch is the marker.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from membumi.demo.world import World

OFFSET = 3  # months: the follow-up the demo shows
STOP_REASONS = (
    "Anggaran kegiatan dialihkan ke penanganan bencana; dilanjutkan tahun depan.",
    "Mutasi ke unit lain; rencana belum diserahterimakan kepada pengganti.",
    "Aplikasi pendukung belum disetujui dinas kominfo.",
)
COMMENTS = (
    "Rapat koordinasi bulanan dengan puskesmas sudah rutin berjalan.",
    "Data capaian kini dibahas setiap Senin di apel pagi.",
    "Masih butuh dukungan kepala dinas untuk perluasan ke kecamatan lain.",
    "",
)


def build_follow_ups(world: World) -> bool:
    from django.db.models import Exists, OuterRef

    from membumi.accounts.models import User
    from membumi.action_plans.models import ActionPlan
    from membumi.demo.world import DEMO_TODAY, SEED, _at
    from membumi.evaluation import queries, rules, services
    from membumi.evaluation.models import FollowUp
    from membumi.evaluation.reminders import followup_remind_pass
    from membumi.programs.models import Enrollment

    peserta = world.users.get("peserta") or User.objects.filter(username="peserta").first()
    if peserta is None or not peserta.employee_id:
        return False
    approved = ActionPlan.objects.filter(enrollment=OuterRef("pk"), approved_at__isnull=False)
    enrollment = (
        Enrollment.objects.filter(
            employee_id=peserta.employee_id,
            batch__state__in=rules.SCHEDULED_BATCH_STATES,
            batch__end_date__lte=rules.add_months(DEMO_TODAY, -OFFSET),
        )
        .filter(Exists(approved))
        .select_related("batch__program")
        .order_by("-batch__end_date")
        .first()
    )
    if enrollment is None:
        world.notes.append(
            "Follow-ups: no ended batch with an approved plan for peserta yet; none created."
        )
        return False
    batch = enrollment.batch
    if FollowUp.objects.filter(batch=batch).exists():
        return False

    due = rules.add_months(batch.end_date, OFFSET)
    policy = queries.policy_for(batch.program)
    # Keep the demo's forms open at least two weeks past DEMO_TODAY.
    needed = (DEMO_TODAY - due).days + 15
    if needed > rules.MAX_WINDOW_DAYS:
        world.notes.append(f"Follow-ups: {batch} ended too long ago for an open 3-month form.")
        return False
    if needed > policy.window_days or OFFSET not in policy.offsets:
        organizer = User.objects.filter(username="penyelenggara").first()
        services.follow_up_policy_set(
            program=batch.program,
            by=organizer,
            offsets=sorted({*policy.offsets, OFFSET}),
            window_days=max(needed, policy.window_days),
            items=policy.items,
        )
    services.follow_up_schedule_due(today=due)

    rng = random.Random(SEED + 5)
    mentor_employee_id = enrollment.mentor_id
    forms = (
        FollowUp.objects.filter(batch=batch, offset_months=OFFSET)
        .exclude(enrollment=enrollment)
        .select_related("enrollment__employee__user", "enrollment__mentor__user")
        .order_by("enrollment__employee__name", "role")
    )
    answered = 0
    for form in forms:
        is_self = form.role == "participant"
        respondent = form.enrollment.employee if is_self else form.enrollment.mentor
        user = getattr(respondent, "user", None) if respondent else None
        # peserta's mentor answers nothing: her own form waits for her in the demo.
        if user is None or (not is_self and form.enrollment.mentor_id == mentor_employee_id):
            continue
        if rng.random() > (0.8 if is_self else 0.65):
            continue  # silent: counts against the response rate
        roll = rng.random()
        status = "continuing" if roll < 0.6 else "completed" if roll < 0.85 else "stopped"
        low, high = (3, 5) if is_self else (2, 5)
        ratings = {item["code"]: rng.randint(low, high) for item in form.items}
        when = due + dt.timedelta(days=rng.randint(1, min(20, (DEMO_TODAY - due).days or 1)))
        services.follow_up_respond(
            follow_up=form,
            by=user,
            plan_status=status,
            stop_reason=rng.choice(STOP_REASONS) if status == "stopped" else "",
            ratings=ratings,
            comment=rng.choice(COMMENTS),
            today=min(when, DEMO_TODAY),
        )
        FollowUp.objects.filter(pk=form.pk).update(answered_at=_at(min(when, DEMO_TODAY), 10))
        answered += 1
    followup_remind_pass(today=DEMO_TODAY)
    world.notes.append(
        f"Follow-ups: {forms.count() + FollowUp.objects.filter(enrollment=enrollment).count()} "
        f"three-month forms for {batch}, {answered} answered; peserta's and mentor's are open."
    )
    return True
