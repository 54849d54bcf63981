"""Demo step for action plans (membumi/action_plans): the review stage of the running batch
and two near-duplicate plans in an earlier batch.

* ``peserta`` has a **draft** in the running immunisation batch for the problem the mentor
  validated: goal, indicator, baseline and target are there, but the long-term milestone is
  missing (one blocking finding), a milestone has no one responsible and no stakeholder is
  named (advice), so the quality panel has something to show.
* Other participants of the batch who bring a validated problem have written plans of their
  own: some **approved** by coach and mentor, one waiting for the mentor after the coach's
  approval, some **submitted** and waiting, one sent back with a **revision request**.
* An earlier batch of the same program, **"Angkatan Percontohan 2026"** (7–25 September
  2026, now in follow-up), where two colleagues of Puskesmas Ampenan, bringing their unit's
  immunisation problem, wrote **near-duplicate plans** (the second copied the first), both
  approved — what the coach and the organizer see as "similar plans".

Every plan, milestone, stakeholder, submission, approval and revision request goes through
the services (with their history rows and notifications); dates are then moved onto the
demo's calendar. Idempotent: ``peserta``'s plan in the running batch is the marker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from membumi.demo.world import World

TARGET_DATE = dt.date(2027, 11, 30)
SHORT_DUE, MID_DUE, LONG_DUE = dt.date(2026, 12, 4), dt.date(2027, 2, 26), dt.date(2027, 10, 29)


@dataclass(frozen=True)
class PlanSpec:
    """A participant's plan (problems.csv key of the problem they bring) and where the
    review stands: ``approved``, ``coach_approved``, ``submitted``, ``revision``."""

    problem: str
    outcome: str
    title: str
    action: str  # "... melalui <action>"
    root_cause: str
    short: str
    mid: str
    long: str
    stakeholder: tuple[str, str, str, str]  # kind, name, role, support needed
    target: Decimal


RUNNING = (
    PlanSpec(
        "imun-selong", "approved",
        "Kohort bayi by name by address untuk kejar imunisasi di Puskesmas Selong",
        "kohort bayi by name by address yang diperbarui kader setiap bulan",
        "Daftar sasaran bayi disusun dari proyeksi, bukan nama dan alamat, sehingga bayi yang terlewat tidak diketahui.",
        "Kohort bayi by name by address enam desa tersusun dan disahkan kepala puskesmas",
        "Sweeping bulanan bayi yang tertinggal jadwal berjalan di enam desa",
        "Evaluasi cakupan dan kohort by name ditetapkan sebagai prosedur tetap puskesmas",
        ("internal", "Kepala Puskesmas Selong", "Penanggung jawab", "Surat keputusan tim dan rapat bulanan"),
        Decimal("92"),
    ),
    PlanSpec(
        "imun-aikmel", "approved",
        "Menekan drop out DPT-HB-Hib ke campak rubela di Puskesmas Aikmel",
        "pengingat jadwal lewat pesan singkat kepada orang tua dan kunjungan rumah bidan desa",
        "Orang tua tidak tahu jadwal dosis berikutnya; kartu imunisasi sering hilang.",
        "Daftar kontak orang tua bayi DPT-HB-Hib1 lengkap dan jadwal pengingat tersusun",
        "Pengingat otomatis berjalan dan bidan desa mengunjungi bayi yang tidak datang",
        "Angka drop out dievaluasi setiap triwulan dan pengingat menjadi layanan rutin",
        ("external", "Forum kader posyandu Aikmel", "Pendamping orang tua", "Kunjungan rumah bersama bidan desa"),
        Decimal("5"),
    ),
    PlanSpec(
        "posyandu-lotim", "approved",
        "Menghidupkan kembali posyandu tidak aktif dengan kader pengganti",
        "rekrutmen dan pelatihan kader pengganti bersama pemerintah desa",
        "Kader berhenti tanpa pengganti karena insentif dan pelatihan tidak ada.",
        "Peta posyandu tidak aktif dan calon kader pengganti per desa tersusun",
        "Kader pengganti terlatih dan posyandu kembali buka setiap bulan",
        "Insentif kader masuk APBDes dan keaktifan posyandu dipantau dinas",
        ("external", "Kepala desa se-Lombok Timur", "Penyedia insentif kader", "Alokasi APBDes untuk kader"),
        Decimal("90"),
    ),
    PlanSpec(
        "imun-labuhan-haji", "coach_approved",
        "Layanan imunisasi terjadwal tetap di setiap posyandu Labuhan Haji",
        "jadwal imunisasi tetap per posyandu yang diumumkan di masjid dan sekolah",
        "Jadwal posyandu berubah-ubah mengikuti ketersediaan petugas, vaksin dibawa tidak menentu.",
        "Jadwal tetap imunisasi per posyandu untuk enam bulan disepakati lintas program",
        "Vaksin dan petugas tersedia sesuai jadwal di seluruh posyandu",
        "Kepatuhan jadwal dievaluasi dan dijadikan indikator kinerja bidan desa",
        ("internal", "Koordinator bidan Puskesmas Labuhan Haji", "Pengatur jadwal", "Pembagian petugas per posyandu"),
        Decimal("95"),
    ),
    PlanSpec(
        "imun-lotim-kab", "submitted",
        "Pemantauan wilayah setempat imunisasi mingguan untuk 35 puskesmas",
        "dasbor PWS mingguan per desa dan umpan balik kepada kepala puskesmas",
        "Data cakupan baru dibahas akhir tahun sehingga desa kantong tidak ditangani tepat waktu.",
        "Dasbor PWS per desa dari data ASIK tersedia untuk seluruh puskesmas",
        "Umpan balik mingguan kepada puskesmas dengan desa di bawah garis target",
        "Rapat evaluasi triwulan menetapkan desa prioritas dan anggaran kejar imunisasi",
        ("internal", "Kepala Bidang P2P Dinas Kesehatan", "Pengambil keputusan", "Rapat evaluasi triwulan"),
        Decimal("93"),
    ),
    PlanSpec(
        "imun-ampenan", "submitted",
        "Imunisasi kejar di kelurahan pesisir Ampenan bersama tokoh agama",
        "imunisasi kejar di kelurahan pesisir dengan pendampingan tokoh agama",
        "Orang tua nelayan sering melaut saat jadwal posyandu dan sebagian ragu karena kabar keliru.",
        "Daftar bayi belum lengkap imunisasi di tiga kelurahan pesisir terverifikasi",
        "Sesi imunisasi kejar sore hari di masjid kelurahan berjalan setiap bulan",
        "Cakupan pesisir dievaluasi dan jadwal sore menjadi layanan tetap",
        ("external", "Tokoh agama Kelurahan Bintaro", "Penggerak masyarakat", "Pengumuman dan pendampingan orang tua"),
        Decimal("92"),
    ),
    PlanSpec(
        "imun-karang-pule-bias", "submitted",
        "Cakupan BIAS campak rubela kelas 1 lewat kolaborasi UKS",
        "kolaborasi dengan guru UKS untuk persetujuan orang tua dan sesi susulan di sekolah",
        "Formulir persetujuan orang tua tidak kembali dan siswa yang absen tidak mendapat sesi susulan.",
        "Formulir persetujuan dibagikan lewat guru UKS dua minggu sebelum BIAS",
        "Sesi susulan BIAS di setiap SD untuk siswa yang absen",
        "Rekap BIAS per sekolah dilaporkan ke dinas pendidikan dan menjadi agenda UKS",
        ("external", "Guru UKS SD se-Karang Pule", "Penghubung orang tua", "Membagikan dan mengumpulkan formulir"),
        Decimal("96"),
    ),
    PlanSpec(
        "imun-dasan-agung", "revision",
        "Imunisasi dasar lengkap di Dasan Agung",
        "kunjungan rumah bayi yang tertinggal",
        "Bayi tertinggal jadwal.",
        "Daftar bayi tertinggal",
        "Kunjungan rumah",
        "Evaluasi",
        ("internal", "Kepala Puskesmas Dasan Agung", "Penanggung jawab", ""),
        Decimal("90"),
    ),
)  # fmt: skip

REVISION_NOTE = (
    "Keluaran setiap tahap masih terlalu umum: sebutkan berapa bayi dan desa mana yang "
    "dikunjungi, siapa yang mengerjakan, dan jelaskan akar masalahnya dari data kohort."
)

# The earlier batch and its two near-duplicate plans.
EARLIER_NAME = "Angkatan Percontohan 2026"
EARLIER_START, EARLIER_END = dt.date(2026, 9, 7), dt.date(2026, 9, 25)
EARLIER_TARGET_DATE = dt.date(2027, 9, 24)
EARLIER_UNIT = "KOTA-MTR:Dinas Kesehatan > Puskesmas Ampenan"
EARLIER_PROBLEM = "imun-ampenan"
EARLIER_TITLE = "Pemetaan kantong bayi belum imunisasi di wilayah Puskesmas Ampenan"
EARLIER_GOAL = (
    "Meningkatkan cakupan imunisasi dasar lengkap dari {baseline} menjadi {target} % pada "
    "September 2027 melalui pemetaan kantong bayi belum imunisasi per kelurahan dan imunisasi "
    "kejar bersama kader posyandu."
)
EARLIER_MILESTONES = (
    ("short", dt.date(2026, 9, 23), "Peta kantong bayi belum imunisasi per kelurahan tersusun dari data ASIK"),
    ("mid", dt.date(2026, 12, 15), "Imunisasi kejar di kelurahan kantong berjalan bersama kader posyandu"),
    ("long", dt.date(2027, 8, 31), "Evaluasi cakupan dan pemetaan kantong menjadi kegiatan rutin puskesmas"),
)  # fmt: skip


def _goal(problem, target, action) -> str:
    verb = "Menurunkan" if problem.indicator_direction == "decrease" else "Meningkatkan"
    baseline = f"{problem.baseline_value.normalize():f}".replace(".", ",")
    value = f"{target.normalize():f}".replace(".", ",")
    return (
        f"{verb} {problem.indicator_name.lower()} dari {baseline} menjadi {value} "
        f"{problem.indicator_unit} pada November 2027 melalui {action}."
    )


def _write_plan(
    *,
    enrollment,
    user,
    problem,
    title,
    goal,
    root_cause,
    target,
    milestones,
    stakeholders,
    target_date=TARGET_DATE,
):
    from membumi.action_plans import services

    plan = services.action_plan_create(enrollment=enrollment, by=user, title=title)
    services.action_plan_update(
        plan=plan,
        by=user,
        goal=goal,
        root_cause=root_cause,
        target_value=target,
        target_date=target_date,
        data_source=problem.data_source or "Register kohort imunisasi dan ASIK",
    )
    for term, due, output, responsible in milestones:
        services.milestone_add(
            plan=plan, by=user, term=term, output=output, due_date=due, responsible=responsible
        )
    for kind, name, role, support in stakeholders:
        services.stakeholder_add(
            plan=plan, by=user, kind=kind, name=name, role=role, support_needed=support
        )
    return plan


def _stamp(plan, created: dt.date, moments: list[dt.datetime]) -> None:
    """Move the plan, its history, approvals and notifications onto the demo's calendar."""
    from membumi.action_plans.models import ActionPlan, PlanApproval, PlanTransition
    from membumi.demo.world import _at
    from membumi.notifications.models import Notification

    rows = list(PlanTransition.objects.filter(plan=plan).order_by("id"))
    for row, when in zip(rows, moments, strict=False):
        row.created_at = when
    PlanTransition.objects.bulk_update(rows, ["created_at"])
    last = moments[-1] if moments else _at(created, 10)
    for approval in PlanApproval.objects.filter(plan=plan).order_by("id"):
        when = next(
            (r.created_at for r in rows if r.by_id == approval.by_id and r.action in (
                "approve", "request_revision")),
            last,
        )  # fmt: skip
        PlanApproval.objects.filter(pk=approval.pk).update(at=when)
    submitted = [r.created_at for r in rows if r.action == "submit"]
    approved = [r.created_at for r in rows if r.to_state == "approved"]
    ActionPlan.objects.filter(pk=plan.pk).update(
        created_at=_at(created, 10),
        updated_at=last,
        submitted_at=submitted[-1] if submitted else None,
        approved_at=approved[-1] if approved else None,
    )
    url = f"/plans/{plan.pk}/"
    for row in rows:
        Notification.objects.filter(key__startswith=f"action_plan:{row.pk}:").update(
            created_at=row.created_at
        )
    Notification.objects.filter(url=url, created_at__gt=last).update(created_at=last)


