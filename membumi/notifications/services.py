"""Every write to notifications. Keyword-only, ``notification_<action>``.

``notify`` is what other apps call: it stores the notification (once per ``key``) and, when an
e-mail copy is wanted, leaves it ``pending`` in the outbox; after the surrounding transaction
commits it asks the worker to drain the outbox (``tasks.send_notification_emails``). Texts are
rendered by the caller in the default language (Bahasa Indonesia) at the time of sending.

``notification_outbox_send`` drains the outbox: it claims pending rows under a lease, sends
the copies through one connection of Django's e-mail backend and marks the sent rows ``sent``
in one statement per ``OUTBOX_MARK_BATCH`` (50) messages. Delivery is **at-least-once**: a
process killed after the SMTP server accepted messages but before their mark was committed
leaves those rows pending, and they are sent again when their lease expires. No row is ever
lost; at most ``OUTBOX_MARK_BATCH`` messages (those sent since the last mark) go out twice.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import EmailState, Notification

logger = logging.getLogger(__name__)

OUTBOX_BATCH = 100  # rows claimed at a time
OUTBOX_MARK_BATCH = 50  # sent rows marked per statement (at most this many can go out twice)
EMAIL_LEASE = timedelta(minutes=10)  # a claimed row nobody marked is sent again after this
EMAIL_MAX_ATTEMPTS = 5  # after this many failed sends a row is ``failed``
EMAIL_RETRY_AFTER = timedelta(minutes=5)  # × attempts


def recipient_address(user) -> str:
    if user is None:
        return ""
    if user.email:
        return user.email
    employee = getattr(user, "employee", None) if user.employee_id else None
    return getattr(employee, "email", "") or ""


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str | None = None,
    email: bool = True,
) -> Notification | None:
    """Store one notification for ``recipient`` (a user). With a ``key`` already used, nothing
    is stored or sent and ``None`` is returned. Without a recipient, nothing happens.

    With ``email`` the copy waits in the outbox; the worker is asked to send it once the
    surrounding transaction commits (a rolled-back step sends nothing)."""
    if recipient is None:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                key=key,
                email_state=EmailState.PENDING if email else EmailState.NONE,
            )
    except IntegrityError:
        if key and Notification.objects.filter(key=key).exists():
            return None
        raise
    if email:
        outbox_kick()
    return notification


def outbox_kick() -> None:
    """After the current transaction commits, enqueue one outbox drain (once per transaction,
    however many notifications it stored)."""
    pending = getattr(connection, "run_on_commit", None) or []
    if any(callback is _enqueue_outbox_drain for _sids, callback, *_rest in pending):
        return
    transaction.on_commit(_enqueue_outbox_drain)


def _enqueue_outbox_drain() -> None:
    from .tasks import send_notification_emails

    try:
        send_notification_emails.enqueue()
    except Exception:  # the scheduler's periodic drain sends it later
        logger.exception("Could not enqueue the notification outbox drain")


@dataclass
class OutboxReport:
    sent: int = 0
    skipped: int = 0  # no address
    failed: int = 0  # an error this time (retried later, or ``failed`` for good)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


def _claimable(now):
    return Notification.objects.filter(email_state=EmailState.PENDING).filter(
        Q(email_lease_until__isnull=True) | Q(email_lease_until__lt=now)
    )


def notification_outbox_claim(*, now=None, batch: int = OUTBOX_BATCH) -> list[Notification]:
    """Claim up to ``batch`` pending rows for this sender under a fresh lease and return them.

    On PostgreSQL the candidates are locked with ``SKIP LOCKED`` so concurrent senders take
    different rows; the conditional update makes the claim safe on SQLite as well (a row
    whose lease another sender took in the meantime is not claimed twice)."""
    now = now or timezone.now()
    lease = secrets.token_hex(16)
    with transaction.atomic():
        ids = list(
            _claimable(now)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return []
        _claimable(now).filter(pk__in=ids).update(
            email_lease=lease, email_lease_until=now + EMAIL_LEASE
        )
    return list(
        Notification.objects.filter(email_lease=lease, email_state=EmailState.PENDING)
        .select_related("recipient__employee")
        .order_by("id")
    )


def notification_email_message(*, notification: Notification, to: str) -> EmailMultiAlternatives:
    """The e-mail copy of a notification, in the site's default language."""
    context = {"notification": notification, "link": absolute_url(notification.url)}
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/body.txt", context)
        html = render_to_string("notifications/email/body.html", context)
    subject = " ".join(notification.title.split())
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def notification_outbox_send(*, limit: int | None = None, now=None) -> OutboxReport:
    """Send the e-mail copies waiting in the outbox (at most ``limit`` rows) through one
    connection of the e-mail backend. Sent rows are marked in one statement per
    ``OUTBOX_MARK_BATCH`` messages (and whatever was sent is marked before an error leaves);
    a failure is marked for its own row at once. Safe to run in several processes at once."""
    report = OutboxReport()
    mail = get_connection()
    opened = False
    try:
        while limit is None or report.sent + report.skipped + report.failed < limit:
            batch = OUTBOX_BATCH
            if limit is not None:
                batch = min(batch, limit - (report.sent + report.skipped + report.failed))
            rows = notification_outbox_claim(now=now, batch=batch)
            if not rows:
                break
            if not opened:
                mail.open()
                opened = True
            _send_batch(rows, mail, report)
    finally:
        if opened:
            mail.close()
    return report


