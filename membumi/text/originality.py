"""Originality of action plans: near-duplicates against every plan ever written.

A plan copied from an earlier batch keeps most of its words: the title, the goal and the
milestones come back with another unit name, other numbers, a few synonyms and the
milestones in another order. :class:`PlanIndex` finds such copies among all plans (same
institution and nationwide, all years) with the TF-IDF index of :mod:`.similarity`
(:class:`~membumi.text.similarity.TextIndex`, reused as it is): the plan text is its
title, goal and milestones (:func:`plan_text`); numbers are dropped by the normalisation,
and word order does not count, so reordered milestones and changed figures do not hide a
copy.

**Program boilerplate.** Plans of one program share words that say which program they
belong to, not what they change: "aktualisasi", "nilai-nilai dasar BerAKHLAK",
"konsultasi dengan mentor", "laporan aktualisasi", "tim efektif", "laporan proyek
perubahan". Two unrelated Latsar plans would look alike through them. Those words and
phrases (:data:`PROGRAM_BOILERPLATE`) are removed from every plan before indexing (weight
0), after normalisation and stemming, so every inflection goes too. What remains is
weighted by inverse document frequency over all plans, which already down-weights the
verbs every plan uses ("menyusun", "melaksanakan", "sosialisasi").

**Title and goal apart from the milestones.** Two plans on the same idea by different
people share title and goal words; a copy also shares its steps. The head (title, goal)
and the milestones are two TF-IDF parts, each normalised on its own and weighed by
:data:`HEAD_WEIGHT`, and the milestone part leaves out the words of the plan's own head.

``check`` answers with plan ids and similarities only. Who may see what is the caller's
business: the similar plans are for the coach and the organizer, never for other
participants (issue 4).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from functools import cache
from typing import NamedTuple

import numpy as np
from scipy import sparse

from .similarity import IndexConfig, TextIndex
from .stem import analyze

HEAD_WEIGHT = 0.35
"""Share of the score that comes from the title and goal; the rest comes from the
milestones. Both parts are TF-IDF vectors normalised on their own, so the similarity is
``HEAD_WEIGHT * cos(heads) + (1 - HEAD_WEIGHT) * cos(milestones)``. With one vector for the
whole plan, two plans on the same idea (alike title and goal, other milestones) looked like
copies: the short head carried the rare topic words."""

BODY_DROPS_HEAD_WORDS = True

ORIGINALITY_THRESHOLD = 0.54
"""Plans at or above this cosine similarity are reported as probable copies. Chosen on
the tune half of ``data/eval_plans.csv`` and reported on the other half by
``bench/plan_originality.py`` (see README.md)."""

# Phrases and words that mark the program, not the plan. Matched after normalisation,
# stop-word removal and stemming, longest phrase first. Words that are also content in
# some plans stay ("pelayanan", "laporan", "nilai", "perubahan" alone, "kegiatan").
PROGRAM_BOILERPLATE: tuple[str, ...] = (
    # Latsar: aktualisasi of the ASN core values
    "aktualisasi",
    "mengaktualisasikan",
    "habituasi",
    "nilai-nilai dasar",
    "nilai dasar",
    "nilai-nilai berakhlak",
    "nilai berakhlak",
    "berakhlak",
    "core values",
    "berorientasi pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
    "latsar",
    "cpns",
    "pelatihan dasar",
    "rancangan aktualisasi",
    "rencana aktualisasi",
    "laporan aktualisasi",
    "wujud aktualisasi",
    "bentuk aktualisasi",
    # PKA / PKP / PKN: proyek perubahan / aksi perubahan
    "proyek perubahan",
    "aksi perubahan",
    "rencana aksi",
    "laporan proyek perubahan",
    "tim efektif",
    "agenda perubahan",
    "milestone",
    "jangka pendek",
    "jangka menengah",
    "jangka panjang",
    # the people of the training, not of the plan
    "mentor",
    "coach",
    "coaching",
    "widyaiswara",
    "konsultasi dengan mentor terkait",
    "konsultasi dengan mentor mengenai",
    "konsultasi dengan mentor",
    "konsultasi mentor",
    "atasan langsung",
    "seminar rancangan",
)


_HEAD, _BODY = "h:", "m:"


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem for stem, _ in analyze(text))


@cache
def _boilerplate() -> tuple[tuple[str, ...], ...]:
    """Boilerplate phrases as stem tuples, longest first, without duplicates."""
    phrases = {_stems(p) for p in PROGRAM_BOILERPLATE}
    phrases.discard(())
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


def strip_boilerplate(stems: list[str]) -> list[str]:
    """Remove program boilerplate phrases from a list of stems (longest match first)."""
    phrases = _boilerplate()
    firsts = {p[0] for p in phrases}
    out: list[str] = []
    i = 0
    n = len(stems)
    while i < n:
        if stems[i] in firsts:
            for phrase in phrases:
                k = len(phrase)
                if tuple(stems[i : i + k]) == phrase:
                    i += k
                    break
            else:
                out.append(stems[i])
                i += 1
        else:
            out.append(stems[i])
            i += 1
    return out


def _sentences(parts: Iterable[str]) -> str:
    cleaned = (" ".join((p or "").split()).rstrip(".") for p in parts)
    return ". ".join(p for p in cleaned if p)


def plan_text(title: str, goal: str, milestones: Iterable[str] = ()) -> str:
    """The text of a plan that originality compares: title and goal on the first line,
    the milestone texts (titles and outputs) on the second, one sentence each.
    :class:`PlanIndex` weighs the two lines separately (:data:`HEAD_WEIGHT`)."""
    head = _sentences([title, goal])
    body = _sentences(milestones)
    return f"{head}\n{body}" if head and body else head or body


class SimilarPlan(NamedTuple):
    plan_id: Hashable
    similarity: float  # cosine, 0..1


class PlanIndex(TextIndex):
    """TF-IDF index over plan texts with program boilerplate removed.

    >>> index = PlanIndex([(1, "Bank sampah RW. Mengurangi sampah ke TPA"), (2, "Antrean KTP")])
    >>> index.check("Bank sampah di RW untuk mengurangi sampah ke TPA", plan_id=9)[0].plan_id
    1

    Everything else (``query``, ``similar_to``, ``near_duplicates``, ``save``/``load``)
    is :class:`TextIndex`'s; only the tokens differ.
    """

    def __init__(
        self,
        items: Iterable[tuple[Hashable, str]],
        *,
        config: IndexConfig | None = None,
        strip: bool = True,
    ) -> None:
        self._strip = strip
        super().__init__(items, config=config)
        if len(self):
            self._set_matrix(self._weigh(self._matrix))

    def _part_tokens(self, text: str) -> list[str]:
        tokens = super()._tokens(text)
        return strip_boilerplate(tokens) if getattr(self, "_strip", True) else tokens

    def _tokens(self, text: str) -> list[str]:
        """Head (title, goal) words prefixed ``h:``, milestone words ``m:``. A text without
        the line break of :func:`plan_text` (free text, a plan without milestones) is used
        for both parts."""
        head, sep, body = (text or "").partition("\n")
        head_tokens = self._part_tokens(head)
        body_tokens = self._part_tokens(body) if sep else head_tokens
        if sep and BODY_DROPS_HEAD_WORDS:
            seen = set(head_tokens)
            body_tokens = [t for t in body_tokens if t not in seen] or body_tokens
        return [f"{_HEAD}{t}" for t in head_tokens] + [f"{_BODY}{t}" for t in body_tokens]

    def _head_columns(self) -> np.ndarray:
        size = len(self._word.vocabulary_) if hasattr(self._word, "vocabulary_") else -1
        cached = getattr(self, "_head_mask", None)
        if cached is None or cached.size != size:
            terms = self._word.get_feature_names_out()
            cached = np.char.startswith(terms.astype(np.str_), _HEAD)
            self._head_mask = cached
        return cached

    def _weigh(self, matrix: sparse.spmatrix) -> sparse.csr_matrix:
        """Scale each row so the head part has norm sqrt(w) and the milestone part
        sqrt(1 - w): the dot product of two rows is then the weighted sum of the cosines."""
        m = sparse.csr_matrix(matrix, dtype=np.float32, copy=True)
        if m.nnz == 0:
            return m
        head = self._head_columns()[m.indices]
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        sq = m.data.astype(np.float64) ** 2
        n_head = np.bincount(rows, weights=sq * head, minlength=m.shape[0])
        n_body = np.bincount(rows, weights=sq * ~head, minlength=m.shape[0])
        # a part with no known word keeps weight 0; the other part does not grow
        with np.errstate(divide="ignore", invalid="ignore"):
            scale_head = np.where(n_head > 0, np.sqrt(HEAD_WEIGHT / n_head), 0.0)
            scale_body = np.where(n_body > 0, np.sqrt((1 - HEAD_WEIGHT) / n_body), 0.0)
        m.data = (m.data * np.where(head, scale_head[rows], scale_body[rows])).astype(np.float32)
        m.eliminate_zeros()
        return m

    def _vectorize(self, texts):
        return self._weigh(super()._vectorize(texts))

    def add(self, items: Iterable[tuple[Hashable, str]]) -> None:
        """Append plans without rebuilding: they are weighted with this index's vocabulary
        and idf, so their scores compare with the rest. Words the index has never seen
        are ignored until the next full build (rebuild now and then, e.g. nightly)."""
        items = list(items)
        if not items:
            return
        if not len(self):
            raise ValueError("an empty index has no vocabulary: build it with the plans")
        new_ids = [item_id for item_id, _ in items]
        if len(set(new_ids)) != len(new_ids) or any(i in self for i in new_ids):
            raise ValueError("ids must be unique")
        rows = self._vectorize([text for _, text in items])
        self._set_ids([*self._ids, *new_ids])
        self._set_matrix(sparse.vstack([self._matrix, rows], format="csr"))

    def check(
        self,
        text: str,
        limit: int = 10,
        *,
        plan_id: Hashable | None = None,
        threshold: float = ORIGINALITY_THRESHOLD,
    ) -> list[SimilarPlan]:
        """Plans at least ``threshold`` similar to ``text``, most similar first, leaving
        out ``plan_id`` (the plan being checked, if it is already indexed)."""
        exclude = () if plan_id is None else (plan_id,)
        hits = self.query(text, limit, min_score=threshold, exclude=exclude)
        return [SimilarPlan(pid, score) for pid, score in hits]

    def check_plan(
        self, plan_id: Hashable, limit: int = 10, *, threshold: float = ORIGINALITY_THRESHOLD
    ) -> list[SimilarPlan]:
        """Like :meth:`check` for a plan already in the index."""
        hits = self.similar_to(plan_id, limit, min_score=threshold)
        return [SimilarPlan(pid, score) for pid, score in hits]


__all__ = [
    "HEAD_WEIGHT",
    "ORIGINALITY_THRESHOLD",
    "PROGRAM_BOILERPLATE",
    "PlanIndex",
    "SimilarPlan",
    "plan_text",
    "strip_boilerplate",
]
