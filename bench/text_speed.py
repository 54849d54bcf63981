"""Speed of membumi.text on SYNTHETIC corpora built from the evaluation sentences.

Run from the repository root:

    python -m bench.text_speed            # or: python bench/text_speed.py
    python -m bench.text_speed --texts 20000 --cluster-texts 5000   # quicker

The corpora are synthetic: each text takes the title of one evaluation statement,
one or two body sentences from other statements of the same sector, and sometimes a
place name and numbers. They have the length and vocabulary of real statements but
none of their meaning, so they measure time, not quality.

Measures, on one core (BLAS and OpenMP limited to one thread):
- building a TextIndex over 100,000 texts, and saving/loading it;
- similar-problem queries against it: median and p95 (goal < 200 ms);
- clustering 20,000 texts (goal < 60 s).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # python bench/text_speed.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from threadpoolctl import threadpool_limits

from membumi.text import TextIndex, cluster_analysis

DATA = Path(__file__).resolve().parent.parent / "membumi" / "text" / "data"
QUERY_GOAL_MS = 200.0
CLUSTER_GOAL_S = 60.0

PLACES = """Sukamaju Cibeber Karangrejo Jatiroto Sumberjaya Pesisir Lembah Sukarasa Mekarsari
Tanjungsari Bojong Ciherang Wonosari Sidomulyo Margahayu Pagerwangi Talang Batu Kuala
Simpang Tiga Lubuk Raya Sungai Rampah Mandalika Watu Gede Ngadirejo Purwodadi Kembang
Seribu Bukit Indah Air Hitam Tanah Merah Sei Lepan Kota Baru Loa Janan Tenggarong
Selatan Utara Timur Barat Tengah Hilir Hulu""".split()  # noqa: SIM905

_SENTENCE = re.compile(r"(?<=[.;])\s+")


def load_rows() -> list[dict[str, str]]:
    with open(DATA / "eval_problems.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def synthetic_corpus(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """SYNTHETIC texts recombined from the evaluation sentences (see module docstring)."""
    rng = random.Random(seed)
    rows = load_rows()
    titles: list[tuple[str, str]] = []
    bodies: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        parts = _SENTENCE.split(r["text"])
        titles.append((r["sector"], parts[0]))
        bodies[r["sector"]].extend(p for p in parts[1:] if p)
    out = []
    for i in range(n):
        sector, title = rng.choice(titles)
        body = rng.sample(bodies[sector], k=min(len(bodies[sector]), rng.choice((1, 1, 2))))
        extra = ""
        if rng.random() < 0.6:
            extra = f" Lokasi Kecamatan {rng.choice(PLACES)} {rng.choice(PLACES)}."
        if rng.random() < 0.5:
            extra += f" Capaian {rng.randint(10, 95)}% dari target {rng.randint(60, 100)}%."
        out.append((f"S{i:06d}", f"{title} {' '.join(body)}{extra}"))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def bench_queries(n_texts: int, n_queries: int) -> None:
    print(f"== Similar-problem queries over {n_texts:,} SYNTHETIC texts ==")
    corpus = synthetic_corpus(n_texts)
    start = time.perf_counter()
    index = TextIndex(corpus)
    build = time.perf_counter() - start
    print(
        f"build: {build:.1f} s  (terms: {index._postings.shape[0]:,}, nnz: {index._matrix.nnz:,})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.npz"
        start = time.perf_counter()
        index.save(path)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        TextIndex.load(path)
        loaded = time.perf_counter() - start
        size = path.stat().st_size / 1e6
    print(f"save: {saved:.2f} s  load: {loaded:.2f} s  file: {size:.1f} MB")

    # Queries: real evaluation statements (not in the index) and synthetic ones.
    rng = random.Random(1)
    queries = [r["text"] for r in load_rows()]
    queries += [t for _, t in synthetic_corpus(n_queries, seed=2)]
    queries = rng.sample(queries, k=min(n_queries, len(queries)))
    index.query(queries[0], limit=10)  # warm the stem cache for fairness across runs
    timings = []
    for q in queries:
        start = time.perf_counter()
        index.query(q, limit=10)
        timings.append((time.perf_counter() - start) * 1000)
    med, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(
        f"queries: {len(timings)}  median {med:.1f} ms  p95 {p95:.1f} ms  max {max(timings):.1f} ms"
    )
    print(f"goal < {QUERY_GOAL_MS:.0f} ms: p95 is {p95 / QUERY_GOAL_MS:.3f} of the goal")
    print()


def bench_clustering(n_texts: int) -> None:
    print(f"== Clustering {n_texts:,} SYNTHETIC texts ==")
    corpus = synthetic_corpus(n_texts, seed=3)
    start = time.perf_counter()
    result = cluster_analysis(corpus)
    elapsed = time.perf_counter() - start
    sizes = sorted((c.size for c in result.clusters), reverse=True)
    print(f"time: {elapsed:.1f} s  clusters: {result.k}  largest: {sizes[:5]}")
    print(f"goal < {CLUSTER_GOAL_S:.0f} s: {elapsed / CLUSTER_GOAL_S:.3f} of the goal")
    for c in result.clusters[:5]:
        print(f"  {c.size:6d}  {c.label}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000, help="index size")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cluster-texts", type=int, default=20_000)
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        bench_queries(args.texts, args.queries)
        bench_clustering(args.cluster_texts)


if __name__ == "__main__":
    main()
