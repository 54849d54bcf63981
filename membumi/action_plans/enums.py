from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")
    ABANDONED = "abandoned", _("Abandoned")


class PlanAction(models.TextChoices):
    SUBMIT = "submit", _("submit")
    APPROVE = "approve", _("approve")
    REQUEST_REVISION = "request_revision", _("request a revision of")
    START = "start", _("start")
    COMPLETE = "complete", _("complete")
    VERIFY = "verify", _("verify")
    REJECT = "reject", _("send back to in progress")
    ABANDON = "abandon", _("abandon")


class ReviewerRole(models.TextChoices):
    COACH = "coach", _("Coach")
    MENTOR = "mentor", _("Mentor")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")


class Term(models.TextChoices):
    SHORT = "short", _("Short term (during the training)")
    MID = "mid", _("Mid term (up to 3 months)")
    LONG = "long", _("Long term (up to 12 months)")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped (explained)")


class StakeholderKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class BerAkhlak(models.TextChoices):
    """The ASN core values (Latsar CPNS maps each activity to one or more)."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan", _("Service-oriented")
    AKUNTABEL = "akuntabel", _("Accountable")
    KOMPETEN = "kompeten", _("Competent")
    HARMONIS = "harmonis", _("Harmonious")
    LOYAL = "loyal", _("Loyal")
    ADAPTIF = "adaptif", _("Adaptive")
    KOLABORATIF = "kolaboratif", _("Collaborative")
