"""Programs answer needs; modules name the problems or needs they address; a batch (angkatan)
is one run of a program; an enrolment puts a participant in a batch with a mentor and a coach.

``Program.state``, ``Batch.state`` and ``Enrollment.state`` change only through the transition
functions in ``services.py`` (``program_transition``, ``batch_transition``,
``enrollment_transition``), which check the tables in ``rules.py`` (allowed steps and who may
take them), write a ``StateChange`` row and an audit entry.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import (
    AttendanceStatus,
    BatchState,
    DeliveryMode,
    EnrollmentState,
    MoveReason,
    ProgramState,
    ProgramType,
    ProposalState,
)

DEFAULT_MIN_ATTENDANCE_PERCENT = 90


class Program(models.Model):
    """A training program answering one or more accepted needs. ``state`` follows
    ``rules.PROGRAM_TRANSITIONS`` and changes only in ``services.program_transition``."""

    institution = models.ForeignKey(
        "organizations.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="programs",
    )
    name = models.CharField(_("name"), max_length=200)
    program_type = models.CharField(_("type"), max_length=20, choices=ProgramType.choices)
    total_jp = models.PositiveIntegerField(_("total JP"), validators=[MinValueValidator(1)])
    mode = models.CharField(_("mode"), max_length=20, choices=DeliveryMode.choices)
    competencies = models.TextField(_("competencies"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=DEFAULT_MIN_ATTENDANCE_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "A participant passes only with at least this share of the batch's JP attended "
            "(excused absences do not count as attended)."
        ),
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=_("needs answered"), related_name="programs", blank=True
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ProgramState.choices,
        default=ProgramState.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_jp__gte=1), name="program_total_jp_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_attendance_percent__gte=1, min_attendance_percent__lte=100),
                name="program_min_attendance_1_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A mata pelatihan. It addresses needs of its program or problems of those needs; a program
    with a module that addresses neither cannot be published."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    jp = models.PositiveIntegerField(_("JP"), validators=[MinValueValidator(1)])
    objectives = models.TextField(_("learning objectives"))
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=_("needs addressed"), related_name="modules", blank=True
    )
    problems = models.ManyToManyField(
        "problems.Problem", verbose_name=_("problems addressed"), related_name="modules", blank=True
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["program", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(jp__gte=1), name="module_jp_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Batch(models.Model):
    """An angkatan: one run of a published program. ``state`` follows
    ``rules.BATCH_TRANSITIONS`` and changes only in ``services.batch_transition``."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="batches")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. Angkatan I 2026"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    mode = models.CharField(_("mode"), max_length=20, choices=DeliveryMode.choices)
    location = models.CharField(_("location"), max_length=200, blank=True, default="")
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers"),
        related_name="batches_taught",
        blank=True,
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=BatchState.choices,
        default=BatchState.PLANNED,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="batch_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["program", "name"], name="batch_name_unique_per_program"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="batch_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} – {self.name}"


class Enrollment(models.Model):
    """A participant in a batch with a mentor (an employee, by default the direct supervisor)
    and a coach (a trainer of the batch). ``state`` follows ``rules.ENROLLMENT_TRANSITIONS`` and
    changes only in ``services.enrollment_transition``."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="enrollments")
    employee = models.ForeignKey(
        "organizations.Employee",
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    mentor = models.ForeignKey(
        "organizations.Employee",
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentored_enrollments",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coached_enrollments",
    )
    problem = models.ForeignKey(
        "problems.Problem",
        verbose_name=_("problem brought"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=EnrollmentState.choices,
        default=EnrollmentState.ENROLLED,
        editable=False,
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # JP attended as imported from a CSV (an LMS or a paper register); when set it replaces
    # the sum of the sessions marked present.
    jp_attended_imported = models.PositiveIntegerField(
        _("JP attended (imported)"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["batch", "employee__name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "employee"], name="enrollment_once_per_batch"),
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("employee")),
                name="enrollment_mentor_not_participant",
            ),
        ]
        indexes = [models.Index(fields=["agency", "state"])]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.batch}"


class StateChange(models.Model):
    """History of program, batch and enrolment transitions (who, when, from → to, note)."""

    object_type = models.CharField(max_length=20)  # program | batch | enrollment
    object_id = models.PositiveBigIntegerField()
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.from_state} → {self.to_state}"


class Session(models.Model):
    """One scheduled session of a batch (a day's lesson block): date, title, JP, optionally
    the module it teaches. Attendance is recorded per session and enrolment."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    jp = models.PositiveIntegerField(
        _("JP"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    module = models.ForeignKey(
        Module,
        verbose_name=_("module"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["batch", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(jp__gte=1), name="session_jp_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    """Whether a participant attended a session: present, absent or excused (excused is
    recorded but, like absent, earns no JP)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="attendance_once_per_session"
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "status"])]

    def __str__(self) -> str:
        return f"{self.enrollment_id}@{self.session_id}: {self.status}"


class MentorChangeProposal(models.Model):
    """An employee import showed that a participant or a mentor of an open enrolment moved
    (other unit or supervisor) or left. The organizer confirms (the mentor changes, or, when
    the participant left, their open work is closed) or rejects it. At most one pending
    proposal per enrolment: a later change updates it."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="mentor_proposals"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=MoveReason.choices)
    detail = models.TextField(_("what changed"), blank=True, default="")
    current_mentor = models.ForeignKey(
        "organizations.Employee",
        verbose_name=_("current mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_mentor = models.ForeignKey(
        "organizations.Employee",
        verbose_name=_("proposed mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor change proposal")
        verbose_name_plural = _("mentor change proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=models.Q(state="pending"),
                name="mentor_proposal_one_pending_per_enrollment",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.reason} ({self.state})"


class MentorChange(models.Model):
    """History of an enrolment's mentor: who changed it, when, from whom to whom, and why
    (an organizer's edit or a confirmed people-move proposal)."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="mentor_changes"
    )
    from_mentor = models.ForeignKey(
        "organizations.Employee", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_mentor = models.ForeignKey(
        "organizations.Employee", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal = models.ForeignKey(
        MentorChangeProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_mentor_id} → {self.to_mentor_id}"
