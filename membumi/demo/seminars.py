"""Demo step for the plan seminar (membumi/seminars): the immunisation program holds seminars
with the default rubric in Indonesian, and its running batch has an open *seminar rancangan*
on 3 December 2026 at the BPSDM with the demo examiner ``penguji``.

``penguji`` scores the batch's submitted (or later) plans that exist when the step runs, all
but the last one, so the demo shows both a scored plan and one still to score; the
organizer can then see what is missing before finalising. Without plans, the session is
created with no score. Idempotent: a session of the batch is the marker.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from membumi.demo.world import World

SEMINAR_DAY = dt.date(2026, 12, 3)
SEMINAR_PLACE = "Aula Rinjani, Kampus BPSDM Provinsi NTB, Mataram"
DEMO_CRITERIA = (
    ("Relevansi dengan masalah", "Rencana menjawab masalah unit kerja yang telah divalidasi dan akar masalahnya."),
    ("Kelayakan", "Dalam kewenangan peserta, sumber daya dan waktu yang tersedia."),
    ("Keterukuran", "Indikator, baseline dan target membuat perubahan dapat diukur."),
    ("Dukungan pemangku kepentingan", "Pihak yang dukungannya dibutuhkan telah disebut dan dilibatkan."),
    ("Inovasi", "Cara kerja baru atau lebih baik bagi unit kerja."),
)  # fmt: skip
NOTES = (
    "Rencana layak dilanjutkan; pastikan data dasar diverifikasi bersama mentor.",
    "Perkuat peran lintas sektor dan jadwalkan rapat koordinasi di bulan pertama.",
    "Target cukup menantang; sertakan rencana cadangan bila anggaran tidak tersedia.",
)


def build_seminars(world: World) -> bool:
    from membumi.demo.world import SEED, _at, _organizer
    from membumi.seminars import queries, services
    from membumi.seminars.models import SeminarSession

    batch = world.batches.get("imunisasi")
    examiner = world.users.get("penguji")
    if batch is None or examiner is None:
        return False
    if SeminarSession.objects.filter(batch=batch).exists():
        return False

    organizer = _organizer(world)
    program = batch.program
    config = queries.config_for(program)
    if config is None or not config.enabled:
        services.seminar_config_save(
            program=program,
            by=organizer,
            enabled=True,
            pass_mark=70,
            criteria=[
                {"name": name, "description": description, "weight": 20, "max_score": 100}
                for name, description in DEMO_CRITERIA
            ],
        )
    session = services.seminar_session_create(
        batch=batch,
        by=organizer,
        kind="rancangan",
        starts_at=_at(SEMINAR_DAY, 8, 30),
        place=SEMINAR_PLACE,
        examiners=[examiner],
    )

    rng = random.Random(SEED)
    criteria = queries.criteria_for(program)
    plans = list(queries.examined_plans(session).order_by("enrollment__employee__nip", "pk"))
    for n, plan in enumerate(plans[:-1]):
        services.score_save(
            session=session,
            plan=plan,
            by=examiner,
            values={c.pk: rng.randint(62, 92) for c in criteria},
            comments={criteria[0].pk: "Masalah dan akar masalah dijelaskan dengan data."},
            note=NOTES[n % len(NOTES)],
        )
    return True
