"""The bridge to ``membumi.text``: problem texts in, clusters with readable labels out.

Clustering itself (normalisation, stemming, TF-IDF, the automatic number of clusters and the
labels) lives in ``membumi.text``; this module only adapts its result to what the needs
analysis saves, so the rest of the app does not depend on its shape.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from membumi.text import cluster_texts


@dataclass(frozen=True)
class Cluster:
    label: str
    keywords: tuple[str, ...]
    members: tuple[int, ...]  # problem ids


def cluster_problems(items: Iterable[tuple[int, str]]) -> list[Cluster]:
    """Group ``(problem id, title and statement)`` pairs into clusters, biggest first, each
    with a readable label (its top words, not stems) and keywords."""
    return [
        Cluster(
            label=_sentence_case(cluster.label),
            keywords=tuple(cluster.keywords),
            members=tuple(int(pk) for pk in cluster.member_ids),
        )
        for cluster in cluster_texts(items)
        if cluster.member_ids
    ]


def _sentence_case(label: str) -> str:
    return label[:1].upper() + label[1:] if label[:1].isalpha() else label
