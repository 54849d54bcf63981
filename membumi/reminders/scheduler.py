"""The periodic scheduler that ``membumi worker`` runs beside the django-tasks worker.

A daemon thread wakes every ``TICK_SECONDS`` and calls ``services.schedule_tick``, which
enqueues the reminder pass every ``REMINDER_INTERVAL_MINUTES`` and the outbox drain every few
minutes. The unique (job, slot) row makes it safe to run several workers: each slot is
enqueued by exactly one of them.
"""

import logging
import threading

from django.db import close_old_connections, connection

from .services import schedule_tick

logger = logging.getLogger(__name__)

TICK_SECONDS = 30


def run_forever(stop: threading.Event, tick_seconds: float = TICK_SECONDS) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            for name in schedule_tick():
                logger.info("Scheduler enqueued %s", name)
        except Exception:  # a locked SQLite file, a lost connection: try again next tick
            logger.exception("Scheduler tick failed")
        finally:
            connection.close()
        stop.wait(tick_seconds)


def start(tick_seconds: float = TICK_SECONDS) -> threading.Event:
    """Start the scheduler thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop, tick_seconds), name="membumi-scheduler", daemon=True
    )
    thread.start()
    return stop
