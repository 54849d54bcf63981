"""Reads scoped to the user. Every lookup of one object goes through a ``get_*_for_user``
that returns it or raises 404, so objects outside the user's scope do not exist for them."""

from django.db.models import Q, QuerySet
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles

from .models import Agency, Employee, Institution, WorkUnit


def agency_ids_for_user(user) -> set[int] | None:
    """Agencies whose people the user may see in full; ``None`` means every agency."""
    roles = user_roles(user)
    if roles.has(Role.PLATFORM_ADMIN):
        return None
    ids = set(roles.agency_ids(Role.AGENCY_VIEWER))
    institution_ids = roles.institution_ids(Role.ORGANIZER)
    if institution_ids:
        ids |= set(
            Institution.served_agencies.through.objects.filter(
                institution_id__in=institution_ids
            ).values_list("agency_id", flat=True)
        )
        ids |= set(
            Institution.objects.filter(id__in=institution_ids).values_list("agency_id", flat=True)
        )
    return ids


def employees_for_user(user) -> QuerySet[Employee]:
    qs = Employee.objects.select_related("agency", "work_unit", "supervisor")
    agency_ids = agency_ids_for_user(user)
    if agency_ids is None:
        return qs
    condition = Q(agency_id__in=agency_ids)
    employee_id = getattr(user, "employee_id", None)
    if employee_id:
        # Oneself, and the people one supervises (directly) as their mentor.
        condition |= Q(pk=employee_id) | Q(supervisor_id=employee_id)
    if not agency_ids and not employee_id:
        return qs.none()
    return qs.filter(condition)


def get_employee_for_user(user, nip: str) -> Employee:
    try:
        return employees_for_user(user).get(nip=nip)
    except Employee.DoesNotExist as exc:
        raise Http404 from exc


def agencies_for_user(user) -> QuerySet[Agency]:
    agency_ids = agency_ids_for_user(user)
    if agency_ids is None:
        return Agency.objects.all()
    employee = getattr(user, "employee", None)
    if employee is not None:
        agency_ids = agency_ids | {employee.agency_id}
    return Agency.objects.filter(id__in=agency_ids)


def units_for_user(user) -> QuerySet[WorkUnit]:
    return WorkUnit.objects.filter(agency__in=agencies_for_user(user)).select_related("agency")


def search_employees(qs: QuerySet[Employee], *, text: str = "", agency=None, unit=None):
    """Filter by agency code, a unit (and its subtree) and free text on name, NIP or position."""
    if agency:
        qs = qs.filter(agency__code=agency) if isinstance(agency, str) else qs.filter(agency=agency)
    if unit:
        unit_obj = unit if isinstance(unit, WorkUnit) else WorkUnit.objects.filter(pk=unit).first()
        if unit_obj is None:
            return qs.none()
        qs = qs.filter(work_unit__path__startswith=unit_obj.path)
    text = (text or "").strip()
    if text:
        digits = text.replace(" ", "")
        condition = Q(name__icontains=text) | Q(position_name__icontains=text)
        if digits.isdigit():
            condition |= Q(nip__startswith=digits)
        qs = qs.filter(condition)
    return qs