def _review(plan, spec_outcome, *, participant, coach, mentor, submit_day: dt.date):
    """Submit and review a plan through the services; the moments of its history."""
    from membumi.action_plans import services
    from membumi.demo.world import _at, _workday

    moments = [_at(submit_day, 14)]
    services.action_plan_transition(plan=plan, action="submit", by=participant)
    if spec_outcome == "submitted":
        return moments
    if spec_outcome == "revision":
        services.action_plan_transition(
            plan=plan, action="request_revision", by=coach, note=REVISION_NOTE
        )
        return [*moments, _at(_workday(submit_day, 2), 10)]
    services.action_plan_transition(
        plan=plan, action="approve", by=coach, note="Indikator dan tahapan jelas; lanjutkan."
    )
    moments.append(_at(_workday(submit_day, 1), 11))
    if spec_outcome == "approved":
        services.action_plan_transition(plan=plan, action="approve", by=mentor)
        moments.append(_at(_workday(submit_day, 2), 9, 30))
    return moments


def _peserta_draft(world: World, enrollment, user) -> None:
    from membumi.action_plans import services
    from membumi.demo.world import _at

    problem = enrollment.problem
    target = Decimal("85")
    plan = services.action_plan_create(
        enrollment=enrollment, by=user, title="Imunisasi kejar bayi Desa Masbagik Timur"
    )
    services.action_plan_update(
        plan=plan,
        by=user,
        goal=_goal(problem, target, "kunjungan rumah dan imunisasi kejar bersama kader"),
        root_cause=(
            "Bayi yang tidak datang ke posyandu tidak dilacak karena daftar sasaran tidak "
            "memuat nama dan alamat."
        ),
        target_value=target,
        target_date=TARGET_DATE,
    )
    services.milestone_add(
        plan=plan,
        by=user,
        term="short",
        output="Daftar bayi Desa Masbagik Timur yang tertinggal jadwal, diverifikasi kader",
        due_date=SHORT_DUE,
        responsible="Ns. Muhammad Rizki Hidayat",
    )
    services.milestone_add(
        plan=plan,
        by=user,
        term="mid",
        output="Imunisasi kejar setiap Sabtu di dusun dengan bayi tertinggal",
        due_date=MID_DUE,
    )
    _stamp(plan, dt.date(2026, 11, 18), [])
    from membumi.action_plans.models import ActionPlan

    ActionPlan.objects.filter(pk=plan.pk).update(updated_at=_at(dt.date(2026, 11, 27), 16, 20))


