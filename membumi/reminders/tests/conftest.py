"""Reminders on top of the action-plan fixtures (participant's plan with ``mentor`` as mentor
and ``trainer`` as coach in a batch of ``institution``, organised by ``organizer``).

``live_plan`` is ``ready_plan`` forced into a state, with its three milestones (due 2026-03-15,
2026-06-15, 2026-12-15) and a transition into ``in_progress`` dated ``STARTED``. Time is frozen
with ``time_machine``; ``at(day)`` gives 09:00 in Jakarta on that day.
"""

import datetime as dt
import zoneinfo

import pytest

from membumi.action_plans.models import ActionPlan, PlanTransition
from membumi.action_plans.tests.conftest import (  # noqa: F401  (fixtures)
    _english,
    _fresh_plan_index,
    batch,
    enrollment,
    plan,
    problem,
    program,
    ready_plan,
)
from membumi.programs.tests.factories import force_state

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
STARTED = dt.datetime(2026, 2, 1, 9, 0, tzinfo=JAKARTA)


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def _addresses(participant, mentor, trainer, organizer, settings):
    settings.SITE_URL = "https://membumi.test"
    for user, address in (
        (participant, "peserta@example.go.id"),
        (mentor, "mentor@example.go.id"),
        (trainer, "coach@example.go.id"),
        (organizer, "penyelenggara@example.go.id"),
    ):
        user.email = address
        user.save(update_fields=["email"])


def make_live(a_plan, state="in_progress", started=STARTED) -> ActionPlan:
    live = force_state(a_plan, state)
    ActionPlan.objects.filter(pk=live.pk).update(approved_at=started)
    if state == "in_progress":
        transition = PlanTransition.objects.create(
            plan=live, action="start", from_state="approved", to_state="in_progress"
        )
        PlanTransition.objects.filter(pk=transition.pk).update(created_at=started)
    live.refresh_from_db()
    return live


@pytest.fixture
def live_plan(ready_plan):  # noqa: F811
    return make_live(ready_plan)
