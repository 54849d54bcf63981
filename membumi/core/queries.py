"""Figures for each role's home page, read from the database and scoped to the user.

Each ``*_section`` returns a dict for ``core/home.html`` or ``None`` when the user does not
hold that role. Counts are aggregate queries: the number of queries does not grow with rows.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from membumi.accounts.enums import Role
from membumi.accounts.models import User
from membumi.accounts.queries import user_roles
from membumi.organizations.enums import PositionType
from membumi.organizations.models import Agency, Employee, ImportJob, Institution, WorkUnit

from .models import AuditLog


def _figure(label, value, testid=""):
    return {"label": label, "value": value, "testid": testid}


def participant_section(user):
    employee = user.employee
    if employee is None:
        return None
    return {
        "key": "participant",
        "title": _("My record"),
        "employee": employee,
        "figures": [],
    }


def mentor_section(user):
    employee = user.employee
    roles = user_roles(user)
    if employee is None:
        return None
    mentees = list(
        Employee.objects.filter(supervisor=employee)
        .select_related("work_unit")
        .order_by("name")[:10]
    )
    if not mentees and not roles.has(Role.MENTOR):
        return None
    total = Employee.objects.filter(supervisor=employee).count()
    return {
        "key": "mentor",
        "title": _("People I supervise"),
        "figures": [_figure(_("Direct reports"), total, "mentor-direct-reports")],
        "people": mentees,
    }


def _institution_figures(institution_ids):
    institutions = list(
        Institution.objects.filter(id__in=institution_ids)
        .select_related("agency")
        .annotate(
            n_served=Count("served_agencies", distinct=True),
        )
    )
    served = Agency.objects.filter(serving_institutions__in=institution_ids).distinct()
    employees = Employee.objects.filter(agency__in=served).count()
    trainers = (
        User.objects.filter(
            role_assignments__role=Role.TRAINER,
            role_assignments__institution_id__in=institution_ids,
        )
        .distinct()
        .count()
    )
    return institutions, served.count(), employees, trainers


def organizer_section(user):
    ids = user_roles(user).institution_ids(Role.ORGANIZER)
    if not ids:
        return None
    institutions, n_served, employees, trainers = _institution_figures(ids)
    jobs = list(ImportJob.objects.filter(started_by=user)[:5])
    return {
        "key": "organizer",
        "title": _("Institution: %(names)s") % {"names": ", ".join(i.name for i in institutions)},
        "figures": [
            _figure(_("Agencies served"), n_served, "organizer-agencies"),
            _figure(_("Employees in scope"), employees, "organizer-employees"),
            _figure(_("Trainers"), trainers, "organizer-trainers"),
        ],
        "imports": jobs,
    }


def trainer_section(user):
    ids = user_roles(user).institution_ids(Role.TRAINER)
    if not ids:
        return None
    institutions, n_served, _employees, trainers = _institution_figures(ids)
    return {
        "key": "trainer",
        "title": _("Trainer at %(names)s") % {"names": ", ".join(i.name for i in institutions)},
        "figures": [
            _figure(_("Agencies served"), n_served, "trainer-agencies"),
            _figure(_("Fellow trainers"), trainers, "trainer-colleagues"),
        ],
    }


def agency_viewer_section(user):
    ids = user_roles(user).agency_ids(Role.AGENCY_VIEWER)
    if not ids:
        return None
    agencies = list(Agency.objects.filter(id__in=ids))
    employees = Employee.objects.filter(agency_id__in=ids, is_active=True)
    by_type = employees.aggregate(
        total=Count("id"),
        **{
            f"n_{ptype.value}": Count("id", filter=Q(position_type=ptype.value))
            for ptype in PositionType
        },
    )
    top_units = list(
        WorkUnit.objects.filter(agency_id__in=ids, depth=0).annotate(n=Count("id")).order_by("name")
    )
    # Employees per top-level unit, counting the whole subtree, in one grouped query.
    counts = {}
    for path, n in (
        employees.exclude(work_unit__isnull=True)
        .values_list("work_unit__path")
        .annotate(n=Count("id"))
    ):
        root = path.strip("/").split("/")[0]
        counts[root] = counts.get(root, 0) + n
    rows = [(unit, counts.get(str(unit.pk), 0)) for unit in top_units]
    return {
        "key": "agency_viewer",
        "title": ", ".join(a.name for a in agencies),
        "figures": [
            _figure(_("Active employees"), by_type["total"], "agency-employees"),
            _figure(
                _("Work units"),
                WorkUnit.objects.filter(agency_id__in=ids).count(),
                "agency-units",
            ),
            *[
                _figure(ptype.label, by_type[f"n_{ptype.value}"])
                for ptype in PositionType
                if by_type[f"n_{ptype.value}"]
            ],
        ],
        "unit_rows": sorted(rows, key=lambda r: -r[1])[:12],
    }


def admin_section(user):
    if not user_roles(user).has(Role.PLATFORM_ADMIN):
        return None
    return {
        "key": "platform_admin",
        "title": _("Platform"),
        "figures": [
            _figure(_("Agencies"), Agency.objects.count(), "admin-agencies"),
            _figure(_("Work units"), WorkUnit.objects.count(), "admin-units"),
            _figure(_("Employees"), Employee.objects.count(), "admin-employees"),
            _figure(_("Training institutions"), Institution.objects.count(), "admin-institutions"),
            _figure(_("Users"), User.objects.count(), "admin-users"),
        ],
        "audit": list(AuditLog.objects.select_related("actor__employee")[:8]),
    }


def home_sections(user) -> list[dict]:
    builders = [
        admin_section,
        organizer_section,
        trainer_section,
        agency_viewer_section,
        mentor_section,
        participant_section,
    ]
    return [section for build in builders if (section := build(user))]
