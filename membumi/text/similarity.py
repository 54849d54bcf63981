"""TF-IDF similarity index over short Indonesian texts: similar-problem search and
near-duplicate detection.

Texts go through :func:`membumi.text.stem.analyze` (normalise, drop stop words, stem),
then a scikit-learn ``TfidfVectorizer`` (sublinear tf, smoothed idf, L2 norm). Cosine
similarity of two rows is their dot product, so scores lie in [0, 1].

Speed: the index keeps the document matrix twice, as rows (for pairwise work) and as its
transpose in CSR (an inverted index: one row per term). A query touches only the posting
lists of its own terms, then ``argpartition`` picks the top results, so a query over
100,000 texts takes a few milliseconds (see ``bench/text_speed.py``).

Persistence without pickle: :meth:`TextIndex.save` writes plain arrays to one ``.npz``
file and :meth:`TextIndex.load` restores an index that answers exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .stem import analyze

# Chosen on the evaluation set (bench/text_quality.py: tuned on one half, reported on
# the other). Pairs at or above this cosine are reported as near-duplicates.
DUPLICATE_THRESHOLD = 0.36

_FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexConfig:
    """Feature settings. The defaults are the ones the benchmark measured best.

    ``word_ngrams=(1, 2)`` adds word bigrams and ``char_ngrams=(3, 5)`` adds character
    n-grams (weighted by ``char_weight``); on the evaluation set neither improved
    duplicate F1 or top-1 retrieval, so both are off.
    """

    stem: bool = True
    word_ngrams: tuple[int, int] = (1, 1)
    char_ngrams: tuple[int, int] | None = None
    char_weight: float = 0.5
    sublinear_tf: bool = True
    min_df: int = 1


def _passthrough(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def _word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    out: list[str] = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class TextIndex:
    """Similarity index over ``(id, text)`` pairs.

    >>> index = TextIndex([("a", "Antrean KTP panjang"), ("b", "Stunting balita tinggi")])
    >>> index.query("antrian ktp-el", limit=1)[0][0]
    'a'
    """

    def __init__(
        self, items: Iterable[tuple[Hashable, str]], *, config: IndexConfig | None = None
    ) -> None:
        self.config = config or IndexConfig()
        ids: list[Hashable] = []
        docs: list[list[str]] = []
        for item_id, text in items:
            ids.append(item_id)
            docs.append(self._tokens(text))
        self._set_ids(ids)
        self._word = self._new_word_vectorizer()
        self._char = self._new_char_vectorizer()
        if ids:
            # min_df cannot exceed the number of documents
            if self.config.min_df > len(ids):
                self._word.set_params(min_df=1)
            matrix = self._word.fit_transform([self._word_features(d) for d in docs])
            if self._char is not None:
                char = self._char.fit_transform([" ".join(d) for d in docs])
                matrix = self._combine(matrix, char)
        else:
            matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._set_matrix(matrix)

    # -- construction helpers ---------------------------------------------------------

    def _set_ids(self, ids: list[Hashable]) -> None:
        self._ids = ids
        self._pos = {item_id: i for i, item_id in enumerate(ids)}
        if len(self._pos) != len(ids):
            raise ValueError("ids must be unique")

    def _set_matrix(self, matrix: sparse.spmatrix) -> None:
        self._matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        self._matrix.sort_indices()
        self._postings = self._matrix.T.tocsr()  # term x document: an inverted index

    def _new_word_vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=_passthrough,
            sublinear_tf=self.config.sublinear_tf,
            min_df=self.config.min_df,
            dtype=np.float32,
        )

    def _new_char_vectorizer(self) -> TfidfVectorizer | None:
        if self.config.char_ngrams is None:
            return None
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.config.char_ngrams,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def _tokens(self, text: str) -> list[str]:
        return [s for s, _ in analyze(text or "", stem=self.config.stem)]

    def _word_features(self, tokens: list[str]) -> list[str]:
        lo, hi = self.config.word_ngrams
        if (lo, hi) == (1, 1):
            return tokens
        return _word_ngrams(tokens, lo, hi)

    def _combine(self, word: sparse.spmatrix, char: sparse.spmatrix) -> sparse.csr_matrix:
        # Both blocks are L2-normalised, so the dot product of combined rows is
        # (1 - w) * cos_word + w * cos_char, still in [0, 1].
        w = self.config.char_weight
        return sparse.hstack([np.sqrt(1 - w) * word, np.sqrt(w) * char], format="csr")

    def _vectorize(self, texts: Sequence[str]) -> sparse.csr_matrix:
        docs = [self._tokens(t) for t in texts]
        if not self._ids:
            return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        matrix = self._word.transform([self._word_features(d) for d in docs])
        if self._char is not None:
            matrix = self._combine(matrix, self._char.transform([" ".join(d) for d in docs]))
        return sparse.csr_matrix(matrix, dtype=np.float32)

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._pos

    @property
    def ids(self) -> list[Hashable]:
        return list(self._ids)

    def _scores(self, vector: sparse.csr_matrix) -> np.ndarray:
        if not self._ids or vector.nnz == 0:
            return np.zeros(len(self._ids), dtype=np.float32)
        scores = (vector @ self._postings).toarray().ravel()
        return np.clip(scores, 0.0, 1.0, out=scores)

    def _top(
        self, scores: np.ndarray, limit: int, min_score: float, skip: set[int]
    ) -> list[tuple[Hashable, float]]:
        if limit <= 0 or scores.size == 0:
            return []
        take = min(scores.size, limit + len(skip))
        if take < scores.size:
            candidates = np.argpartition(-scores, take - 1)[:take]
        else:
            candidates = np.arange(scores.size)
        # Highest score first; equal scores in index order, so results are deterministic.
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        out: list[tuple[Hashable, float]] = []
        for i in order:
            score = float(scores[i])
            if score <= 0.0 or score < min_score:
                break
            if int(i) in skip:
                continue
            out.append((self._ids[i], round(score, 6)))
            if len(out) == limit:
                break
        return out

    def query(
        self,
        text: str,
        limit: int = 10,
        *,
        min_score: float = 0.0,
        exclude: Iterable[Hashable] = (),
    ) -> list[tuple[Hashable, float]]:
        """The ``limit`` most similar texts to ``text`` as ``(id, score)``, best first.

        Scores are cosine similarities in [0, 1]; texts sharing no term are left out.
        """
        skip = {self._pos[e] for e in exclude if e in self._pos}
        return self._top(self._scores(self._vectorize([text])), limit, min_score, skip)

    def similar_to(
        self, item_id: Hashable, limit: int = 10, *, min_score: float = 0.0
    ) -> list[tuple[Hashable, float]]:
        """Like :meth:`query` for a text already in the index, leaving itself out."""
        i = self._pos[item_id]
        return self._top(self._scores(self._matrix[i]), limit, min_score, {i})

    def duplicate_score(self, a: Hashable, b: Hashable) -> float:
        """Cosine similarity of two indexed texts, by id."""
        i, j = self._pos[a], self._pos[b]
        score = self._matrix[i].multiply(self._matrix[j]).sum()
        return round(float(min(max(score, 0.0), 1.0)), 6)

    def similarity(self, text_a: str, text_b: str) -> float:
        """Cosine similarity of two arbitrary texts, weighted by this index's vocabulary."""
        m = self._vectorize([text_a, text_b])
        return round(float(min(max(m[0].multiply(m[1]).sum(), 0.0), 1.0)), 6)

    def near_duplicates(
        self, threshold: float = DUPLICATE_THRESHOLD, *, chunk_size: int | None = None
    ) -> list[tuple[Hashable, Hashable, float]]:
        """All pairs ``(id_a, id_b, score)`` with ``score >= threshold``, best first.

        ``id_a`` comes before ``id_b`` in index order. The work is a sparse self-product
        done in row chunks, so memory stays bounded; the time grows with the square of
        the number of texts that share terms, so use it on a batch, an agency or a
        program (thousands of texts), and :meth:`query` for one new text against all.
        """
        n = len(self._ids)
        if n < 2:
            return []
        if chunk_size is None:
            chunk_size = max(16, min(2048, 4_000_000 // max(n, 1)))
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for start in range(0, n, chunk_size):
            block = (self._matrix[start : start + chunk_size] @ self._postings).tocoo()
            r = block.row + start
            keep = (block.col > r) & (block.data >= threshold - 1e-6)
            rows.append(r[keep])
            cols.append(block.col[keep])
            vals.append(block.data[keep])
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        v = np.clip(np.concatenate(vals), 0.0, 1.0)
        order = np.lexsort((c, r, -v))
        return [(self._ids[r[k]], self._ids[c[k]], round(float(v[k]), 6)) for k in order]

    # -- persistence ------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to one ``.npz`` file of plain arrays (no pickle)."""
        id_kinds = {type(i) for i in self._ids}
        if id_kinds - {int, str}:
            raise TypeError("only int or str ids can be saved")
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(
                [
                    json.dumps(
                        {
                            "version": _FORMAT_VERSION,
                            "config": asdict(self.config),
                            "id_kind": "int" if id_kinds == {int} else "str",
                        }
                    )
                ]
            ),
            "ids": np.array([str(i) for i in self._ids], dtype=np.str_),
            "data": self._matrix.data,
            "indices": self._matrix.indices,
            "indptr": self._matrix.indptr,
            "shape": np.array(self._matrix.shape, dtype=np.int64),
        }
        if self._ids:
            arrays["word_terms"], arrays["word_idf"] = _vocab_arrays(self._word)
            if self._char is not None:
                arrays["char_terms"], arrays["char_idf"] = _vocab_arrays(self._char)
        np.savez_compressed(Path(path), **arrays)

    @classmethod
    def load(cls, path: str | Path) -> TextIndex:
        with np.load(Path(path), allow_pickle=False) as f:
            meta = json.loads(str(f["meta"][0]))
            if meta["version"] != _FORMAT_VERSION:
                raise ValueError(f"unsupported index format {meta['version']}")
            cfg = meta["config"]
            for key in ("word_ngrams", "char_ngrams"):
                if cfg[key] is not None:
                    cfg[key] = tuple(cfg[key])
            index = cls.__new__(cls)
            index.config = IndexConfig(**cfg)
            raw_ids = [str(i) for i in f["ids"]]
            ids: list[Hashable] = (
                [int(i) for i in raw_ids] if meta["id_kind"] == "int" else list(raw_ids)
            )
            index._set_ids(ids)
            index._word = index._new_word_vectorizer()
            index._char = index._new_char_vectorizer()
            if ids:
                _restore_vocab(index._word, f["word_terms"], f["word_idf"])
                if index._char is not None:
                    _restore_vocab(index._char, f["char_terms"], f["char_idf"])
            matrix = sparse.csr_matrix(
                (f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"])
            )
            index._set_matrix(matrix)
        return index


def _vocab_arrays(vectorizer: TfidfVectorizer) -> tuple[np.ndarray, np.ndarray]:
    terms = vectorizer.get_feature_names_out().astype(np.str_)
    return terms, np.asarray(vectorizer.idf_, dtype=np.float64)


def _restore_vocab(vectorizer: TfidfVectorizer, terms: np.ndarray, idf: np.ndarray) -> None:
    vectorizer.set_params(vocabulary={str(t): i for i, t in enumerate(terms)})
    vectorizer.idf_ = idf
