"""The scheduler's bookkeeping. Reminders themselves are ``notifications.Notification`` rows.

``ScheduleSlot`` guards the periodic scheduler of ``membumi worker``: each job runs once per
time slot (``slot`` = minutes since the epoch // the job's interval). Whichever worker inserts
the (job, slot) row first enqueues the job, in the same transaction; the others hit the unique
constraint and enqueue nothing, so several workers never double-run a slot.
"""

from django.db import models


class ScheduleSlot(models.Model):
    job = models.CharField(max_length=50)
    slot = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="schedule_slot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.slot}"
