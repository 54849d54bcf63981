"""Demo step: the running immunisation batch's sessions and attendance, and one pending mentor
change proposal (people move).

One session per module on alternate working days from the batch's start; the sessions held
before ``DEMO_TODAY`` have their attendance taken (everyone marked present, then a few
absentees and one excused absence), so on the "who can pass" page some participants are
below the minimum. Then a real employee import (CSV through ``EmployeeImporter``) moves a
participant of Puskesmas Aikmel to Puskesmas Sakra under its head, which proposes the head as
the new mentor for the organizer to confirm.

Idempotent: when the batch already has sessions the step loads nothing and returns False.
"""

from __future__ import annotations

import csv
import io
import random
from typing import TYPE_CHECKING

from membumi.organizations.importing import COLUMNS, EmployeeImporter
from membumi.programs.models import Attendance, Session
from membumi.programs.services import (
    attendance_mark,
    attendance_mark_all_present,
    session_create,
)

if TYPE_CHECKING:
    from membumi.demo.world import World

# Participants (PARTICIPANTS index) who missed sessions: (index, session numbers, status).
ABSENCES = (
    (2, (1, 3), "absent"),  # Masbagik: two of five sessions → below the minimum
    (5, (2,), "absent"),  # Sakra: one session
    (10, (4,), "excused"),  # Ampenan: excused still earns no JP
    (12, (0, 1, 2), "absent"),  # Karang Pule: most of the first week
)
MOVER = 4  # PARTICIPANTS index: the second participant of Puskesmas Aikmel
MOVES_TO = "KAB-LOTIM:Dinas Kesehatan > Puskesmas Sakra"


def _import_row(employee, unit_names, supervisor) -> dict:
    return {
        "nip": employee.nip,
        "name": employee.name,
        "sex": "L" if employee.sex == "M" else "P",
        "golongan": employee.golongan,
        "position_type": employee.position_type,
        "position_name": employee.position_name,
        "unit": " > ".join(unit_names),
        "agency": employee.agency.code,
        "supervisor_nip": supervisor.nip if supervisor else "",
        "email": employee.email,
        "status": "aktif" if employee.is_active else "nonaktif",
    }


def _run_import(*rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    data = buffer.getvalue().encode()
    report = EmployeeImporter().run(io.BytesIO(data), "siasn-mutasi.csv", len(data))
    if report.fatal or report.rejected:
        raise RuntimeError(f"demo people-move import failed: {report.as_dict()}")


def build_attendance(world: World) -> bool:
    from membumi.demo.world import (  # world.py registers this step: import it late
        DEMO_TODAY,
        PARTICIPANTS,
        SEED,
        _at,
        _staff,
        _unit_key,
        _workday,
    )

    batch = world.batches.get("imunisasi")
    if batch is None or Session.objects.filter(batch=batch).exists():
        return False
    organizer = world.users["penyelenggara"]
    trainer = world.users["widyaiswara"]
    rng = random.Random(SEED)
    sessions = []
    for number, module in enumerate(batch.program.modules.order_by("position", "id")):
        day = _workday(batch.start_date, 2 * number)
        while day.weekday() >= 5:
            day = _workday(day, 1)
        sessions.append(
            session_create(
                batch=batch,
                by=organizer,
                date=min(day, batch.end_date),
                title=module.title,
                jp=min(module.jp, 20),
                module=module,
            )
        )
    held = [s for s in sessions if s.date < DEMO_TODAY]
    staff = _staff(world)
    enrolments = {e.employee_id: e for e in batch.enrollments.select_related("employee")}
    people = [staff.member(world.units[_unit_key(p.unit)], p.index) for p in PARTICIPANTS]
    for session in held:
        taker = trainer if rng.random() < 0.5 else organizer
        attendance_mark_all_present(session=session, by=taker)
    for index, numbers, status in ABSENCES:
        enrolment = enrolments.get(people[index].pk)
        if enrolment is None or enrolment.state not in ("enrolled", "active"):
            continue
        for number in numbers:
            if number < len(held):
                attendance_mark(
                    session=held[number], enrollment=enrolment, status=status, by=trainer
                )
    for session in held:
        Attendance.objects.filter(session=session).update(recorded_at=_at(session.date, 15))

    # People move: the SIASN export of early December shows the participant in Sakra.
    mover = people[MOVER]
    sakra = world.units[_unit_key(MOVES_TO)]
    head = staff.head(sakra)
    _run_import(_import_row(mover, _unit_key(MOVES_TO)[1], head))
    world.notes.append(
        f"people move: {mover.name} moved to {sakra.name}; mentor change proposed ({head.name})"
    )
    return True
