"""Topic clustering of short Indonesian texts with an automatic number of clusters.

Pipeline (deterministic: the SVD solver and the sample use a fixed ``random_state``):

1. :func:`membumi.text.stem.analyze` (normalise, stop words, Sastrawi stems), then drop
   :data:`GENERIC_STEMS`: words that say what *kind* of problem it is ("rendah",
   "terlambat", "data", "target") rather than what it is *about*. Left in, they pull
   late-report problems of every sector into one cluster.
2. TF-IDF (unigrams, sublinear tf), reduced by TruncatedSVD to ``n_components`` and
   L2-normalised (latent semantic analysis).
3. One Ward hierarchy over the reduced vectors; for every candidate k in
   ``[2, max_clusters]`` (at most half the texts) its cut at k is refined by spherical
   k-means (cosine), started from the Ward centres, so there is no random start.
4. The number of clusters is the k whose partition has the highest *modularity* on the
   k-nearest-neighbour graph of the texts (cosine on TF-IDF, before the SVD). Modularity
   compares the weight of edges inside clusters with what random wiring of the same
   degrees would give; it has a maximum inside the range instead of growing with k, and
   the graph does not depend on the SVD size. Silhouette, tried first, kept rising with
   k up to about the SVD dimension, so it chose the dimension rather than the topics.
   If no split beats modularity 0 the result is one cluster.
   Above ``selection_sample`` texts, steps 3-4 run on a fixed random sample and every
   text is then assigned by spherical k-means from the sample's centres.
5. Labels: class-based TF-IDF over unigrams and bigrams of each cluster's texts; stems are
   shown as their most frequent surface word ("pelayanan", not "layan").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from .stem import SurfaceForms, analyze

# Stems of words that describe the kind of problem, not its topic (see the data file).
# Used for clustering and labels only; duplicate detection keeps them (they help there).
GENERIC_STEMS: frozenset[str] = frozenset(
    line.strip()
    for line in resources.files("membumi.text")
    .joinpath("data/generic_stems_id.txt")
    .read_text("utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
)

UNCLUSTERED_LABEL = "(tanpa kata kunci)"


@dataclass(frozen=True)
class Cluster:
    label: str
    keywords: tuple[str, ...]
    member_ids: tuple[Hashable, ...]

    @property
    def size(self) -> int:
        return len(self.member_ids)


@dataclass(frozen=True)
class ClusteringResult:
    clusters: list[Cluster]
    k: int
    # modularity of the k-means partition for each candidate k (1 -> 0.0)
    scores: dict[int, float] = field(default_factory=dict)

    def assignments(self) -> dict[Hashable, int]:
        """Map each id to the position of its cluster in :attr:`clusters`."""
        return {m: i for i, c in enumerate(self.clusters) for m in c.member_ids}


def cluster_texts(items: Iterable[tuple[Hashable, str]], **options) -> list[Cluster]:
    """Cluster ``(id, text)`` pairs; see :func:`cluster_analysis` for the options."""
    return cluster_analysis(items, **options).clusters


def cluster_analysis(
    items: Iterable[tuple[Hashable, str]],
    *,
    max_clusters: int = 40,
    n_components: int | None = None,
    n_neighbors: int = 10,
    n_keywords: int = 8,
    label_words: int = 3,
    random_state: int = 0,
    selection_sample: int = 3000,
) -> ClusteringResult:
    """Cluster ``(id, text)`` pairs; the number of clusters is chosen automatically.

    ``max_clusters`` bounds the search (at most half the texts). ``n_components`` is
    the SVD size (default: 20 for a few hundred texts, growing to 100). ``n_neighbors``
    is the k of the k-nearest-neighbour graph used to score candidate partitions.
    With more than ``selection_sample`` texts, k is chosen on a fixed random sample of
    that size and the final k-means over all texts starts from the sample's centres.
    The same input and options always give the same clusters, labels and order.
    """
    ids: list[Hashable] = []
    docs: list[list[str]] = []
    forms = SurfaceForms()
    for item_id, text in items:
        pairs = analyze(text or "")
        forms.add(pairs)
        ids.append(item_id)
        docs.append([s for s, _ in pairs if s not in GENERIC_STEMS])
    if not ids:
        return ClusteringResult(clusters=[], k=0, scores={})

    valid = [i for i, d in enumerate(docs) if d]
    empty = [i for i, d in enumerate(docs) if not d]
    labels = np.zeros(len(valid), dtype=np.int64)
    scores: dict[int, float] = {1: 0.0}
    if len(valid) >= 3:
        matrix = _tfidf([docs[i] for i in valid])
        if matrix.shape[1] >= 2:
            labels, scores = _choose_partition(
                matrix,
                max_clusters=max_clusters,
                n_components=n_components,
                n_neighbors=n_neighbors,
                random_state=random_state,
                selection_sample=selection_sample,
            )

    groups: dict[int, list[int]] = {}
    for pos, lab in zip(valid, labels, strict=True):
        groups.setdefault(int(lab), []).append(pos)
    member_lists = list(groups.values())
    keywords = _keywords(member_lists, docs, forms, n_keywords)
    clusters = [
        Cluster(
            label=", ".join(kw[:label_words]) or UNCLUSTERED_LABEL,
            keywords=tuple(kw),
            member_ids=tuple(ids[p] for p in members),
        )
        for members, kw in zip(member_lists, keywords, strict=True)
    ]
    clusters.sort(key=lambda c: (-c.size, c.label, str(c.member_ids[0])))
    if empty:
        clusters.append(
            Cluster(label=UNCLUSTERED_LABEL, keywords=(), member_ids=tuple(ids[p] for p in empty))
        )
    k = len(groups)
    return ClusteringResult(clusters=clusters, k=k, scores=scores)


def _tfidf(docs: list[list[str]]) -> sparse.csr_matrix:
    # Words seen in one text only cannot tie texts together; drop them once there is
    # enough text for that to matter.
    min_df = 2 if len(docs) >= 50 else 1
    vectorizer = TfidfVectorizer(
        analyzer=_passthrough, sublinear_tf=True, min_df=min_df, dtype=np.float32
    )
    try:
        return vectorizer.fit_transform(docs).tocsr()
    except ValueError:  # every word below min_df
        vectorizer.set_params(min_df=1)
        return vectorizer.fit_transform(docs).tocsr()


def _passthrough(tokens: list[str]) -> list[str]:
    return tokens


def _choose_partition(
    matrix: sparse.csr_matrix,
    *,
    max_clusters: int,
    n_components: int | None,
    n_neighbors: int,
    random_state: int,
    selection_sample: int,
) -> tuple[np.ndarray, dict[int, float]]:
    n = matrix.shape[0]
    if n_components is None:
        # More texts support more latent dimensions: 20 for a few hundred texts,
        # growing with the square root up to 100 (at 10,000 texts and more).
        n_components = min(100, max(20, math.isqrt(n)))
    dims = max(1, min(n_components, matrix.shape[1] - 1, n - 1))
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", random_state=random_state)
    reduced = l2_normalize(svd.fit_transform(matrix)).astype(np.float64)

    # Choose k on a sample (all texts when there are few), then assign every text.
    if n > selection_sample:
        rng = np.random.default_rng(random_state)
        sample = np.sort(rng.choice(n, selection_sample, replace=False))
    else:
        sample = np.arange(n)
    m = sample.size
    points = reduced[sample]
    graph = _knn_graph(matrix[sample], min(n_neighbors, max(2, math.isqrt(m)), m - 1))
    tree = linkage(points, method="ward")

    best_centers: np.ndarray | None = None
    best_labels = np.zeros(m, dtype=np.int64)
    best_q = 0.0
    scores: dict[int, float] = {1: 0.0}
    for k in range(2, max(1, min(max_clusters, m // 2)) + 1):
        ward_labels = fcluster(tree, k, criterion="maxclust") - 1
        labels, centers = _spherical_kmeans(points, _centers(points, ward_labels))
        q = _modularity(graph, labels)
        scores[k] = round(q, 6)
        if q > best_q + 1e-9:
            best_q, best_centers, best_labels = q, centers, labels
    if best_centers is None:
        return np.zeros(n, dtype=np.int64), scores
    if m == n:
        return best_labels, scores
    labels, _ = _spherical_kmeans(reduced, best_centers)
    return labels, scores


def _centers(points: np.ndarray, labels: np.ndarray, k: int | None = None) -> np.ndarray:
    """Unit-length mean of each cluster's points (a zero row for an empty cluster)."""
    k = int(labels.max()) + 1 if k is None else k
    indicator = sparse.csr_matrix(
        (np.ones(labels.size), (labels, np.arange(labels.size))), shape=(k, labels.size)
    )
    return l2_normalize(np.asarray(indicator @ points))


