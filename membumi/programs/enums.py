from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramType(models.TextChoices):
    LATSAR = "latsar", _("Latsar CPNS")
    PKN_II = "pkn_ii", _("PKN Level II")
    PKA = "pka", _("PKA (administrator leadership)")
    PKP = "pkp", _("PKP (supervisor leadership)")
    TEKNIS = "teknis", _("Technical")
    FUNGSIONAL = "fungsional", _("Functional")
    SOSIAL_KULTURAL = "sosial_kultural", _("Socio-cultural")
    LAINNYA = "lainnya", _("Other")


class DeliveryMode(models.TextChoices):
    KLASIKAL = "klasikal", _("Classroom")
    E_LEARNING = "e_learning", _("E-learning")
    BLENDED = "blended", _("Blended")


class ProgramState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class BatchState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ENROLLING = "enrolling", _("Enrolling")
    RUNNING = "running", _("Running")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class EnrollmentState(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ACTIVE = "active", _("Active")
    PASSED = "passed", _("Passed")
    NOT_PASSED = "not_passed", _("Not passed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProgramAction(models.TextChoices):
    PUBLISH = "publish", _("publish")
    ARCHIVE = "archive", _("archive")


class BatchAction(models.TextChoices):
    OPEN_ENROLMENT = "open_enrolment", _("open enrolment")
    START = "start", _("start")
    END = "end", _("end the classes and begin follow-up")
    CLOSE = "close", _("close")


class EnrollmentAction(models.TextChoices):
    ACTIVATE = "activate", _("activate")
    PASS = "pass", _("pass")
    FAIL = "fail", _("mark as not passed")
    WITHDRAW = "withdraw", _("withdraw")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class MoveReason(models.TextChoices):
    PARTICIPANT_MOVED = "participant_moved", _("The participant moved")
    PARTICIPANT_LEFT = "participant_left", _("The participant left")
    MENTOR_MOVED = "mentor_moved", _("The mentor moved")
    MENTOR_LEFT = "mentor_left", _("The mentor left")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