def _earlier_batch(world: World) -> None:
    from membumi.accounts.enums import Role
    from membumi.demo.world import (
        _at,
        _organizer,
        _staff,
        _stamp_history,
        _trainers,
        _unit_key,
        _user,
    )
    from membumi.problems.models import ProblemTransition
    from membumi.programs.models import Batch, Enrollment, StateChange
    from membumi.programs.services import (
        EnrolmentRequest,
        batch_create,
        batch_transition,
        enrollment_create_many,
        enrollment_problem_pick,
    )

    program = world.programs["imunisasi"]
    if Batch.objects.filter(program=program, name=EARLIER_NAME).exists():
        return
    unit = world.units[_unit_key(EARLIER_UNIT)]
    problem = world.problems.get(EARLIER_PROBLEM)
    if problem is not None:
        problem.refresh_from_db()  # the running batch has marked it addressed since
    if problem is None or problem.state not in ("validated", "addressed"):
        world.notes.append("Action plans: no validated problem for the earlier batch; skipped.")
        return
    staff = _staff(world)
    people = [staff.member(unit, 1), staff.member(unit, 2)]
    taken = set(Enrollment.objects.values_list("employee_id", flat=True))
    if len({p.pk for p in people}) < 2 or any(p.pk in taken for p in people):
        world.notes.append("Action plans: no free colleagues for the earlier batch; skipped.")
        return
    organizer = _organizer(world)
    batch = batch_create(
        program=program,
        by=organizer,
        name=EARLIER_NAME,
        start_date=EARLIER_START,
        end_date=EARLIER_END,
        mode="blended",
        capacity=10,
        location="Kampus BPSDM Provinsi NTB, Mataram",
        trainers=_trainers(world, 2),
    )
    batch = batch_transition(batch=batch, action="open_enrolment", by=organizer)
    users = [_user(world, employee, Role.PARTICIPANT) for employee in people]
    enrolments = enrollment_create_many(
        batch=batch,
        by=organizer,
        requests=[
            EnrolmentRequest(nip=p.nip, coach_username="widyaiswara", line=i)
            for i, p in enumerate(people, start=1)
        ],
    )
    enrolments = sorted(enrolments, key=lambda e: [p.pk for p in people].index(e.employee_id))
    for enrollment, user in zip(enrolments, users, strict=True):
        if problem.state == "validated":
            enrollment_problem_pick(enrollment=enrollment, problem=problem, by=user)
        else:
            # The running batch (built first) has already marked the problem addressed; in
            # the demo's story this earlier batch brought it while it was still validated.
            Enrollment.objects.filter(pk=enrollment.pk).update(problem=problem)
    batch = batch_transition(batch=batch, action="start", by=organizer)

    target = Decimal("95")
    baseline = f"{problem.baseline_value.normalize():f}".replace(".", ",")
    texts = [
        (EARLIER_TITLE, EARLIER_GOAL, EARLIER_MILESTONES),
        # The copy: the same plan with a word changed here and there.
        (
            EARLIER_TITLE.replace("Pemetaan", "Peta"),
            EARLIER_GOAL.replace("bersama puskesmas", "bersama seluruh puskesmas"),
            tuple((t, d, o.replace("tersusun", "disusun")) for t, d, o in EARLIER_MILESTONES),
        ),
    ]
    for index, (enrollment, user, (title, goal, milestones)) in enumerate(
        zip(enrolments, users, texts, strict=True)
    ):
        enrollment.refresh_from_db()
        mentor = _user(world, enrollment.mentor) if enrollment.mentor_id else None
        plan = _write_plan(
            enrollment=enrollment,
            user=user,
            problem=problem,
            title=title,
            goal=goal.format(baseline=baseline, target="95"),
            root_cause="Data sasaran tidak dipilah per kelurahan sehingga kantong bayi tidak terlihat.",
            target=target,
            milestones=[(t, d, o, "Pengelola program imunisasi kota") for t, d, o in milestones],
            stakeholders=[("external", "Kader posyandu Ampenan", "Pelaksana imunisasi kejar", "")],
            target_date=EARLIER_TARGET_DATE,
        )
        moments = _review(
            plan,
            "approved",
            participant=user,
            coach=enrollment.coach,
            mentor=mentor,
            submit_day=dt.date(2026, 9, 16 + index),
        )
        _stamp(plan, dt.date(2026, 9, 10 + index), moments)
    batch = batch_transition(batch=batch, action="end", by=organizer)
    _stamp_history(
        batch,
        _at(dt.date(2026, 8, 28), 9),
        _at(dt.date(2026, 8, 31), 9),
        _at(EARLIER_START, 8),
        _at(EARLIER_END, 16),
    )
    ids = [e.pk for e in enrolments]
    Enrollment.objects.filter(pk__in=ids).update(created_at=_at(dt.date(2026, 9, 1), 10))
    StateChange.objects.filter(object_type="enrollment", object_id__in=ids).update(
        created_at=_at(EARLIER_START, 8)
    )
    ProblemTransition.objects.filter(problem=problem, action="address").update(
        created_at=_at(EARLIER_START, 8)
    )
    Batch.objects.filter(pk=batch.pk).update(created_at=_at(dt.date(2026, 8, 28), 9))
    world.batches["imunisasi-percontohan"] = batch


