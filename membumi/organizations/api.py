from ninja import FilterSchema, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from .queries import employees_for_user, get_employee_for_user, search_employees

router = Router(tags=["employees"])


class Ref(Schema):
    id: int
    name: str


class AgencyRef(Ref):
    code: str


class EmployeeOut(Schema):
    nip: str
    name: str
    sex: str
    employment_type: str
    golongan: str
    pangkat: str
    position_type: str
    position_name: str
    agency: AgencyRef
    work_unit: Ref | None
    supervisor_nip: str | None
    is_active: bool

    @staticmethod
    def resolve_supervisor_nip(obj):
        return obj.supervisor.nip if obj.supervisor_id else None


class EmployeeFilter(FilterSchema):
    agency: str | None = None
    unit: int | None = None
    q: str | None = None


@router.get("", response=list[EmployeeOut], summary="Employees in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_employees(request, filters: Query[EmployeeFilter]):
    return search_employees(
        employees_for_user(request.user).order_by("name", "nip"),
        text=filters.q or "",
        agency=filters.agency,
        unit=filters.unit,
    )


@router.get("/{nip}", response=EmployeeOut, summary="One employee by NIP (404 outside scope)")
def get_employee(request, nip: str):
    return get_employee_for_user(request.user, nip.replace(" ", ""))
