"""Background jobs of this app. Thin: find the job, call the importer, store progress."""

from django.utils import timezone
from django_tasks import task

from .importing import EmployeeImporter
from .models import ImportJob
from .queries import agency_ids_for_user
from .services import import_job_finish


@task()
def run_employee_import(job_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    if job.is_finished:
        return  # idempotent: a re-delivered task does nothing
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )

    def on_progress(report, done, total):
        ImportJob.objects.filter(pk=job.pk).update(
            processed_bytes=done,
            total_bytes=total,
            rows_processed=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
        )

    # The uploader's scope: an organizer imports only the agencies their institution serves.
    agency_ids = agency_ids_for_user(job.started_by) if job.started_by else set()
    try:
        with job.file.open("rb") as binary:
            report = EmployeeImporter(
                on_progress=on_progress,
                max_errors=ImportJob.MAX_STORED_ERRORS,
                agency_ids=agency_ids,
            ).run(binary, job.original_name, job.file.size)
    except Exception as exc:
        import_job_finish(job=job, report=None, failure=str(exc))
        raise
    import_job_finish(job=job, report=report)