def build_action_plans(world: World) -> bool:
    from membumi.action_plans.models import ActionPlan
    from membumi.core.exceptions import TransitionNotAllowed
    from membumi.demo.world import _user
    from membumi.programs.models import Enrollment

    batch = world.batches.get("imunisasi")
    peserta = world.users.get("peserta")
    if batch is None or peserta is None:
        return False
    own = Enrollment.objects.filter(batch=batch, employee_id=peserta.employee_id).first()
    if own is None or ActionPlan.objects.filter(enrollment=own).exists():
        return False

    _earlier_batch(world)  # first: its plans are the older ones
    _peserta_draft(world, own, peserta)

    by_problem = {
        e.problem_id: e
        for e in Enrollment.objects.filter(batch=batch, state__in=("enrolled", "active"))
        .exclude(pk=own.pk)
        .select_related("problem", "mentor", "coach", "employee")
        .order_by("pk")
        if e.problem_id
    }
    for index, spec in enumerate(RUNNING):
        problem = world.problems.get(spec.problem)
        enrollment = by_problem.get(problem.pk) if problem else None
        if enrollment is None or enrollment.problem.state not in ("validated", "addressed"):
            continue
        user = _user(world, enrollment.employee)
        mentor = _user(world, enrollment.mentor) if enrollment.mentor_id else None
        unit_head = "Kepala " + enrollment.employee.work_unit.name
        plan = _write_plan(
            enrollment=enrollment,
            user=user,
            problem=enrollment.problem,
            title=spec.title,
            goal=_goal(enrollment.problem, spec.target, spec.action),
            root_cause=spec.root_cause,
            target=spec.target,
            milestones=[
                ("short", SHORT_DUE, spec.short, enrollment.employee.name),
                ("mid", MID_DUE, spec.mid, enrollment.employee.name),
                ("long", LONG_DUE, spec.long, unit_head),
            ],
            stakeholders=[spec.stakeholder],
        )
        try:
            moments = _review(
                plan,
                spec.outcome,
                participant=user,
                coach=enrollment.coach,
                mentor=mentor,
                submit_day=dt.date(2026, 11, 23 + index % 3),
            )
        except TransitionNotAllowed as exc:  # the quality check found something blocking
            world.notes.append(f"Action plans: “{spec.title}” stays a draft: {exc}")
            moments = []
        _stamp(plan, dt.date(2026, 11, 17 + index % 4), moments)
    _peer_clinic(world, batch, peserta)
    return True


