"""Every write of the reminders app: the reminder pass and the scheduler's tick.

``reminder_pass`` runs each rule of ``rules.py`` as ``INSERT … SELECT`` statements over chunks
of ids (``CHUNK_SIZE`` rows of the rule's source table each, one short transaction per chunk),
so 200,000 plans and 1,000,000 milestones take a few dozen statements and no row travels
through Python. Each chunk commits on its own: a pass killed half-way keeps what it inserted,
and the next pass inserts exactly the keys still missing (``NOT EXISTS`` on the unique key),
so nothing is duplicated and nothing is missed. The e-mail copies wait in the notification
outbox (``email_state = pending``) for ``notifications.tasks.send_notification_emails``.

``schedule_tick`` is the worker's periodic scheduler: one ``ScheduleSlot`` row per job and time
slot, inserted in the same transaction that enqueues the job, so of several workers only one
enqueues a slot.
"""

# ruff: noqa: S608 -- only table names from ``_meta`` and fixed aliases are interpolated;
# every value is a query parameter.

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from membumi.core.audit import audit_record

from . import rules
from .models import ScheduleSlot

logger = logging.getLogger(__name__)

# Source-table ids per statement. Each statement hashes the plan, enrolment and account tables
# once, so fewer, larger chunks are faster; a chunk is still a bounded transaction.
CHUNK_SIZE = 250_000
OUTBOX_INTERVAL_MINUTES = 5  # the scheduler's safety-net drain of the e-mail outbox
SLOT_RETENTION = timedelta(days=2)


def _id_bounds(source: str) -> tuple[int, int] | None:
    from django.apps import apps

    model = {
        "milestone": ("action_plans", "Milestone"),
        "plan": ("action_plans", "ActionPlan"),
        "update": ("monitoring", "ProgressUpdate"),
    }[source]
    bounds = apps.get_model(*model).objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return None
    return bounds["lo"], bounds["hi"]


def _insert_sql(statement: rules.Statement, lo: int, hi: int, now) -> rules.Sql:
    notification = rules.table("notifications", "Notification")
    key = rules.q("key")
    return (
        rules.Sql(
            f"INSERT INTO {notification} (recipient_id, kind, title, body, url, {key},"
            " created_at, email_state, email_attempts, email_lease)"
            " SELECT c.recipient_id, %s, c.title, c.body, c.url, c.nkey, %s, %s, 0, %s FROM (",
            # created_at is the real clock, whatever moment the pass reckons "as of".
            [
                statement.kind,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                "pending",
                "",
            ],
        )
        + statement.select_for(lo, hi)
        + f") c WHERE NOT EXISTS (SELECT 1 FROM {notification} n WHERE n.{key} = c.nkey"
        + " LIMIT 1 OFFSET 0)"
        + f" ON CONFLICT ({key}) DO NOTHING"
    )


def _pass_statements(now) -> list[rules.Statement]:
    ctx = rules.Context(
        today=timezone.localdate(now),
        now=now,
        adapt_date=connection.ops.adapt_datefield_value,
        adapt_datetime=connection.ops.adapt_datetimefield_value,
    )
    t = rules.tables()
    # Texts are rendered in the default language (Bahasa Indonesia) whatever is active.
    with translation.override(settings.LANGUAGE_CODE):
        return [statement for build in rules.RULE_BUILDERS for statement in build(ctx, t)]


def reminder_pass(
    *, now=None, chunk_size: int = CHUNK_SIZE, extra: bool = True, on_chunk=None
) -> dict[str, int | None]:
    """Create every reminder due at ``now`` (default: the clock) that does not exist yet and
    return how many were created per kind (then per extra pass of ``REMINDER_PASSES``; an
    extra pass that fails is logged and reported as ``None``).

    ``on_chunk(kind, role, lo, created)`` is called after each committed chunk (progress for
    the benchmark)."""
    now = now or timezone.now()
    counts: dict[str, int | None] = dict.fromkeys(rules.KINDS, 0)
    bounds: dict[str, tuple[int, int] | None] = {}
    for statement in _pass_statements(now):
        if statement.source not in bounds:
            bounds[statement.source] = _id_bounds(statement.source)
        if bounds[statement.source] is None:
            continue
        first, last = bounds[statement.source]
        for lo in range(first, last + 1, chunk_size):
            sql = _insert_sql(statement, lo, lo + chunk_size, now)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql.text, sql.params)
                created = max(cursor.rowcount, 0)
            counts[statement.kind] += created
            if on_chunk is not None:
                on_chunk(statement.kind, statement.role, lo, created)
    if extra:
        counts.update(_extra_passes(today=timezone.localdate(now)))
    created = sum(v for v in counts.values() if v)
    if created:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="reminders.pass",
                summary=f"{created} reminders",
                data={k: v for k, v in counts.items() if v},
            )
    return counts


def _extra_passes(*, today) -> dict[str, int | None]:
    """Run the passes other apps plug in (``settings.REMINDER_PASSES``: dotted paths of
    ``f(*, today) -> int``, each idempotent and committing its own chunks); one that cannot be
    imported yet is skipped, one that fails keeps the chunks it committed."""
    results: dict[str, int | None] = {}
    for path in getattr(settings, "REMINDER_PASSES", []):
        try:
            function = import_string(path)
        except ImportError:
            logger.info("Reminder pass %s is not available; skipped", path)
            continue
        name = path.rsplit(".", 1)[-1]
        try:
            # Called outside any transaction: a pass commits its own short chunks (so a long
            # pass holds no locks and a killed one keeps its work); it must be idempotent.
            results[name] = int(function(today=today) or 0)
        except Exception:
            logger.exception("Reminder pass %s failed", path)
            results[name] = None
    return results


def reminder_pass_timed(**kwargs) -> tuple[dict[str, int | None], float]:
    started = time.monotonic()
    counts = reminder_pass(**kwargs)
    return counts, time.monotonic() - started


# --- The scheduler ---------------------------------------------------------------------------


def scheduled_jobs() -> list[tuple[str, str, int]]:
    """(name, task path, interval in minutes) of every periodic job."""
    return [
        (
            "reminder_pass",
            "membumi.reminders.tasks.run_reminder_pass",
            max(1, int(settings.REMINDER_INTERVAL_MINUTES)),
        ),
        (
            "notification_outbox",
            "membumi.notifications.tasks.send_notification_emails",
            OUTBOX_INTERVAL_MINUTES,
        ),
    ]


def schedule_tick(*, now=None) -> list[str]:
    """Enqueue each periodic job whose current slot nobody has taken yet; return their names.

    The slot row and the task row are written in one transaction (the task table is in the
    same database), so a slot is never taken without its job being enqueued."""
    now = now or timezone.now()
    minutes = int(now.timestamp() // 60)
    enqueued = []
    for name, task_path, interval in scheduled_jobs():
        slot = minutes // interval
        if ScheduleSlot.objects.filter(job=name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(job=name, slot=slot)
                import_string(task_path).enqueue()
        except IntegrityError:
            continue  # another worker took this slot first
        enqueued.append(name)
    ScheduleSlot.objects.filter(created_at__lt=now - SLOT_RETENTION).delete()
    return enqueued
