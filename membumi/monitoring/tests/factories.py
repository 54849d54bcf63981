"""Builders for monitoring tests (and for other apps' tests that need a plan with a recorded
measurement, since monitoring guards the plan's complete and verify steps)."""

import datetime as dt
from decimal import Decimal

from membumi.monitoring.enums import MeasurementState, UpdateState
from membumi.monitoring.models import Measurement, ProgressUpdate


def add_measurement(plan, value="100", *, state=UpdateState.ACCEPTED, measured_on=None, by=None):
    """A decided (or pending) progress update with one measurement, written directly."""
    update = ProgressUpdate.objects.create(
        plan=plan, agency_id=plan.agency_id, by=by, narrative="Pengukuran", state=state
    )
    measurement = Measurement.objects.create(
        plan=plan,
        update=update,
        agency_id=plan.agency_id,
        value=Decimal(str(value)),
        measured_on=measured_on or dt.date(2026, 6, 1),
        source="Catatan unit",
        state=MeasurementState(str(state)),
    )
    return update, measurement
