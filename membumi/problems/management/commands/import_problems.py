import sys
import time

from django.core.management.base import BaseCommand, CommandError

from membumi.accounts.models import User
from membumi.problems.importing import import_problems_from_path, write_template
from membumi.problems.queries import import_agency_ids
from membumi.problems.rules import can_import_problems


class Command(BaseCommand):
    help = (
        "Import work-unit problems from a CSV or XLSX file. Idempotent: a problem whose "
        "agency, unit and title already exist is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV or XLSX file to import")
        parser.add_argument(
            "--template", metavar="FILE", help="write an empty template (.csv or .xlsx) and stop"
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="import as this user: only their agencies, recorded as submitted by them "
            "(default: no user, any agency)",
        )
        parser.add_argument("--quiet-progress", action="store_true", help="do not print progress")

    def handle(self, *args, **options):
        if options["template"]:
            path = write_template(options["template"])
            self.stdout.write(f"Template written: {path}")
            return
        if not options["file"]:
            raise CommandError("Give a FILE to import, or --template FILE.")
        user, allowed = None, None
        if options["username"]:
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['username']!r}.")
            if not can_import_problems(user):
                raise CommandError(f"{user.username} may not import problems.")
            allowed = import_agency_ids(user)
        started = time.monotonic()
        show = not options["quiet_progress"]

        def on_progress(report, done, total):
            if show:
                percent = f"{100 * done / total:5.1f}%" if total else "     "
                sys.stderr.write(f"\r{percent} {report.rows:>9,} rows")
                sys.stderr.flush()

        try:
            report = import_problems_from_path(
                options["file"], by=user, allowed_agency_ids=allowed, on_progress=on_progress
            )
        except FileNotFoundError as exc:
            raise CommandError(f"File not found: {options['file']}") from exc
        if show:
            sys.stderr.write("\n")
        if report.fatal:
            raise CommandError(report.fatal)
        for error in report.errors:
            self.stdout.write(f"row {error.row}, {error.column}: {error.message} [{error.level}]")
        if report.error_count > len(report.errors):
            self.stdout.write(f"… and {report.error_count - len(report.errors)} more")
        self.stdout.write(report.summary())
        self.stdout.write(f"({time.monotonic() - started:.1f} s)")
