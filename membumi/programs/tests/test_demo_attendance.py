"""The demo world's attendance step: sessions of the running batch, some participants below
the minimum, one pending mentor change proposal; running the world again adds nothing."""

from membumi.demo import world as demo
from membumi.demo.attendance import build_attendance
from membumi.programs import queries
from membumi.programs.models import Attendance, MentorChangeProposal, Session


def test_demo_attendance(demo_world):
    world = demo.World()
    for step in demo.STEPS:
        step(world)  # loads what the demo_world command built
    batch = world.batches["imunisasi"]

    sessions = Session.objects.filter(batch=batch)
    assert sessions.count() == batch.program.modules.count()
    assert Attendance.objects.filter(session__batch=batch, status="absent").exists()
    board = queries.pass_board(batch)
    below = [e for e in board if e.state == "active" and not e.figures.sufficient]
    above = [e for e in board if e.state == "active" and e.figures.sufficient]
    assert below and above
    peserta = next(e for e in board if e.employee.nip == demo_world_nip())
    assert peserta.figures.sufficient
    pending = list(MentorChangeProposal.objects.filter(state="pending"))
    # The mover may also carry an open plan from an earlier batch: one proposal each.
    proposal = next(p for p in pending if p.enrollment.batch_id == batch.pk)
    assert proposal.proposed_mentor is not None
    assert proposal.proposed_mentor.work_unit.name == "Puskesmas Sakra"
    assert {p.enrollment.employee_id for p in pending} == {proposal.enrollment.employee_id}

    assert build_attendance(world) is False
    assert MentorChangeProposal.objects.count() == len(pending)


def demo_world_nip():
    from membumi.accounts.models import User

    return User.objects.get(username="peserta").employee.nip