def _mark_done(ids: list[int], lease: str, **fields) -> None:
    """Mark the rows of this lease that are still pending (one statement); clears the list."""
    if ids:
        Notification.objects.filter(
            pk__in=ids, email_lease=lease, email_state=EmailState.PENDING
        ).update(email_lease_until=None, **fields)
        ids.clear()


def _send_batch(rows: list[Notification], mail, report: OutboxReport) -> None:
    """Send one claimed batch (all under the same lease). The ids of sent rows are collected
    and marked ``sent`` every ``OUTBOX_MARK_BATCH`` messages, so a process killed in between
    leaves at most that many sent-but-unmarked rows, which go out again after the lease."""
    sent: list[int] = []
    skipped: list[int] = []
    lease = rows[0].email_lease
    try:
        for notification in rows:
            address = recipient_address(notification.recipient)
            if not address:
                skipped.append(notification.pk)
                report.skipped += 1
                continue
            try:
                message = notification_email_message(notification=notification, to=address)
                mail.send_messages([message])
            except Exception:
                logger.exception("E-mail for notification %s failed", notification.pk)
                _mark_failure(notification)
                report.failed += 1
                continue
            sent.append(notification.pk)
            report.sent += 1
            if len(sent) >= OUTBOX_MARK_BATCH:
                _mark_done(sent, lease, email_state=EmailState.SENT, emailed_at=timezone.now())
    finally:
        # Also when leaving on an error: what the backend accepted is marked, not resent.
        _mark_done(sent, lease, email_state=EmailState.SENT, emailed_at=timezone.now())
        _mark_done(skipped, lease, email_state=EmailState.SKIPPED)


def _mark_failure(notification: Notification) -> None:
    mine = Notification.objects.filter(
        pk=notification.pk, email_lease=notification.email_lease, email_state=EmailState.PENDING
    )
    attempts = notification.email_attempts + 1
    if attempts >= EMAIL_MAX_ATTEMPTS:
        mine.update(email_state=EmailState.FAILED, email_attempts=attempts)
    else:
        mine.update(
            email_attempts=F("email_attempts") + 1,
            email_lease_until=timezone.now() + EMAIL_RETRY_AFTER * attempts,
        )


def notification_mark_read(*, user, pk) -> int:
    """Mark one of the user's notifications read (someone else's: nothing happens)."""
    return Notification.objects.filter(recipient=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
