"""Action plans (rencana aksi): the participant's measurable commitment for their own unit.

``ActionPlan.state`` follows ``rules.PLAN_TRANSITIONS`` (DESIGN §4) and changes only in
``services.action_plan_transition``, which checks the step and who may take it, writes a
``PlanTransition`` row and an audit entry, and sends the e-mails.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from membumi.problems.enums import Direction

from .enums import (
    Decision,
    MilestoneStatus,
    PlanState,
    ReviewerRole,
    StakeholderKind,
    Term,
)


class ReviewPolicy(models.Model):
    """Which approvals a program's plans need. Without a row both are required."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="review_policy"
    )
    require_coach = models.BooleanField(_("coach approval required"), default=True)
    require_mentor = models.BooleanField(_("mentor approval required"), default=True)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(require_coach=True) | models.Q(require_mentor=True),
                name="review_policy_requires_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: coach={self.require_coach} mentor={self.require_mentor}"

    def required_roles(self) -> set[str]:
        return {
            role
            for role, required in (
                (ReviewerRole.COACH, self.require_coach),
                (ReviewerRole.MENTOR, self.require_mentor),
            )
            if required
        }


class ActionPlan(models.Model):
    """One active plan per enrolment (an abandoned plan stays as data and frees the slot).
    ``state`` changes only in ``services.action_plan_transition``."""

    enrollment = models.ForeignKey(
        "programs.Enrollment", on_delete=models.PROTECT, related_name="action_plans"
    )
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+", editable=False
    )
    problem = models.ForeignKey(
        "problems.Problem",
        verbose_name=_("problem addressed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), blank=True, default="")
    root_cause = models.TextField(_("root-cause summary"), blank=True, default="")
    indicator_name = models.CharField(_("indicator"), max_length=200, blank=True, default="")
    indicator_unit = models.CharField(_("unit"), max_length=50, blank=True, default="")
    indicator_direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True, default="")
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PlanState.choices,
        default=PlanState.DRAFT,
        editable=False,
    )
    # Each submission opens a review round; approvals of earlier rounds no longer count.
    review_round = models.PositiveIntegerField(default=0, editable=False)
    # A participant's request to abandon waits for the mentor's acknowledgement.
    abandon_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    abandon_reason = models.TextField(blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=~models.Q(state=PlanState.ABANDONED),
                name="action_plan_one_active_per_enrollment",
            ),
        ]
        indexes = [models.Index(fields=["agency", "state"])]

    def __str__(self) -> str:
        return self.title


class Stakeholder(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="stakeholders")
    kind = models.CharField(_("kind"), max_length=10, choices=StakeholderKind.choices)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True, default="")
    support_needed = models.TextField(_("support needed"), blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="milestones")
    term = models.CharField(_("term"), max_length=5, choices=Term.choices)
    output = models.TextField(_("output"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (Rp)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    responsible = models.CharField(_("responsible"), max_length=200, blank=True, default="")
    # BerAKHLAK values (``enums.BerAkhlak``) the activity shows; required for Latsar programs.
    values = models.JSONField(_("BerAKHLAK values"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    status_note = models.TextField(_("status note"), blank=True, default="")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.output[:60]


class PlanTransition(models.Model):
    """History of a plan: every step taken (who, when, from → to, note). A partial approval
    or an abandonment request keeps the state and is recorded too."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, choices=PlanState.choices)
    to_state = models.CharField(max_length=20, choices=PlanState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_state} → {self.to_state}"


class PlanApproval(models.Model):
    """A reviewer's decision in one review round (``ActionPlan.review_round``)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="approvals")
    review_round = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=ReviewerRole.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "review_round", "role"], name="plan_approval_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} r{self.review_round} {self.role}: {self.decision}"


# --- Peer clinic --------------------------------------------------------------------------------


class PeerFeedback(models.Model):
    """Structured feedback from a batch-mate on a submitted plan (the peer clinic), and the
    plan author's answer. Written only by ``services.peer_feedback_give`` and
    ``services.peer_feedback_answer``; who may do either is in ``rules`` (peer clinic)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="peer_feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The plan's review round when the feedback was given (which version it is about).
    review_round = models.PositiveIntegerField()
    strengths = models.TextField(_("strengths"), blank=True, default="")
    to_fix = models.TextField(_("what to fix"), blank=True, default="")
    questions = models.TextField(_("questions"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("peer feedback")
        verbose_name_plural = _("peer feedback")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["plan", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(strengths="") & models.Q(to_fix="") & models.Q(questions="")),
                name="peer_feedback_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} r{self.review_round} by {self.author_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
