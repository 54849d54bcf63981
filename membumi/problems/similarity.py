"""Similar problems: the problem bank's adapter over the text analytics in ``membumi.text``.

The rest of the app asks one question — "which problems in the whole bank read like this
text?" — through ``rank()``. The answer is unscoped (ids and scores); callers split it into
what the user may see and an aggregate of the rest (``queries.similar_for_user``), so no
scope rule lives here.

The index over the bank is built once per process and rebuilt when the bank changes (a cheap
``COUNT``/``MAX`` query detects that). Closed problems and duplicates are not indexed: nobody
should join them.
"""

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from .enums import ProblemState
from .models import Problem

MIN_SCORE = 0.2
"""Matches below this cosine similarity are noise for a reader."""

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


class _OverlapEngine:
    """Stand-in used only until ``membumi.text`` provides its index: Dice overlap of word sets.
    Deliberately crude; it keeps the feature working, it is not the product's similarity."""

    def __init__(self, ids: list[int], texts: list[str]):
        self.ids = ids
        self.sets = [self._words(t) for t in texts]

    @staticmethod
    def _words(text: str) -> frozenset[str]:
        words = "".join(c if c.isalnum() else " " for c in text.casefold()).split()
        return frozenset(w for w in words if len(w) > 2)

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        query = self._words(text)
        if not query:
            return []
        scored = []
        for pk, words in zip(self.ids, self.sets, strict=True):
            common = len(query & words)
            if common:
                scored.append((pk, 2 * common / (len(query) + len(words))))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:k]


def _make_engine(ids: list[int], texts: list[str]):
    try:
        from membumi.text import TextIndex
    except ImportError:  # membumi.text not installed yet in this checkout
        return _OverlapEngine(ids, texts)
    return TextIndex(zip(ids, texts, strict=True))


@dataclass
class _Index:
    version: tuple
    engine: object


_lock = threading.Lock()
_current: _Index | None = None


def _indexed():
    return Problem.objects.filter(state__in=INDEXED_STATES)


def _version() -> tuple:
    figures = _indexed().aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (figures["n"], figures["last"], figures["top"])


def _index() -> _Index:
    global _current
    version = _version()
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:
        if _current is not None and _current.version == version:
            return _current
        ids, texts = [], []
        for pk, title, statement in (
            _indexed().order_by("id").values_list("id", "title", "statement")
        ):
            ids.append(pk)
            texts.append(f"{title}. {statement}")
        _current = _Index(version=version, engine=_make_engine(ids, texts))
        return _current


def invalidate() -> None:
    """Drop the cached index (tests; after bulk changes made outside the ORM)."""
    global _current
    with _lock:
        _current = None


def rank(
    text: str, *, limit: int = 200, min_score: float = MIN_SCORE, exclude=frozenset()
) -> list[Match]:
    """Problems of the whole bank most similar to ``text``, best first, score in [0, 1]."""
    text = (text or "").strip()
    if not text:
        return []
    hits = _index().engine.query(text, limit + len(exclude))
    matches = [
        Match(int(pk), round(min(1.0, float(score)), 3))
        for pk, score in hits
        if score >= min_score and pk not in exclude
    ]
    return matches[:limit]
