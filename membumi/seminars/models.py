"""The optional plan seminar (DESIGN §1, examiner): per program a rubric (``SeminarConfig``
with its ``Criterion`` rows), per batch seminar sessions (``SeminarSession``) at which the
assigned examiners score each examined plan (``Score`` with one ``ScoreItem`` per criterion),
and, when the organizer finalises a session, one ``SeminarResult`` per plan: the frozen
average, the pass mark, the outcome and the berita acara's document number.

``SeminarSession.state`` follows ``rules.SESSION_TRANSITIONS`` (open → finalised) and changes
only in ``services.seminar_session_transition``, which writes a ``SessionTransition`` row and
an audit entry. Scores and the rubric change only through ``services.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import SessionKind, SessionState

# Every criterion is scored in whole numbers from 1 to its ``max_score``; a weighted total is
# always on a 0–100 scale, whatever the criteria's maxima (see ``scoring.weighted_total``).
MIN_SCORE = 1
MAX_SCORE_LIMIT = 100
DEFAULT_MAX_SCORE = 100
DEFAULT_PASS_MARK = 70


class SeminarConfig(models.Model):
    """Whether a program holds seminars, its rubric (``criteria``) and the pass mark (0–100).
    Locked once any score exists for a session of the program's batches."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="seminar_config"
    )
    enabled = models.BooleanField(_("the program holds plan seminars"), default=False)
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=5, decimal_places=2, default=DEFAULT_PASS_MARK
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seminar configuration")
        verbose_name_plural = _("seminar configurations")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100),
                name="seminar_pass_mark_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {'on' if self.enabled else 'off'}"


class Criterion(models.Model):
    config = models.ForeignKey(SeminarConfig, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=DEFAULT_MAX_SCORE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["config", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_1_100"
            ),
            models.CheckConstraint(
                condition=Q(max_score__gte=2, max_score__lte=MAX_SCORE_LIMIT),
                name="criterion_max_score_2_100",
            ),
            models.UniqueConstraint(fields=["config", "name"], name="criterion_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SeminarSession(models.Model):
    """One seminar of a batch: when, where, which kind, who examines. ``state`` changes only in
    ``services.seminar_session_transition``."""

    batch = models.ForeignKey(
        "programs.Batch", on_delete=models.PROTECT, related_name="seminar_sessions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    examiners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examiners"),
        related_name="seminar_sessions_examined",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SessionState.choices,
        default=SessionState.OPEN,
        editable=False,
    )
    finalised_at = models.DateTimeField(null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seminar session")
        verbose_name_plural = _("seminar sessions")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["batch", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.batch}"


class SessionTransition(models.Model):
    """History of a session's lifecycle (who, when, from → to, note)."""

    session = models.ForeignKey(
        SeminarSession, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"session#{self.session_id}: {self.from_state} → {self.to_state}"


class Score(models.Model):
    """One examiner's scores for one plan at one session. ``total`` is the weighted total
    (0–100), written by ``services.score_save`` with the items."""

    session = models.ForeignKey(SeminarSession, on_delete=models.CASCADE, related_name="scores")
    plan = models.ForeignKey(
        "action_plans.ActionPlan", on_delete=models.PROTECT, related_name="seminar_scores"
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seminar_scores"
    )
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2)
    note = models.TextField(_("overall note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seminar score")
        verbose_name_plural = _("seminar scores")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "plan", "examiner"], name="score_once_per_examiner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.examiner} → {self.plan}: {self.total}"


class ScoreItem(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        ordering = ["score", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["score", "criterion"], name="score_item_once"),
            models.CheckConstraint(condition=Q(value__gte=MIN_SCORE), name="score_item_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class SeminarResult(models.Model):
    """The outcome of a plan at a finalised session, frozen at finalisation: the average of
    the examiners' totals, the pass mark then in force, passed or not, and the berita acara's
    document number."""

    session = models.ForeignKey(SeminarSession, on_delete=models.CASCADE, related_name="results")
    plan = models.ForeignKey(
        "action_plans.ActionPlan", on_delete=models.PROTECT, related_name="seminar_results"
    )
    average = models.DecimalField(_("average"), max_digits=5, decimal_places=2)
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("meets the pass mark"))
    number = models.CharField(_("document number"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seminar result")
        verbose_name_plural = _("seminar results")
        constraints = [
            models.UniqueConstraint(fields=["session", "plan"], name="seminar_result_once"),
        ]

    def __str__(self) -> str:
        return self.number
