"""Indonesian text analytics for Membumi: plain Python, no Django, no network.

Pipeline: :mod:`.normalize` (case, punctuation, numbers, abbreviations, stop words) ->
:mod:`.stem` (Sastrawi, cached; stems mapped back to surface words) ->
:mod:`.similarity` (TF-IDF index: similar problems, near-duplicates) and
:mod:`.cluster` (topics with an automatic number of clusters and readable labels).
See README.md in this folder for the choices and the measured figures.
"""

from .cluster import Cluster, ClusteringResult, cluster_analysis, cluster_texts
from .normalize import ABBREVIATIONS, STOPWORDS, is_stopword, normalize, tokenize
from .similarity import DUPLICATE_THRESHOLD, IndexConfig, TextIndex
from .stem import SurfaceForms, analyze, stem_tokens, stem_word

__all__ = [
    "ABBREVIATIONS",
    "DUPLICATE_THRESHOLD",
    "STOPWORDS",
    "Cluster",
    "ClusteringResult",
    "IndexConfig",
    "SurfaceForms",
    "TextIndex",
    "analyze",
    "cluster_analysis",
    "cluster_texts",
    "is_stopword",
    "normalize",
    "stem_tokens",
    "stem_word",
    "tokenize",
]
