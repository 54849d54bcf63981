"""The problem bank: real work-unit problems with an indicator, a baseline and a USG score.

``Problem.state`` follows the lifecycle in ``rules.PROBLEM_TRANSITIONS`` and is changed only by
``services.problem_transition`` (DESIGN §4), which also writes a ``ProblemTransition`` row.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import USG_CHOICES, Direction, ProblemState, Sector

USG_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Problem(models.Model):
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    work_unit = models.ForeignKey(
        "organizations.WorkUnit",
        verbose_name=_("work unit"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_problems",
    )
    title = models.CharField(_("title"), max_length=200)
    statement = models.TextField(
        _("problem statement"),
        help_text=_("What happens, to whom, how often, and since when. Facts, not solutions."),
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    public_service = models.CharField(
        _("public service affected"), max_length=200, blank=True, default=""
    )
    indicator_name = models.CharField(_("indicator"), max_length=200)
    indicator_unit = models.CharField(
        _("indicator unit"), max_length=50, help_text=_("e.g. %, days, people, documents")
    )
    indicator_direction = models.CharField(
        _("desired direction"), max_length=10, choices=Direction.choices
    )
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"))
    data_source = models.CharField(_("data source"), max_length=200, blank=True, default="")
    root_causes = models.JSONField(
        _("root-cause notes"), default=dict, blank=True, help_text=_("Fishbone categories")
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=USG_CHOICES, validators=USG_VALIDATORS
    )
    seriousness = models.PositiveSmallIntegerField(
        _("seriousness"), choices=USG_CHOICES, validators=USG_VALIDATORS
    )
    growth = models.PositiveSmallIntegerField(
        _("growth"), choices=USG_CHOICES, validators=USG_VALIDATORS
    )
    priority = models.GeneratedField(
        verbose_name=_("USG priority"),
        expression=models.F("urgency") + models.F("seriousness") + models.F("growth"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ProblemState.choices,
        default=ProblemState.OPEN,
        editable=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        editable=False,
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    validated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["work_unit", "state"]),
            models.Index(fields=["sector", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    urgency__range=(1, 5), seriousness__range=(1, 5), growth__range=(1, 5)
                ),
                name="problem_usg_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ProblemState.DUPLICATE)
                | models.Q(duplicate_of__isnull=False),
                name="problem_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("id")),
                name="problem_not_duplicate_of_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text_for_analysis(self) -> str:
        return f"{self.title}. {self.statement}"


class ProblemTransition(models.Model):
    """One row per state change: who, when, from → to, note."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=12, choices=ProblemState.choices)
    to_state = models.CharField(max_length=12, choices=ProblemState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_state} → {self.to_state}"


class ProblemEndorsement(models.Model):
    """Another unit (or person) saying "we have this problem too", instead of a duplicate."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="endorsements")
    work_unit = models.ForeignKey(
        "organizations.WorkUnit", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "user"], name="endorsement_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.problem_id}"
