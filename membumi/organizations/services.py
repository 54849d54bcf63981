"""Every write to organizations and employees. Keyword-only, named ``<entity>_<action>``."""

from django.db import transaction
from django.utils import timezone

from membumi.core.audit import audit_record

from .models import Agency, Employee, ImportJob, Institution, WorkUnit
from .nip import normalize_nip, parse_nip


def agency_create(*, code: str, name: str, kind: str, level: str, parent=None) -> Agency:
    agency = Agency(
        code=code.strip().upper(), name=name.strip(), kind=kind, level=level, parent=parent
    )
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def work_unit_create(*, agency: Agency, name: str, kind: str = "lainnya", parent=None) -> WorkUnit:
    if parent is not None and parent.agency_id != agency.id:
        raise ValueError("parent unit belongs to another agency")
    unit = WorkUnit.objects.create(agency=agency, parent=parent, name=name.strip(), kind=kind)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


@transaction.atomic
def work_unit_save(*, unit: WorkUnit) -> WorkUnit:
    """Save a unit edited as a whole (the Django admin) and keep the materialised paths true:
    its ``path`` and ``depth`` follow its parent, and a unit moved under another parent takes
    its whole subtree along. The caller has validated the unit (``WorkUnit.clean``)."""
    old_path = WorkUnit.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    unit.save()
    parent = WorkUnit.objects.get(pk=unit.parent_id) if unit.parent_id else None
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    if old_path and old_path != unit.path:
        subtree = list(WorkUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk))
        for child in subtree:
            child.path = unit.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 2
        WorkUnit.objects.bulk_update(subtree, ["path", "depth"])
    return unit


def work_unit_get_or_create_path(
    *, agency: Agency, names: list[str], kind_of=None, cache: dict | None = None
) -> WorkUnit:
    """Find (or create) the unit at ``names`` (root first) under ``agency``.

    ``kind_of(name)`` guesses a unit kind for units created here; ``cache`` maps
    ``(agency_id, parent_id, lower name)`` to units and keeps repeated look-ups free.
    """
    cache = {} if cache is None else cache
    parent = None
    for raw in names:
        name = " ".join(raw.split())
        key = (agency.id, parent.id if parent else None, name.lower())
        unit = cache.get(key)
        if unit is None:
            unit = WorkUnit.objects.filter(agency=agency, parent=parent, name__iexact=name).first()
            if unit is None:
                unit = work_unit_create(
                    agency=agency,
                    parent=parent,
                    name=name,
                    kind=kind_of(name) if kind_of else "lainnya",
                )
            cache[key] = unit
        parent = unit
    return parent


def institution_create(
    *, agency: Agency, code: str, name: str, kind: str, served_agencies=()
) -> Institution:
    institution = Institution.objects.create(agency=agency, code=code, name=name, kind=kind)
    institution.served_agencies.set([agency, *served_agencies])
    return institution


def employee_create(
    *,
    nip: str,
    name: str,
    sex: str,
    agency: Agency,
    work_unit: WorkUnit | None = None,
    supervisor: Employee | None = None,
    **fields,
) -> Employee:
    value = normalize_nip(nip)
    parse_nip(value, sex=sex)
    employee = Employee(
        nip=value,
        name=" ".join(name.split()),
        sex=sex,
        agency=agency,
        work_unit=work_unit,
        supervisor=supervisor,
        **fields,
    )
    employee.full_clean()
    employee.save()
    return employee


def import_job_create(*, upload, by) -> ImportJob:
    job = ImportJob(original_name=upload.name[:255], started_by=by, total_bytes=upload.size)
    job.file.save(upload.name, upload, save=False)
    job.save()
    audit_record(actor=by, action="employees.import_started", obj=job, summary=upload.name)
    return job


@transaction.atomic
def import_job_finish(*, job: ImportJob, report=None, failure: str = "") -> None:
    job.refresh_from_db()
    job.finished_at = timezone.now()
    if report is None or report.fatal:
        job.status = ImportJob.Status.FAILED
        job.message = failure or report.fatal
    else:
        job.status = ImportJob.Status.DONE
        job.rows_processed = report.rows
        job.created = report.created
        job.updated = report.updated
        job.unchanged = report.unchanged
        job.rejected = report.rejected
        # In file order: supervisor warnings are found at the end of the file, after the rest.
        job.errors = [e.as_dict() for e in sorted(report.errors, key=lambda e: e.row)]
        job.message = report.summary()
        job.processed_bytes = job.total_bytes
    job.save()
    audit_record(
        actor=job.started_by,
        action="employees.import_finished",
        obj=job,
        summary=f"{job.original_name}: {job.message}",
        data={
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
        },
    )
