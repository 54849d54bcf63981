"""Demo step for monitoring after class (membumi/monitoring).

An earlier batch of the immunisation program — **"Angkatan Khusus Juli 2026"**, 6–31 July
2026, about four months before ``DEMO_TODAY`` — now in ``follow_up``. ``peserta`` took part
(mentor ``mentor``, coach ``widyaiswara``) with seven colleagues of the running batch, and
their plans stand in every state:

* ``peserta``: in progress — one update accepted (evidence PDF and photo, a measurement), one
  awaiting the mentor (in ``mentor``'s queue, with the e-mail link);
* two mentees of ``mentor``: one plan completed (awaiting verification in the queue), one
  verified (with its ``PlanVerification``);
* the others: approved and never updated (silent on the board), in progress with a blocked
  milestone (stopped), in progress with an overdue milestone (late), abandoned.

Plans are drafted and their milestones added through the services; submission and approval
are stamped (the review stage has its own demo), everything after approval — updates,
evidence, decisions, complete, verify, abandon — goes through the real services. Dates are
moved onto the demo's calendar afterwards. Idempotent: the batch is the marker.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from membumi.demo.world import World

BATCH_KEY = "imunisasi-juli"
BATCH_NAME = "Angkatan Khusus Juli 2026"
START, END = dt.date(2026, 7, 6), dt.date(2026, 7, 31)
BASELINE, TARGET = Decimal("62"), Decimal("90")

# (scenario, mentor is the demo mentor)
SCENARIOS = (
    ("completed", True),
    ("verified", True),
    ("silent", False),
    ("blocked", False),
    ("late", False),
    ("abandoned", False),
    ("on_track", False),
)


def demo_pdf(text: str) -> bytes:
    """A tiny valid one-page PDF saying ``text``."""
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def demo_png(width: int = 48, height: int = 32, rgb=(46, 125, 50)) -> bytes:
    """A small valid PNG filled with one colour (a stand-in for a photo)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def build_monitoring(world: World) -> bool:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from membumi.action_plans import services as plan_services
    from membumi.action_plans.models import ActionPlan, PlanTransition
    from membumi.demo.world import _at, _organizer
    from membumi.monitoring import services
    from membumi.monitoring.models import ProgressUpdate, UpdateDecision
    from membumi.programs.models import Batch, Enrollment
    from membumi.programs.services import (
        EnrolmentRequest,
        batch_create,
        batch_transition,
        enrollment_create_many,
    )

    program = world.programs.get("imunisasi")
    running = world.batches.get("imunisasi")
    if program is None or running is None or "peserta" not in world.users:
        return False
    existing = Batch.objects.filter(program=program, name=BATCH_NAME).first()
    if existing:
        world.batches[BATCH_KEY] = existing
        return False

    organizer = _organizer(world)
    peserta, mentor = world.people["peserta"], world.people["mentor"]
    others = [
        e.employee
        for e in Enrollment.objects.filter(batch=running, state__in=("enrolled", "active"))
        .exclude(employee=peserta)
        .exclude(employee=mentor)
        .select_related("employee")
        .order_by("pk")[: len(SCENARIOS)]
    ]
    batch = batch_create(
        program=program,
        by=organizer,
        name=BATCH_NAME,
        start_date=START,
        end_date=END,
        mode="blended",
        capacity=20,
        location="Kampus BPSDM Provinsi NTB, Mataram",
        trainers=[world.users["widyaiswara"]],
    )
    batch = batch_transition(batch=batch, action="open_enrolment", by=organizer)
    requests = [EnrolmentRequest(nip=peserta.nip, coach_username="widyaiswara", line=1)]
    for line, (employee, (_s, mentored)) in enumerate(zip(others, SCENARIOS, strict=False), 2):
        requests.append(
            EnrolmentRequest(
                nip=employee.nip,
                mentor_nip=mentor.nip if mentored else "",
                coach_username="widyaiswara",
                line=line,
            )
        )
    enrolments = {
        e.employee_id: e
        for e in enrollment_create_many(batch=batch, by=organizer, requests=requests)
    }
    batch = batch_transition(batch=batch, action="start", by=organizer)

    def account(employee):
        from membumi.demo.world import _user

        return (
            world.users["peserta"] if employee == peserta else _user(world, employee, "participant")
        )

    stamps: list[tuple] = []  # (model, pk, moment)

    def make_plan(employee, title):
        user = account(employee)
        plan = plan_services.action_plan_create(
            enrollment=enrolments[employee.pk], by=user, title=title
        )
        plan_services.action_plan_update(
            plan=plan,
            by=user,
            goal="Menaikkan cakupan imunisasi dasar lengkap dari 62% menjadi 90% dalam setahun.",
            root_cause="Sasaran tidak terpetakan by name by address; jadwal posyandu tidak rutin.",
            indicator_name="Cakupan imunisasi dasar lengkap",
            indicator_unit="%",
            indicator_direction="increase",
            baseline_value=BASELINE,
            baseline_date=dt.date(2026, 6, 30),
            target_value=TARGET,
            target_date=dt.date(2027, 6, 30),
            data_source="Laporan PWS imunisasi puskesmas",
        )
        for term, output, due in (
            ("short", "Daftar sasaran by name by address per desa", dt.date(2026, 7, 31)),
            ("mid", "Posyandu dan sweeping imunisasi kejar tiap bulan", dt.date(2026, 10, 31)),
            ("long", "Cakupan 90% dan tim imunisasi desa berjalan", dt.date(2027, 6, 30)),
        ):
            plan_services.milestone_add(
                plan=plan, by=user, term=term, output=output, due_date=due, responsible="Bidan desa"
            )
        # Submission and approval, stamped on the last days of the classes.
        submitted, approved = _at(dt.date(2026, 7, 28), 10), _at(dt.date(2026, 7, 30), 14)
        ActionPlan.objects.filter(pk=plan.pk).update(
            state="approved", review_round=1, submitted_at=submitted, approved_at=approved
        )
        for action, source, target, by, moment in (
            ("submit", "draft", "submitted", user, submitted),
            ("approve", "submitted", "approved", world.users["mentor"], approved),
        ):
            row = PlanTransition.objects.create(
                plan=plan, action=action, from_state=source, to_state=target, by=by
            )
            stamps.append((PlanTransition, row.pk, moment))
        plan.refresh_from_db()
        return plan, user

    def files(name):
        return [
            SimpleUploadedFile(f"{name}.pdf", demo_pdf(f"Laporan {name}"), "application/pdf"),
            SimpleUploadedFile(f"foto-{name}.png", demo_png(), "image/png"),
        ]

    def update(plan, user, day, value=None, milestones=(), decide=None, evidence=True, text=""):
        m = {ms.term: ms for ms in plan.milestones.all()}
        item = services.progress_update_create(
            plan=plan,
            by=user,
            narrative=text or "Sweeping imunisasi kejar di dua desa bersama kader posyandu.",
            milestones=[
                {"milestone_id": m[term].pk, "status": status, "note": note}
                for term, status, note in milestones
            ],
            measurement={"value": value, "measured_on": day, "source": "PWS imunisasi"}
            if value is not None
            else None,
            files=files(f"bukti-{plan.pk}-{day:%m%d}") if evidence else [],
            links=["https://example.org/berita/imunisasi-kejar"] if evidence else [],
        )
        stamps.append((ProgressUpdate, item.pk, _at(day, 16)))
        if decide:
            services.progress_update_decide(
                update=item,
                action=decide,
                by=plan_mentor(plan),
                note="" if decide == "accept" else "Foto tidak menunjukkan daftar hadir.",
            )
            row = item.decisions.get()
            stamps.append((UpdateDecision, row.pk, _at(day + dt.timedelta(days=3), 9)))
        return item

    def plan_mentor(plan):
        return services.mentor_account(plan)

    def stamp_last_transition(plan, day):
        row = PlanTransition.objects.filter(plan=plan).latest("id")
        stamps.append((PlanTransition, row.pk, _at(day, 11)))

    # peserta: in progress; one update accepted, one awaiting the mentor.
    plan, user = make_plan(peserta, "Imunisasi kejar berbasis data by name by address di Masbagik")
    update(plan, user, dt.date(2026, 8, 14), "70", [("short", "done", "")], decide="accept")
    stamp_last_transition(plan, dt.date(2026, 8, 14))  # (start is before the first update)
    update(
        plan,
        user,
        dt.date(2026, 11, 20),
        "76",
        [("mid", "in_progress", "Sweeping bulan November di Desa Kesik")],
        text="Sweeping November: 41 anak dikejar, 33 terimunisasi. Daftar hadir dan foto terlampir.",
    )

    for employee, (scenario, _mentored) in zip(others, SCENARIOS, strict=False):
        plan, user = make_plan(
            employee, f"Cakupan imunisasi dasar lengkap — {employee.work_unit.name}"
        )
        if scenario == "silent":
            continue
        if scenario == "abandoned":
            plan_services.action_plan_transition(
                plan=plan, action="abandon", by=organizer, note="Peserta mutasi ke kabupaten lain."
            )
            stamp_last_transition(plan, dt.date(2026, 9, 15))
            continue
        if scenario == "blocked":
            update(
                plan,
                user,
                dt.date(2026, 8, 20),
                "64",
                [("short", "done", ""), ("mid", "blocked", "Vaksin MR kosong di gudang kabupaten")],
            )
            continue
        if scenario == "late":
            update(plan, user, dt.date(2026, 11, 2), "66", [("short", "done", "")], decide="accept")
            continue
        if scenario == "on_track":
            update(
                plan,
                user,
                dt.date(2026, 11, 10),
                "74",
                [("short", "done", ""), ("mid", "done", "")],
                decide="accept",
            )
            continue
        # completed / verified
        update(plan, user, dt.date(2026, 8, 25), "71", [("short", "done", "")], decide="accept")
        update(
            plan,
            user,
            dt.date(2026, 10, 30),
            "88" if scenario == "completed" else "92",
            [("mid", "done", ""), ("long", "done", "")],
            decide="accept",
        )
        plan = plan_services.action_plan_transition(plan=plan, action="complete", by=user)
        stamp_last_transition(plan, dt.date(2026, 11, 3))
        if scenario == "verified":
            plan_services.action_plan_transition(
                plan=plan, action="verify", by=plan_mentor(plan), note="Cakupan dicek di PWS."
            )
            stamp_last_transition(plan, dt.date(2026, 11, 9))

    # The starts happened with each plan's first update.
    for row in PlanTransition.objects.filter(plan__enrollment__batch=batch, action="start"):
        first = (
            ProgressUpdate.objects.filter(plan_id=row.plan_id).order_by("pk").values("pk").first()
        )
        moment = next(
            (m for model, pk, m in stamps if model is ProgressUpdate and pk == first["pk"]), None
        )
        if moment:
            stamps.append((PlanTransition, row.pk, moment))
    for model, pk, moment in stamps:
        model.objects.filter(pk=pk).update(created_at=moment)
    batch = batch_transition(batch=batch, action="end", by=organizer)
    world.batches[BATCH_KEY] = batch
    world.notes.append(
        f"Monitoring: {BATCH_NAME} (follow-up) with {len(enrolments)} plans in every state; "
        "a verification queue for mentor."
    )
    return True
