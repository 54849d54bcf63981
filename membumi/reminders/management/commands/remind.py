"""``membumi remind``: one reminder pass now (for cron), then send the e-mail copies.

membumi remind                 # as of the clock; prints the count per rule
membumi remind --at 2026-12-01T08:00
membumi remind --no-email      # leave the e-mails to the worker
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from membumi.notifications.services import notification_outbox_send
from membumi.reminders.services import reminder_pass_timed


class Command(BaseCommand):
    help = "Run one reminder pass now and send the e-mails it created"

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", help="Run as of this local date or date-time (ISO), e.g. 2026-12-01T08:00"
        )
        parser.add_argument(
            "--no-email", action="store_true", help="Do not send e-mails (the worker will)."
        )
        parser.add_argument(
            "--rules-only",
            action="store_true",
            help="Run only this app's rules, not the extra passes of REMINDER_PASSES.",
        )

    def handle(self, *args, at=None, no_email=False, rules_only=False, **options):
        now = timezone.now()
        if at:
            try:
                moment = dt.datetime.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO date or date-time: {at!r}") from exc
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            now = moment
        counts, seconds = reminder_pass_timed(now=now, extra=not rules_only)
        self.stdout.write(f"Reminder pass as of {timezone.localtime(now):%Y-%m-%d %H:%M %Z}")
        width = max(len(name) for name in counts) if counts else 10
        for name, count in counts.items():
            shown = "failed" if count is None else str(count)
            self.stdout.write(f"  {name:<{width}}  {shown:>8}")
        total = sum(v for v in counts.values() if v)
        self.stdout.write(f"  {'total':<{width}}  {total:>8}  ({seconds:.2f} s)")
        if not no_email:
            report = notification_outbox_send()
            self.stdout.write(
                f"E-mails: {report.sent} sent, {report.skipped} without an address, "
                f"{report.failed} failed"
            )
