"""Similar problems: the problem bank's adapter over the text analytics in ``membumi.text``.

The rest of the app asks one question — "which problems in the whole bank read like this
text?" — through ``rank()``. The answer is unscoped (ids and scores); callers split it into
what the user may see and an aggregate of the rest (``queries.similar_for_user``), so no
scope rule lives here.

The index over the bank is built once per process (``TextIndex``: about 20 s for 100,000
problems, so not on every change). Problems submitted after it are searched in a second,
small index that is rebuilt whenever one is added; the main index is rebuilt when that
second one grows past ``MAX_RECENT``, or after ``REBUILD_AFTER_SECONDS`` when a text was
edited. States are read from the database at query time: closed problems and duplicates
are never suggested (nobody should join them).
"""

import threading
import time
from dataclasses import dataclass

from django.db.models import Max

from membumi.text import DUPLICATE_THRESHOLD, TextIndex

from .enums import ProblemState
from .models import Problem

MIN_SCORE = 0.2
"""Matches below this cosine similarity are noise for a reader."""

LIKELY_DUPLICATE = DUPLICATE_THRESHOLD
"""At or above this score two problems are probably the same one (membumi.text measured
F1 ≈ 0.85–0.9 at it on its evaluation set): the page says so."""

INDEXED_STATES = [
    ProblemState.OPEN,
    ProblemState.VALIDATED,
    ProblemState.ADDRESSED,
    ProblemState.RESOLVED,
]


@dataclass(frozen=True)
class Match:
    problem_id: int
    score: float  # 0..1


REBUILD_AFTER_SECONDS = 15 * 60
"""A main index older than this is rebuilt when the bank has changed since (edited texts)."""

MAX_RECENT = 2000
"""Problems newer than the main index are searched in a small second index; past this many,
the main index is rebuilt instead."""


@dataclass
class _Index:
    """The main index over every problem up to ``top_id``, and a small index over the
    problems submitted since (rebuilt cheaply whenever one is added)."""

    top_id: int
    built_at: float
    changed_at: object  # MAX(updated_at) when the main index was built
    main: TextIndex
    recent_top: int = 0
    recent: TextIndex | None = None

    def query(self, text: str, limit: int, min_score: float, exclude) -> list[tuple[int, float]]:
        hits = self.main.query(text, limit, min_score=min_score, exclude=exclude)
        if self.recent is not None:
            hits += self.recent.query(text, limit, min_score=min_score, exclude=exclude)
            hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:limit]


_lock = threading.Lock()
_current: _Index | None = None


def _texts(qs) -> list[tuple[int, str]]:
    return [
        (pk, f"{title}. {statement}")
        for pk, title, statement in qs.order_by("id").values_list("id", "title", "statement")
    ]


def _build() -> _Index:
    figures = Problem.objects.aggregate(top=Max("id"), last=Max("updated_at"))
    top = figures["top"] or 0
    main = TextIndex(_texts(Problem.objects.filter(pk__lte=top)))
    return _Index(top_id=top, built_at=time.monotonic(), changed_at=figures["last"], main=main)


def _stale(index: _Index, top_id: int) -> bool:
    if top_id - index.top_id > MAX_RECENT or top_id < index.top_id:
        return True
    if time.monotonic() - index.built_at < REBUILD_AFTER_SECONDS:
        return False
    return Problem.objects.aggregate(last=Max("updated_at"))["last"] != index.changed_at


def _index() -> _Index:
    """The current index: one cheap ``MAX(id)`` query per call; a rebuild only when many
    problems were added, or after ``REBUILD_AFTER_SECONDS`` when something was edited."""
    global _current
    top_id = Problem.objects.aggregate(top=Max("id"))["top"] or 0
    with _lock:
        index = _current
        if index is None or _stale(index, top_id):
            index = _current = _build()
        if top_id > index.top_id and index.recent_top != top_id:
            index.recent = TextIndex(_texts(Problem.objects.filter(pk__gt=index.top_id)))
            index.recent_top = top_id
        return index


def invalidate() -> None:
    """Drop the cached index (tests; after bulk changes made outside the ORM)."""
    global _current
    with _lock:
        _current = None


def rank(
    text: str, *, limit: int = 200, min_score: float = MIN_SCORE, exclude=frozenset()
) -> list[Match]:
    """Problems of the bank most similar to ``text``, best first, score in [0, 1]. Closed
    problems and duplicates are left out (their state is read now, not from the index)."""
    text = (text or "").strip()
    if not text:
        return []
    hits = _index().query(text, 2 * limit, min_score, exclude)
    live = set(
        Problem.objects.filter(
            pk__in=[pk for pk, _score in hits], state__in=INDEXED_STATES
        ).values_list("pk", flat=True)
    )
    return [Match(int(pk), round(min(1.0, float(score)), 3)) for pk, score in hits if pk in live][
        :limit
    ]
