from django.db import models
from django.utils.translation import gettext_lazy as _


class RespondentRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant (self-rating)")
    MENTOR = "mentor", _("Mentor")


class PlanStatus(models.TextChoices):
    """What became of the action plan, as the respondent sees it at the follow-up."""

    CONTINUING = "continuing", _("Continuing")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class FollowUpStatus(models.TextChoices):
    """Derived from the dates and the answer (never stored): a follow-up is created on its
    due date, so it is ``open`` until it is answered or its window ends (``closed``)."""

    UPCOMING = "upcoming", _("Not open yet")
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed without an answer")
