import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.evaluation import queries, services
from membumi.evaluation.models import FollowUp
from membumi.evaluation.reminders import followup_schedule_pass

from .conftest import DUE_3, GOOD, LAST_3, end_batch, enrol, make_person, make_plan

pytestmark = pytest.mark.django_db

ALL = {code: 0 for code in GOOD}


def everyone(batch, organizer, agency, unit, mentor, enrollment, n):
    """``n`` more participants with the same mentor and approved plans, batch ended."""
    users, enrolments = [], [enrollment]
    for _ in range(n):
        user = make_person(agency, unit=unit, supervisor=mentor.employee)
        e = enrol(batch, organizer, user)
        make_plan(e)
        users.append(user)
        enrolments.append(e)
    end_batch(batch, *enrolments)
    followup_schedule_pass(today=DUE_3)
    return users, enrolments


def form(enrollment, role):
    return FollowUp.objects.get(enrollment=enrollment, role=role, offset_months=3)


def answer(f, by, status, value=None, ratings=None, reason=""):
    services.follow_up_respond(
        follow_up=f,
        by=by,
        plan_status=status,
        stop_reason=reason,
        ratings=ratings or {code: value for code in GOOD},
        today=DUE_3 + dt.timedelta(days=2),
    )


def test_rollup_equals_a_hand_count(
    batch, organizer, agency, unit, mentor, participant, enrollment, plan
):
    (p2, _p3), (e1, e2, e3) = everyone(batch, organizer, agency, unit, mentor, enrollment, 2)
    answer(form(e1, "participant"), participant, "continuing", ratings=GOOD)
    answer(form(e1, "mentor"), mentor, "stopped", 2, reason="Anggaran dipotong")
    answer(form(e2, "participant"), p2, "completed", 5)
    answer(form(e3, "mentor"), mentor, "continuing", 3)

    rollup = queries.batch_rollup(batch, today=DUE_3 + dt.timedelta(days=3))
    assert [o.months for o in rollup.offsets] == [3, 6, 12]
    three = rollup.offsets[0]
    roles = {r.role: r for r in three.roles}
    me, them = roles["participant"], roles["mentor"]
    assert (me.forms, me.answered, me.still_open, me.rate) == (3, 2, 1, 67)
    assert (me.continuing, me.completed, me.stopped) == (1, 1, 0)
    assert (them.forms, them.answered, them.still_open, them.rate) == (3, 2, 1, 67)
    assert (them.continuing, them.completed, them.stopped) == (1, 0, 1)

    # The hand count, from the rows themselves.
    for role, figures in roles.items():
        rows = FollowUp.objects.filter(batch=batch, offset_months=3, role=role)
        answered = [f for f in rows if f.answered_at]
        assert figures.forms == len(rows)
        assert figures.answered == len(answered)
        for status in ("continuing", "completed", "stopped"):
            assert getattr(figures, status) == sum(f.plan_status == status for f in answered)
    items = {i.code: i for i in three.items}
    assert list(items) == list(GOOD)
    assert (items["applies"].self_avg, items["applies"].self_n) == (4.5, 2)  # 4 and 5
    assert (items["involves"].self_avg, items["uses_data"].self_avg) == (4.0, 5.0)
    assert (items["applies"].mentor_avg, items["applies"].mentor_n) == (2.5, 2)  # 2 and 3
    assert items["applies"].gap == 2.0
    assert [(f.enrollment_id, f.stop_reason) for f in rollup.stops] == [
        (e1.pk, "Anggaran dipotong")
    ]
    later = rollup.offsets[1]
    assert all(r.forms == 0 and r.rate is None for r in later.roles)
    assert all(i.self_avg is None and i.mentor_avg is None for i in later.items)
    # After the window, nothing is "still open".
    closed = queries.batch_rollup(batch, today=LAST_3 + dt.timedelta(days=1))
    assert closed.offsets[0].roles[0].still_open == 0


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_rollup_page_queries_do_not_grow_with_rows(
    client, batch, organizer, agency, unit, mentor, participant, enrollment, plan, time_machine
):
    time_machine.move_to(dt.datetime(2026, 6, 22, 10, 0), tick=False)
    users = [make_person(agency, unit=unit, supervisor=mentor.employee) for _ in range(4)]
    others = [enrol(batch, organizer, user) for user in users]
    end_batch(batch, enrollment, *others)
    followup_schedule_pass(today=DUE_3)
    answer(form(enrollment, "participant"), participant, "stopped", 3, reason="Pindah tugas")
    client.force_login(organizer)
    url = reverse("evaluation:batch_rollup", args=[batch.pk])
    one, _ = _queries(client, url)
    # The others' plans are approved (late): their forms open on the next pass.
    for e in others:
        make_plan(e)
    assert followup_schedule_pass(today=DUE_3 + dt.timedelta(days=1)) == 8
    for user, e in zip(users, others, strict=True):
        answer(form(e, "participant"), user, "stopped", 4, reason="Mutasi")
        answer(form(e, "mentor"), mentor, "completed", 2)
    many, response = _queries(client, url)
    assert one == many
    assert response.content.decode().count("Mutasi") == 4


def test_rollup_list_queries_do_not_grow_with_rows(
    client, organizer, program, trainer, time_machine
):
    from membumi.programs.tests.factories import force_state, make_batch

    time_machine.move_to(dt.datetime(2026, 6, 22, 10, 0), tick=False)
    client.force_login(organizer)
    force_state(make_batch(program, organizer, trainer, name="A"), "follow_up")
    one, _ = _queries(client, reverse("evaluation:rollup_list"))
    for name in "BCDE":
        force_state(make_batch(program, organizer, trainer, name=name), "closed")
    many, response = _queries(client, reverse("evaluation:rollup_list"))
    assert one == many
    assert response.content.decode().count('data-testid="rollup-batch"') == 5
