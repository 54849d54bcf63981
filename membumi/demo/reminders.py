"""Demo step for the reminders (membumi/reminders): one reminder pass as of ``DEMO_TODAY``.

Registered at the very end of ``world.STEPS``, after every step that makes plans, milestones,
progress updates and follow-ups, so ``peserta``, ``mentor`` and the others find their reminders
in the notification centre (and, once the worker runs, in the demo's mail folder). The pass
includes the extra passes of ``REMINDER_PASSES`` (follow-up reminders).

Idempotent: every reminder has a unique key, so a second build creates nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:  # pragma: no cover
    from membumi.demo.world import World

DEMO_HOUR = 7  # the pass runs early in the demo's morning


def build_reminders(world: World) -> bool:
    from membumi.demo.world import DEMO_TODAY
    from membumi.reminders.services import reminder_pass

    now = timezone.make_aware(dt.datetime.combine(DEMO_TODAY, dt.time(DEMO_HOUR)))
    counts = reminder_pass(now=now)
    made = sum(v for v in counts.values() if v)
    if made:
        detail = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
        world.notes.append(f"Reminders in the notification centre: {made} ({detail}).")
    return made > 0
