"""Every write to notifications. Keyword-only, ``notification_<action>``.

``notify`` is what other apps call: it stores the notification (once per ``key``) and, after
the surrounding transaction commits, e-mails a copy when the recipient has an address. Texts
are rendered by the caller in the default language (Bahasa Indonesia) at the time of sending.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification


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
    is stored or sent and ``None`` is returned. Without a recipient, nothing happens."""
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
            )
    except IntegrityError:
        if key and Notification.objects.filter(key=key).exists():
            return None
        raise
    if email:
        address = recipient_address(recipient)
        if address:
            transaction.on_commit(lambda: notification_email(notification=notification, to=address))
    return notification


def notification_email(*, notification: Notification, to: str) -> None:
    """Send the e-mail copy of a notification and record when it went out."""
    context = {"notification": notification, "link": absolute_url(notification.url)}
    text = render_to_string("notifications/email/body.txt", context)
    html = render_to_string("notifications/email/body.html", context)
    subject = " ".join(notification.title.split())
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notification_mark_read(*, user, pk) -> int:
    """Mark one of the user's notifications read (someone else's: nothing happens)."""
    return Notification.objects.filter(recipient=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
