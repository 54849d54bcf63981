"""Needs analysis (AKP): groups of problems that programs answer. A run is never overwritten:
a rerun is a new ``NeedsAnalysis`` with its own date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedsAnalysis(models.Model):
    """One run of the training-needs analysis (AKP) over a scope. Runs are never overwritten:
    a rerun is a new row with its own date."""

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

    class Meta:
        verbose_name = _("needs analysis")
        verbose_name_plural = _("needs analyses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    """A group of problems that a program can answer."""

    analysis = models.ForeignKey(NeedsAnalysis, on_delete=models.CASCADE, related_name="needs")
    label = models.CharField(_("label"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    problems = models.ManyToManyField(
        "problems.Problem", verbose_name=_("problems"), related_name="needs", blank=True
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
