"""Attendance figures: JP attended, JP scheduled and the percentage, per enrolment.

Computed for many enrolments at once in a constant number of queries (``figures_for``), so
the batch pages, My training and the pass gate read the same numbers.

* **Scheduled JP** of a batch = the JP of its sessions; a batch without sessions falls back
  to the program's total JP (then only an imported figure can count).
* **Attended JP** of an enrolment = the JP imported from a CSV when one was imported (it
  replaces the sessions), otherwise the JP of the sessions marked *present*. *Excused* is
  recorded but earns no JP: the minimum percentage is the allowance for every absence.
* A participant has enough attendance when ``attended × 100 ≥ minimum × scheduled``
  (integer arithmetic; the percentage shown is rounded down, so "89%" never hides a pass).
"""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .enums import AttendanceStatus
from .models import Attendance, Session


@dataclass(frozen=True)
class Figures:
    attended_jp: int
    scheduled_jp: int
    minimum_percent: int
    imported: bool = False

    @property
    def percent(self) -> int:
        if not self.scheduled_jp:
            return 0
        return self.attended_jp * 100 // self.scheduled_jp

    @property
    def sufficient(self) -> bool:
        return self.attended_jp * 100 >= self.minimum_percent * self.scheduled_jp

    def refusal(self) -> str | None:
        if self.sufficient:
            return None
        return _(
            "Attendance %(percent)d%% (%(attended)d of %(scheduled)d JP); the minimum is "
            "%(minimum)d%%."
        ) % {
            "percent": self.percent,
            "attended": self.attended_jp,
            "scheduled": self.scheduled_jp,
            "minimum": self.minimum_percent,
        }


def scheduled_jp_by_batch(batch_ids) -> dict[int, tuple[int, int]]:
    """batch id → (JP of its sessions, number of sessions), one query."""
    rows = (
        Session.objects.filter(batch_id__in=set(batch_ids))
        .values("batch_id")
        .annotate(jp=Sum("jp"), n=Count("pk"))
        .order_by()
    )
    return {row["batch_id"]: (row["jp"] or 0, row["n"]) for row in rows}


def figures_for(enrollments) -> dict[int, Figures]:
    """enrolment id → ``Figures``, in two queries whatever the number of enrolments.
    Each enrolment must come with ``batch.program`` loaded (``select_related``)."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    scheduled = scheduled_jp_by_batch(e.batch_id for e in enrollments)
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
        sessions_jp = scheduled.get(e.batch_id, (0, 0))[0]
        imported = e.jp_attended_imported is not None
        figures[e.pk] = Figures(
            attended_jp=e.jp_attended_imported if imported else (present.get(e.pk) or 0),
            scheduled_jp=sessions_jp or program.total_jp,
            minimum_percent=program.min_attendance_percent,
            imported=imported,
        )
    return figures


def figures_of(enrollment) -> Figures:
    return figures_for([enrollment])[enrollment.pk]
