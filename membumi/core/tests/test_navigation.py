"""The main navigation marks exactly one item as the current page."""

import pytest
from django.urls import reverse

from membumi.core.navigation import navigation_for


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "home"),
        ("/employees/", "organizations:employee_list"),
        ("/employees/199001012015011001/", "organizations:employee_list"),
        ("/employees/import/", "organizations:import_start"),
        ("/employees/import/3/", "organizations:import_start"),
    ],
)
def test_one_item_is_current(admin_user, path, current):
    items = navigation_for(admin_user, path)

    assert [item.url for item in items if item.active] == [reverse(current)]


def test_programs_and_my_training_not_both_current(organizer):
    items = navigation_for(organizer, reverse("programs:my_training"))

    assert {reverse("programs:program_list"), reverse("programs:my_training")} <= {
        item.url for item in items
    }
    assert [item.url for item in items if item.active] == [reverse("programs:my_training")]
