"""Indonesian stemming with Sastrawi, cached per word, and stems mapped back to words.

Sastrawi is a dictionary-based stemmer (Nazief-Adriani with improvements); it ships its
root-word dictionary inside the package, so nothing is downloaded. It costs about a third
of a millisecond per uncached word, so every word is stemmed once per process
(``functools.lru_cache``) and reused.

Stems are good for matching ("pelayanan", "layanan" and "dilayani" all become "layan") but
bad for reading. :class:`SurfaceForms` remembers, for every stem, how often each surface
word produced it, so labels can show "pelayanan" instead of "layan".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from .normalize import NumberMode, tokenize


@cache
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


# Words whose Sastrawi stem collides with an unrelated word that matters here.
STEM_OVERRIDES: dict[str, str] = {
    "berjalan": "berjalan",  # "program tidak berjalan" is not about roads ("jalan")
    "menjalankan": "berjalan",
    "dijalankan": "berjalan",
    "pelaku": "pelaku",  # "pelaku usaha", not "dilakukan"
    "bangunan": "bangunan",  # a building, not "pembangunan" (development)
    "pemerintah": "pemerintah",  # government, not "perintah" (an order)
}


@lru_cache(maxsize=262_144)
def stem_word(word: str) -> str:
    """Return the Sastrawi stem of one lower-case word.

    Words with digits or underscores ("k6", "p3ke", "_num_") are codes, not words, and
    are returned as they are. If Sastrawi strips a word to nothing, the word is kept.
    """
    if not word.replace("-", "").isalpha():
        return word
    if word in STEM_OVERRIDES:
        return STEM_OVERRIDES[word]
    stem = _stemmer().stem(word)
    return stem or word


def stem_tokens(tokens: Iterable[str]) -> list[str]:
    return [stem_word(t) for t in tokens]


def analyze(text: str, *, stem: bool = True, numbers: NumberMode = "drop") -> list[tuple[str, str]]:
    """Tokenise ``text`` (stop words removed) and return ``(stem, surface word)`` pairs."""
    tokens = tokenize(text, numbers=numbers)
    if not stem:
        return [(t, t) for t in tokens]
    return [(stem_word(t), t) for t in tokens]


class SurfaceForms:
    """Counts which surface word produced each stem, to turn stems back into words.

    >>> forms = SurfaceForms()
    >>> forms.add([("layan", "pelayanan"), ("layan", "pelayanan"), ("layan", "layanan")])
    >>> forms.word("layan")
    'pelayanan'
    """

    def __init__(self) -> None:
        self._counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        for stem, surface in pairs:
            self._counts[stem][surface] += 1

    def word(self, stem: str) -> str:
        """The most frequent surface word for ``stem``; ties go to the shorter, then
        alphabetically first word so the answer never depends on insertion order."""
        counts = self._counts.get(stem)
        if not counts:
            return stem
        return min(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]

    def phrase(self, term: str) -> str:
        """Map a space-separated n-gram of stems to surface words."""
        return " ".join(self.word(part) for part in term.split(" "))

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {stem: dict(sorted(c.items())) for stem, c in sorted(self._counts.items())}

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, int]]) -> SurfaceForms:
        forms = cls()
        for stem, counts in data.items():
            forms._counts[stem].update(counts)
        return forms

    def __len__(self) -> int:
        return len(self._counts)


def surface_forms_for(texts: Sequence[str], *, stem: bool = True) -> SurfaceForms:
    forms = SurfaceForms()
    for text in texts:
        forms.add(analyze(text, stem=stem))
    return forms