def _spherical_kmeans(
    points: np.ndarray, centers: np.ndarray, max_iter: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """k-means on the unit sphere (cosine), started from ``centers``; no randomness.

    Returns compact labels 0..k'-1 (a cluster that empties is dropped) and the centres.
    """
    k = centers.shape[0]
    labels = np.argmax(points @ centers.T, axis=1)
    for _ in range(max_iter):
        new_centers = _centers(points, labels, k)
        empty = np.bincount(labels, minlength=k) == 0
        new_centers[empty] = centers[empty]
        centers = new_centers
        new_labels = np.argmax(points @ centers.T, axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    used, compact = np.unique(labels, return_inverse=True)
    return compact.astype(np.int64), centers[used]


def _knn_graph(matrix: sparse.csr_matrix, k: int) -> sparse.coo_matrix:
    """Symmetric k-nearest-neighbour graph, weighted by cosine similarity."""
    n = matrix.shape[0]
    transposed = matrix.T.tocsr()
    chunk = max(1, 8_000_000 // max(n, 1))
    rows, cols, vals = [], [], []
    for start in range(0, n, chunk):
        sims = (matrix[start : start + chunk] @ transposed).toarray()
        idx = np.arange(sims.shape[0])
        sims[idx, idx + start] = -1.0  # not its own neighbour
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = sims[idx[:, None], nearest]
        keep = weights > 0
        rows.append(np.repeat(idx + start, k)[keep.ravel()])
        cols.append(nearest.ravel()[keep.ravel()])
        vals.append(weights[keep])
    graph = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return graph.maximum(graph.T).tocoo()


def _modularity(graph: sparse.coo_matrix, labels: np.ndarray) -> float:
    two_m = float(graph.data.sum())
    if two_m <= 0:
        return 0.0
    inside = float(graph.data[labels[graph.row] == labels[graph.col]].sum()) / two_m
    degree = np.bincount(graph.row, weights=graph.data, minlength=labels.size)
    by_cluster = np.bincount(labels, weights=degree) / two_m
    return inside - float(np.square(by_cluster).sum())


def _keywords(
    member_lists: list[list[int]],
    docs: list[list[str]],
    forms: SurfaceForms,
    n_keywords: int,
) -> list[list[str]]:
    """Class-based TF-IDF keywords (unigrams and bigrams) for each cluster."""
    doc_terms: dict[int, set[str]] = {}
    df: Counter[str] = Counter()
    for members in member_lists:
        for p in members:
            tokens = docs[p]
            terms = set(tokens) | {f"{a} {b}" for a, b in pairwise(tokens) if a != b}
            doc_terms[p] = terms
            df.update(terms)
    n_docs = max(1, len(doc_terms))
    result: list[list[str]] = []
    for members in member_lists:
        counts: Counter[str] = Counter()
        for p in members:
            counts.update(doc_terms[p])
        min_count = 2 if len(members) >= 3 else 1
        scored = sorted(
            (
                (-(c / len(members)) * math.log(1 + n_docs / df[t]), t)
                for t, c in counts.items()
                if c >= min_count
            ),
        )
        chosen: list[str] = []
        for _, term in scored:
            parts = term.split(" ")
            # A word already shown (alone or in a phrase) is not shown again, except
            # that a phrase replaces the single words it contains.
            if len(parts) == 1 and any(term in c.split(" ") for c in chosen):
                continue
            if len(parts) == 2:
                if any(" " in c and set(parts) & set(c.split(" ")) for c in chosen):
                    continue
                chosen = [c for c in chosen if c not in parts]
            chosen.append(term)
            if len(chosen) >= n_keywords:
                break
        result.append(_surface_unique(chosen, forms))
    return result


def _surface_unique(terms: list[str], forms: SurfaceForms) -> list[str]:
    out: list[str] = []
    for term in terms:
        phrase = forms.phrase(term)
        if phrase not in out:
            out.append(phrase)
    return out
