"""Follow-up after training (evaluasi pasca pelatihan, EPP): Kirkpatrick level 3.

* ``FollowUpPolicy`` — per program: offsets in months after the batch ends (3, 6, 12 by
  default), how long a form stays open, and the behaviour-change items rated 1–5. Without a
  row the defaults in ``rules`` apply.
* ``FollowUp`` — one form per enrolment × offset × respondent role (the participant rates
  themselves, the mentor rates the participant), created on its due date by
  ``reminders.followup_schedule_pass``. Its items are a copy of the policy's at creation, so
  a later change of the policy never changes what a form asked. It has no stored state
  (``rules.follow_up_status``: upcoming, open, answered, closed); the answer is written once,
  only by ``services.followup_respond``.
* ``FollowUpRating`` — one row per item of an answered form, so the roll-up averages in the
  database.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules
from .enums import PlanStatus, RespondentRole


class FollowUpPolicy(models.Model):
    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="follow_up_policy"
    )
    # Months after the batch's end date, ascending, e.g. [3, 6, 12].
    offsets = models.JSONField(_("months after the batch ends"), default=list)
    window_days = models.PositiveSmallIntegerField(
        _("days a form stays open"), default=rules.DEFAULT_WINDOW_DAYS
    )
    # [{"code": "applies", "text": "Applies what was learned …"}, …]
    items = models.JSONField(_("behaviour-change items"), default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")

    def __str__(self) -> str:
        return f"{self.program}: {self.offsets}"


class FollowUp(models.Model):
    enrollment = models.ForeignKey(
        "programs.Enrollment", on_delete=models.PROTECT, related_name="follow_ups"
    )
    # Copied from the enrolment for tenancy (DESIGN §8) and the roll-up's filters.
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    batch = models.ForeignKey(
        "programs.Batch", on_delete=models.PROTECT, related_name="follow_ups", editable=False
    )
    plan = models.ForeignKey(
        "action_plans.ActionPlan",
        null=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        editable=False,
    )
    offset_months = models.PositiveSmallIntegerField(_("months after the batch"))
    role = models.CharField(_("respondent"), max_length=12, choices=RespondentRole.choices)
    due_date = models.DateField(_("opens on"))
    open_until = models.DateField(_("open until"))
    items = models.JSONField(default=list, editable=False)
    plan_status = models.CharField(
        _("the action plan is"), max_length=12, choices=PlanStatus.choices, blank=True, default=""
    )
    stop_reason = models.TextField(_("why it stopped"), blank=True, default="")
    comment = models.TextField(_("comment"), blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "offset_months", "role"], name="follow_up_once"
            ),
            models.CheckConstraint(
                condition=models.Q(open_until__gte=models.F("due_date")),
                name="follow_up_window_after_due",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, plan_status="")
                | (models.Q(answered_at__isnull=False) & ~models.Q(plan_status="")),
                name="follow_up_answer_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(plan_status=PlanStatus.STOPPED) | ~models.Q(stop_reason=""),
                name="follow_up_stop_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date", "open_until"], name="follow_up_window"),
            models.Index(fields=["batch", "offset_months", "role"], name="follow_up_rollup"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} +{self.offset_months}m {self.role}"


class FollowUpRating(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="ratings")
    item = models.CharField(max_length=30)
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["follow_up", "id"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "item"], name="follow_up_rating_once"),
            models.CheckConstraint(
                condition=models.Q(value__gte=rules.RATING_MIN, value__lte=rules.RATING_MAX),
                name="follow_up_rating_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.item}={self.value}"
