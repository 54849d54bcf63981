import sys
import time

from django.core.management.base import BaseCommand, CommandError

from membumi.organizations.importing import import_employees_from_path, write_template


class Command(BaseCommand):
    help = "Import employees from a CSV or XLSX file (idempotent by NIP)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV or XLSX file to import")
        parser.add_argument(
            "--template", metavar="FILE", help="write an empty template (.csv or .xlsx) and stop"
        )
        parser.add_argument("--quiet-progress", action="store_true", help="do not print progress")

    def handle(self, *args, **options):
        if options["template"]:
            path = write_template(options["template"])
            self.stdout.write(f"Template written: {path}")
            return
        if not options["file"]:
            raise CommandError("Give a FILE to import, or --template FILE.")
        started = time.monotonic()
        show = not options["quiet_progress"]

        def on_progress(report, done, total):
            if show:
                percent = f"{100 * done / total:5.1f}%" if total else "     "
                sys.stderr.write(f"\r{percent} {report.rows:>9,} rows")
                sys.stderr.flush()

        try:
            report = import_employees_from_path(options["file"], on_progress=on_progress)
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
