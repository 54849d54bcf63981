"""Background jobs of the notification centre. Thin: drain the outbox."""

from django_tasks import task

from .services import notification_outbox_send


@task()
def send_notification_emails() -> dict[str, int]:
    """Send every e-mail copy waiting in the outbox. Idempotent: a sent row is never sent
    again, and a second drain finds nothing to do."""
    return notification_outbox_send().as_dict()
