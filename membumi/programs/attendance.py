"""Attendance figures: JP attended, JP scheduled and the percentage, per enrolment.

Computed for many enrolments at once in a constant number of queries (``figures_for``), so
the batch pages, My training and the pass gate read the same numbers.

* **Attended JP** of an enrolment = the JP of the sessions marked *present*. *Excused* is
  recorded but earns no JP: the minimum percentage is the allowance for every absence.
* **JP held** (the denominator) = the JP of the sessions whose attendance has been taken, so
  the figure is "so far" while the classes run; before any is taken, all the batch's
  sessions (or, without sessions, the program's total JP).
* An **imported** figure (CSV: NIP, JP) replaces the sessions: attended = the imported JP,
  denominator = the JP of all sessions (or the program's total JP).
* A participant has enough attendance when ``attended × 100 ≥ minimum × held``
  (integer arithmetic; the percentage shown is rounded down, so "89%" never hides a pass),
  and — unless the figure was imported — every session of the batch has its attendance
  taken (otherwise the gate names the sessions still missing).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import AttendanceStatus
from .models import Attendance, Session


@dataclass(frozen=True)
class Figures:
    attended_jp: int
    scheduled_jp: int
    minimum_percent: int
    imported: bool = False
    unrecorded_sessions: int = 0
    unrecorded_jp: int = 0

    @property
    def percent(self) -> int:
        if not self.scheduled_jp:
            return 0
        return self.attended_jp * 100 // self.scheduled_jp

    @property
    def sufficient(self) -> bool:
        return self.attended_jp * 100 >= self.minimum_percent * self.scheduled_jp

    def refusal(self) -> str | None:
        messages = []
        if not self.sufficient:
            messages.append(
                _(
                    "Attendance %(percent)d%% (%(attended)d of %(scheduled)d JP); the minimum is "
                    "%(minimum)d%%."
                )
                % {
                    "percent": self.percent,
                    "attended": self.attended_jp,
                    "scheduled": self.scheduled_jp,
                    "minimum": self.minimum_percent,
                }
            )
        if self.unrecorded_sessions and not self.imported:
            messages.append(
                ngettext(
                    "Attendance is not taken yet for %(n)d session (%(jp)d JP).",
                    "Attendance is not taken yet for %(n)d sessions (%(jp)d JP).",
                    self.unrecorded_sessions,
                )
                % {"n": self.unrecorded_sessions, "jp": self.unrecorded_jp}
            )
        return " ".join(messages) or None


@dataclass
class BatchJp:
    all_jp: int = 0
    recorded_jp: int = 0
    unrecorded: int = 0


def batch_jp(batch_ids) -> dict[int, BatchJp]:
    """batch id → JP of all its sessions, of those with attendance taken, and how many have
    none; one query."""
    recorded = Exists(Attendance.objects.filter(session=OuterRef("pk")))
    result: dict[int, BatchJp] = {}
    rows = (
        Session.objects.filter(batch_id__in=set(batch_ids))
        .annotate(recorded=recorded)
        .values_list("batch_id", "jp", "recorded")
    )
    for batch_id, jp, is_recorded in rows:
        entry = result.setdefault(batch_id, BatchJp())
        entry.all_jp += jp
        if is_recorded:
            entry.recorded_jp += jp
        else:
            entry.unrecorded += 1
    return result


def figures_for(enrollments) -> dict[int, Figures]:
    """enrolment id → ``Figures``, in two queries whatever the number of enrolments.
    Each enrolment must come with ``batch.program`` loaded (``select_related``)."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    jp = batch_jp(e.batch_id for e in enrollments)
    present = dict(
        Attendance.objects.filter(
            enrollment_id__in=[e.pk for e in enrollments], status=AttendanceStatus.PRESENT
        )
        .values("enrollment_id")
        .annotate(jp=Sum("session__jp"))
        .order_by()
        .values_list("enrollment_id", "jp")
    )
    figures = {}
    for e in enrollments:
        program = e.batch.program
        sessions = jp.get(e.batch_id, BatchJp())
        imported = e.jp_attended_imported is not None
        if imported:
            held = sessions.all_jp or program.total_jp
        else:
            held = sessions.recorded_jp or sessions.all_jp or program.total_jp
        figures[e.pk] = Figures(
            attended_jp=e.jp_attended_imported if imported else (present.get(e.pk) or 0),
            scheduled_jp=held,
            minimum_percent=program.min_attendance_percent,
            imported=imported,
            unrecorded_sessions=sessions.unrecorded,
            unrecorded_jp=sessions.all_jp - sessions.recorded_jp,
        )
    return figures


def figures_of(enrollment) -> Figures:
    return figures_for([enrollment])[enrollment.pk]
