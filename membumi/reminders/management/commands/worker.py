"""``membumi worker``: the django-tasks database worker plus the periodic scheduler.

Takes every option of ``db_worker`` (``--queue-name``, ``--interval``, ``--batch`` …) and
``--no-scheduler`` to run the worker alone (e.g. extra workers that only execute tasks).
"""

import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from membumi.reminders import scheduler


class Command(db_worker.Command):
    help = "Run the background worker (django-tasks) and its periodic scheduler"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not run the periodic scheduler (reminder pass, e-mail outbox) here.",
        )

    def handle(self, *args, no_scheduler=False, **options):
        reload = options.get("reload") and not options.get("batch")
        # With autoreload the parent process only watches files; the child does the work.
        in_worker_process = not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not no_scheduler and not options.get("batch") and in_worker_process:
            self.configure_logging(options.get("verbosity", 1))
            log = logging.getLogger("membumi.reminders")
            if not log.hasHandlers():
                log.addHandler(logging.StreamHandler(self.stdout))
            log.setLevel(logging.INFO)
            scheduler.start()
        return super().handle(*args, **options)
