"""Background jobs of the reminders app. Thin: run the pass, then ask for the e-mails."""

from django_tasks import task

from membumi.notifications.services import outbox_kick

from .services import reminder_pass


@task()
def run_reminder_pass() -> dict:
    """One reminder pass as of now. Idempotent: a reminder that exists is not created again."""
    counts = reminder_pass()
    if any(counts.values()):
        outbox_kick()
    return counts
