"""Needs analysis (AKP): groups of problems that programs answer.

A run is never overwritten: a rerun is a new ``NeedsAnalysis`` with its own date. Writes go
through ``services.py`` (run, rename, merge, move, accept); the figures of the needs table
(problems, units affected, USG totals) are computed by ``queries.py``, never stored.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class NeedsAnalysis(models.Model):
    """One run of the training-needs analysis (AKP) over a scope. Runs are never overwritten:
    a rerun is a new row with its own date.

    ``status`` is ``running`` from the moment the run is started until the clustering task
    has saved the needs (``done``) or given up (``failed``, with ``message``)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey(
        "organizations.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="needs_analyses",
    )
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    scope = models.JSONField(
        _("scope"), default=dict, help_text=_("agencies, units, sectors and period analysed")
    )
    problem_count = models.PositiveIntegerField(_("problems analysed"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True, default="")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("needs analysis")
        verbose_name_plural = _("needs analyses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "-created_at"], name="needsanalysis_inst_created")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("needs:analysis_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.RUNNING

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else min(99, self.progress)


class Need(models.Model):
    """A group of problems that a program can answer. An accepted need is what programs are
    created from; while a program or module uses it, it cannot be un-accepted."""

    analysis = models.ForeignKey(NeedsAnalysis, on_delete=models.CASCADE, related_name="needs")
    label = models.CharField(_("label"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    problems = models.ManyToManyField(
        "problems.Problem",
        verbose_name=_("problems"),
        related_name="needs",
        blank=True,
        through="NeedProblem",
    )
    accepted = models.BooleanField(_("accepted"), default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["analysis", "position", "id"]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("needs:need_detail", args=[self.pk])


class NeedProblem(models.Model):
    """A problem's place in one need. ``analysis`` repeats ``need.analysis`` so the database
    can hold the rule that a problem belongs to at most one need of an analysis (the figures
    of the needs table add up to the problems analysed). Write it through the services, or
    with ``need.problems.add(p, through_defaults={"analysis_id": need.analysis_id})``."""

    analysis = models.ForeignKey(NeedsAnalysis, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="memberships")
    problem = models.ForeignKey(
        "problems.Problem", on_delete=models.CASCADE, related_name="need_memberships"
    )

    class Meta:
        verbose_name = _("problem of a need")
        verbose_name_plural = _("problems of needs")
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "problem"], name="need_problem_once_per_analysis"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ∋ {self.problem_id}"
