"""Monitoring after class: progress updates with measurements and evidence, the mentor's
decision on each update, and the record of a verified implementation.

``ProgressUpdate.state`` (submitted → accepted | rejected, DESIGN §4) changes only in
``services.progress_update_decide``, which writes an ``UpdateDecision`` history row. A
``Measurement`` follows its update's decision (only accepted measurements count for
achievement, DESIGN §5). ``agency`` is copied from the plan onto every tenant table.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import MeasurementState, ProgressStatus, UpdateState


def evidence_upload_to(instance, filename) -> str:
    """An unguessable storage name; the original name is kept in ``original_name`` only."""
    return f"evidence/{uuid.uuid4().hex}"


class ProgressUpdate(models.Model):
    plan = models.ForeignKey(
        "action_plans.ActionPlan", on_delete=models.CASCADE, related_name="progress_updates"
    )
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    narrative = models.TextField(_("what was done"))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=UpdateState.choices,
        default=UpdateState.SUBMITTED,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["plan", "created_at"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["agency", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} @ {self.created_at:%Y-%m-%d}: {self.get_state_display()}"


class UpdateDecision(models.Model):
    """History of an update's lifecycle (who decided, when, from → to, note, by which
    channel: the web app, the API or the signed e-mail link)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10)
    from_state = models.CharField(max_length=12, choices=UpdateState.choices)
    to_state = models.CharField(max_length=12, choices=UpdateState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    channel = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.update_id}: {self.from_state} → {self.to_state}"


class MilestoneProgress(models.Model):
    """A milestone's status as reported in one update (``blocked`` is recorded only here; the
    plan's milestone keeps *in progress* with the reason as its note)."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="milestone_changes"
    )
    milestone = models.ForeignKey(
        "action_plans.Milestone", on_delete=models.CASCADE, related_name="progress"
    )
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    note = models.TextField(_("reason"), blank=True, default="")
    previous_status = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        verbose_name = _("milestone status change")
        verbose_name_plural = _("milestone status changes")
        ordering = ["update", "milestone__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "milestone"], name="milestone_progress_once_per_update"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.status}"


class Measurement(models.Model):
    plan = models.ForeignKey(
        "action_plans.ActionPlan", on_delete=models.CASCADE, related_name="measurements"
    )
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="measurements"
    )
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    value = models.DecimalField(_("measured value"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("measured on"))
    source = models.CharField(_("data source"), max_length=200, blank=True, default="")
    state = models.CharField(
        max_length=12,
        choices=MeasurementState.choices,
        default=MeasurementState.SUBMITTED,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["plan", "state", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.value} on {self.measured_on}"


class Evidence(models.Model):
    """A file (stored under an unguessable name through Django's storage, served only by a
    view that checks scope) or a link."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True, default="")
    original_name = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["update", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(file="") & models.Q(url=""))
                | (models.Q(file="") & ~models.Q(url="")),
                name="evidence_file_or_url",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.url

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class PlanVerification(models.Model):
    """The mentor's verification of an implemented plan: what certificates are issued for.
    One per plan (a verified plan is final)."""

    plan = models.OneToOneField(
        "action_plans.ActionPlan", on_delete=models.PROTECT, related_name="verification"
    )
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now_add=True)
    final_measurement = models.ForeignKey(
        Measurement, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # (final − baseline) / (target − baseline) per direction, clipped to [0, 1.5].
    achievement = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    note = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("plan verification")
        verbose_name_plural = _("plan verifications")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.achievement}"


class VerificationLink(models.Model):
    """A signed one-click link e-mailed to the mentor for one update. The token carries this
    row's id; the row makes the link single-use (``used_at``) and binds it to the mentor."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="links")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link {self.pk} for update {self.update_id}"
