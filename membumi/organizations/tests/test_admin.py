"""Reference data edited in the Django admin keeps the invariants the services keep."""

from django.urls import reverse

from membumi.organizations.models import Employee, WorkUnit
from membumi.organizations.queries import search_employees
from membumi.testing.factories import EmployeeFactory, WorkUnitFactory


def _save_unit(client, data, unit=None):
    url = (
        reverse("admin:organizations_workunit_change", args=[unit.pk])
        if unit
        else reverse("admin:organizations_workunit_add")
    )
    return client.post(url, {"kind": "dinas", "parent": "", **data, "_save": "1"})


def test_admin_added_units_get_their_materialised_path(client, admin_user, agency):
    client.force_login(admin_user)

    _save_unit(client, {"agency": agency.pk, "name": "Dinas Sosial"})
    parent = WorkUnit.objects.get(name="Dinas Sosial")
    _save_unit(client, {"agency": agency.pk, "name": "Bidang Rehabilitasi", "parent": parent.pk})
    child = WorkUnit.objects.get(name="Bidang Rehabilitasi")

    assert (parent.path, parent.depth) == (f"/{parent.pk}/", 0)
    assert (child.path, child.depth) == (f"/{parent.pk}/{child.pk}/", 1)
    # The unit filter is a prefix query on the path: an empty path would match everyone.
    inside = EmployeeFactory(agency=agency, work_unit=child)
    EmployeeFactory(agency=agency)
    assert list(search_employees(Employee.objects.all(), unit=parent)) == [inside]


def test_admin_moving_a_unit_carries_its_subtree(client, admin_user, agency):
    old_root = WorkUnitFactory(agency=agency, name="Dinas Lama")
    new_root = WorkUnitFactory(agency=agency, name="Dinas Baru")
    moved = WorkUnitFactory(agency=agency, parent=old_root, name="Bidang Pindah")
    leaf = WorkUnitFactory(agency=agency, parent=moved, name="Seksi Ikut")
    client.force_login(admin_user)

    _save_unit(
        client, {"agency": agency.pk, "name": "Bidang Pindah", "parent": new_root.pk}, unit=moved
    )

    moved.refresh_from_db()
    leaf.refresh_from_db()
    assert (moved.path, moved.depth) == (f"/{new_root.pk}/{moved.pk}/", 1)
    assert (leaf.path, leaf.depth) == (f"/{new_root.pk}/{moved.pk}/{leaf.pk}/", 2)


def test_admin_refuses_a_parent_in_another_agency_or_below_itself(
    client, admin_user, agency, other_agency
):
    root = WorkUnitFactory(agency=agency, name="Dinas Induk")
    below = WorkUnitFactory(agency=agency, parent=root, name="Bidang Bawah")
    foreign = WorkUnitFactory(agency=other_agency, name="Dinas Asing")
    client.force_login(admin_user)

    into_foreign = _save_unit(
        client, {"agency": agency.pk, "name": "Dinas Induk", "parent": foreign.pk}, unit=root
    )
    into_own_child = _save_unit(
        client, {"agency": agency.pk, "name": "Dinas Induk", "parent": below.pk}, unit=root
    )

    assert "parent" in into_foreign.context["adminform"].form.errors
    assert "parent" in into_own_child.context["adminform"].form.errors
    root.refresh_from_db()
    assert (root.parent, root.path) == (None, f"/{root.pk}/")


def _employee_form(agency, **values):
    return {
        "name": "Uji Admin",
        "sex": "M",
        "employment_type": "pns",
        "golongan": "",
        "position_type": "",
        "position_name": "",
        "agency": agency.pk,
        "work_unit": "",
        "supervisor": "",
        "email": "",
        "is_active": "on",
        "_save": "1",
        **values,
    }


def test_admin_takes_a_nip_written_with_spaces(client, admin_user, agency):
    client.force_login(admin_user)
    add = reverse("admin:organizations_employee_add")

    page = client.get(add).content.decode()
    client.post(add, _employee_form(agency, nip="19900101 201501 1 041"))

    assert 'maxlength="18"' not in page.split('name="nip"')[1].split(">")[0]
    assert Employee.objects.get(name="Uji Admin").nip == "199001012015011041"


def test_admin_explains_a_bad_nip_once(client, admin_user, agency):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:organizations_employee_add"),
        _employee_form(agency, nip="19901301 201501 1 041"),
    )

    errors = response.context["adminform"].form.errors["nip"]
    assert len(errors) == 1
    assert "19901301" in errors[0]
    assert not Employee.objects.filter(name="Uji Admin").exists()


def test_admin_duplicate_names_are_explained_not_named_by_constraint(client, admin_user, agency):
    WorkUnitFactory(agency=agency, name="Dinas Sosial")
    client.force_login(admin_user)

    unit = _save_unit(client, {"agency": agency.pk, "name": "dinas sosial"})
    same_agency = client.post(
        reverse("admin:organizations_agency_add"),
        {"code": "KAB-B", "name": agency.name.upper(), "kind": "regional", "level": "regency"},
    )

    for response, constraint in (
        (unit, "workunit_name_unique_per_parent"),
        (same_agency, "agency_name_unique_ci"),
    ):
        assert "name" in response.context["adminform"].form.errors
        assert constraint not in response.content.decode()
    assert WorkUnit.objects.filter(name__iexact="dinas sosial").count() == 1