CLINIC = (
    # (strengths, what to fix, questions, the author's answer or "")
    (
        "Sasaran by name by address membuat bayi yang tertinggal bisa dilacak.",
        "Tahapan jangka menengah belum menyebut berapa desa yang dijangkau tiap bulan.",
        "Siapa yang memperbarui kohort bila kader berganti?",
        "Bidan desa; sudah saya tambahkan sebagai penanggung jawab tahapan jangka menengah.",
    ),
    (
        "Indikator dan sumber datanya jelas.",
        "",
        "Apakah anggaran sweeping sudah masuk DPA puskesmas tahun depan?",
        "",
    ),
    (
        "",
        "Target 95% dalam setahun terlalu tinggi dari nilai awal; pertimbangkan 90%.",
        "",
        "",
    ),
)


def _peer_clinic(world: World, batch, peserta) -> None:
    """Batch-mates' feedback on submitted plans of the running batch (peer clinic), one
    answered by its author; ``peserta`` (whose own plan is still a draft) gives one."""
    from membumi.action_plans import clinic
    from membumi.action_plans.models import ActionPlan
    from membumi.demo.world import _user

    plans = list(
        ActionPlan.objects.filter(enrollment__batch=batch, submitted_at__isnull=False)
        .exclude(state="abandoned")
        .select_related("enrollment__employee")
        .order_by("pk")
    )
    if len(plans) < 2:
        return
    for index, (plan, (strengths, to_fix, questions, answer)) in enumerate(
        zip(plans, CLINIC, strict=False)
    ):
        author = _user(world, plan.enrollment.employee)
        # The first feedback comes from peserta; the others from the next plan's author.
        giver_plan = plans[(index + 1) % len(plans)]
        giver = peserta if index == 0 else _user(world, giver_plan.enrollment.employee)
        if giver is None or giver.pk == author.pk:
            continue
        feedback = clinic.peer_feedback_give(
            plan=plan, by=giver, strengths=strengths, to_fix=to_fix, questions=questions
        )
        if answer:
            clinic.peer_feedback_answer(feedback=feedback, by=author, answer=answer)
