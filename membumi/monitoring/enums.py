from django.db import models
from django.utils.translation import gettext_lazy as _


class UpdateState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class UpdateAction(models.TextChoices):
    ACCEPT = "accept", _("accept")
    REJECT = "reject", _("reject")


class ProgressStatus(models.TextChoices):
    """A milestone's status as reported in a progress update. ``blocked`` lives only here:
    the plan's ``Milestone.status`` keeps *in progress* while a milestone is blocked."""

    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    DROPPED = "dropped", _("Dropped")


class MeasurementState(models.TextChoices):
    """A measurement follows its update's decision; only accepted ones count."""

    SUBMITTED = "submitted", _("Awaiting verification")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
