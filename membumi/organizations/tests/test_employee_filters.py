"""The employee list never shows more than was asked for."""

from django.urls import reverse

from membumi.testing.factories import EmployeeFactory, WorkUnitFactory


def test_filter_outside_scope_shows_nobody_and_says_why(client, viewer, agency, other_agency):
    EmployeeFactory(agency=agency, name="Siti Aminah")
    EmployeeFactory(agency=agency, name="Budi Hartono")
    client.force_login(viewer)

    response = client.get(
        reverse("organizations:employee_list"), {"q": "siti", "agency": other_agency.code}
    )

    assert list(response.context["page_obj"]) == []
    assert "agency" in response.context["form"].errors
    assert "Budi Hartono" not in response.content.decode()


def test_unknown_unit_does_not_drop_the_search(client, viewer, agency):
    EmployeeFactory(agency=agency, name="Siti Aminah")
    EmployeeFactory(agency=agency, name="Budi Hartono")
    gone = WorkUnitFactory(agency=agency)
    gone_pk = gone.pk
    gone.delete()
    client.force_login(viewer)

    response = client.get(reverse("organizations:employee_list"), {"q": "siti", "unit": gone_pk})

    assert "Budi Hartono" not in [e.name for e in response.context["page_obj"]]


def test_valid_filters_still_apply(client, viewer, agency):
    EmployeeFactory(agency=agency, name="Siti Aminah")
    EmployeeFactory(agency=agency, name="Budi Hartono")
    client.force_login(viewer)

    response = client.get(reverse("organizations:employee_list"), {"q": "siti", "page": "1"})

    assert [e.name for e in response.context["page_obj"]] == ["Siti Aminah"]
