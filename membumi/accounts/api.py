from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from .queries import user_roles
from .services import api_token_create

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class RoleOut(Schema):
    role: str
    scope_type: str | None
    scope_id: int | None
    scope_name: str | None


class NamedRef(Schema):
    id: int
    code: str | None = None
    name: str


class EmployeeRef(Schema):
    nip: str
    name: str
    agency: NamedRef
    work_unit: NamedRef | None


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    roles: list[RoleOut]
    employee: EmployeeRef | None


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange username and password for a bearer token",
)
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, _("Too many failed attempts: this account is locked for a while."))
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    token, raw = api_token_create(user=user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}


def employee_ref(employee):
    if employee is None:
        return None
    unit = employee.work_unit
    return {
        "nip": employee.nip,
        "name": employee.name,
        "agency": {
            "id": employee.agency.id,
            "code": employee.agency.code,
            "name": employee.agency.name,
        },
        "work_unit": {"id": unit.id, "name": unit.name} if unit else None,
    }


@router.get("/me", response=MeOut, summary="Who am I: roles with scopes and employee record")
def me(request):
    user = request.user
    roles = [
        {
            "role": a.role,
            "scope_type": a.scope_type,
            "scope_id": a.scope.pk if a.scope else None,
            "scope_name": str(a.scope) if a.scope else None,
        }
        for a in user_roles(user).assignments
    ]
    employee = user.employee if user.employee_id else None
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "roles": roles,
        "employee": employee_ref(employee),
    }
