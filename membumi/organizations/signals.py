"""Signals that later stages listen to, so organizations never imports them (the later stage
plugs into the earlier one)."""

from dataclasses import dataclass

from django.dispatch import Signal

# The employee fields whose change may matter to a later stage (people move).
WATCHED_FIELDS = ("agency_id", "work_unit_id", "supervisor_id", "is_active")


@dataclass(frozen=True)
class EmployeeChange:
    """An employee whose watched fields changed: which ones, and their values before."""

    employee_id: int
    fields: frozenset[str]
    before: dict


# Sent by the employee import inside each chunk's transaction with ``changes`` (a list of
# ``EmployeeChange``): employees whose agency, work unit, direct supervisor or active flag the
# file changed. A receiver's failure rolls the chunk back, so the change and what a later
# stage records about it are written together.
employees_changed = Signal()


def watched_changes(current: dict, new: dict) -> frozenset[str]:
    return frozenset(f for f in WATCHED_FIELDS if f in new and current.get(f) != new[f])
