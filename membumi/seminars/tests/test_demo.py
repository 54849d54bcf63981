"""The demo world's seminar: penguji examines an open seminar rancangan of the running batch."""

from io import StringIO

import pytest
from django.urls import reverse

from membumi.accounts.enums import Role
from membumi.accounts.models import User
from membumi.demo import world
from membumi.seminars import queries
from membumi.seminars.models import Score, SeminarSession


@pytest.mark.django_db
def test_demo_world_has_an_open_seminar_for_penguji(client):
    world.build(stdout=StringIO())
    penguji = User.objects.get(username="penguji")
    session = SeminarSession.objects.select_related("batch__program").get()
    scores = Score.objects.count()
    examined = queries.examined_plans(session).count()

    world.build(stdout=StringIO())  # a second run adds nothing

    assert penguji.check_password(world.DEMO_PASSWORD)
    assert penguji.role_assignments.get().role == Role.EXAMINER
    assert session.state == "open" and list(session.examiners.all()) == [penguji]
    assert session.batch.name == "Angkatan I 2026"
    assert queries.config_for(session.batch.program).enabled
    assert queries.criteria_for(session.batch.program)[0].name == ("Relevansi dengan masalah")
    assert scores == max(examined - 1, 0)  # every examined plan but the last one is scored
    assert SeminarSession.objects.count() == 1 and Score.objects.count() == scores
    client.force_login(penguji)
    page = client.get(reverse("seminars:session_list")).content.decode()
    assert reverse("seminars:session_detail", args=[session.pk]) in page
