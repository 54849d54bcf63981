"""The in-app notification centre. Every message Membumi sends a person (a review request, a
decision, a reminder) is a ``Notification`` row; the e-mail, when there is one, is a copy.

``key`` makes a notification idempotent: a job that runs twice (a reminder pass re-run after a
crash) finds the key taken and sends nothing again. Rows are never deleted by the app.

The table is also the e-mail **outbox**: ``email_state`` is ``pending`` while a copy is owed,
and ``services.notification_outbox_send`` claims pending rows (a lease: ``email_lease`` +
``email_lease_until``), sends them and marks each ``sent`` (or ``skipped`` without an address,
``failed`` after ``EMAIL_MAX_ATTEMPTS`` errors). Delivery is at-least-once (see the README).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailState(models.TextChoices):
    NONE = "none", _("no e-mail")
    PENDING = "pending", _("to send")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("no address")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A stable code for what it is about, e.g. ``plan_submitted``, ``milestone_due_7``.
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True, default="")
    # Site-relative link to what the notification is about.
    url = models.CharField(_("link"), max_length=500, blank=True, default="")
    # Unique through ``notification_key_unique`` (a constraint, so PostgreSQL keeps one index
    # on it, not a second pattern-ops one that every bulk insert would have to maintain).
    key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULL: no key)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The outbox (``services.notification_outbox_send``).
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_lease = models.CharField(max_length=32, blank=True, default="")
    email_lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="notification_key_unique")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(email_state="pending"),
                name="notification_outbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
