"""Quality of membumi.text on the hand-written evaluation set.

Run from the repository root:

    python -m bench.text_quality          # or: python bench/text_quality.py

Prints
- clustering against the sector labels: V-measure (goal >= 0.6), homogeneity,
  completeness, adjusted Rand index, clusters found vs sectors, and the labels;
- near-duplicate detection over all pairs: a threshold sweep on a *tune* half of the
  set, the threshold that maximises F1 there, and precision/recall/F1 at that threshold
  on the other (*test*) half (goal F1 >= 0.85), plus the figures over all pairs at the
  threshold shipped in membumi.text.similarity.DUPLICATE_THRESHOLD;
- retrieval: how often the nearest text to a duplicate is one of its group (top-1);
- the same duplicate and retrieval figures on eval_holdout.csv, written after the method
  and threshold were frozen.

The halves are fixed by a hash of the duplicate group (or the id for texts without one),
so both texts of a pair land in the same half. Pairs that cross the halves are not
scored. The index (and so the idf) is built over all texts, as it would be in use.
"""

from __future__ import annotations

import csv
import sys
import time
import zlib
from collections import Counter
from itertools import combinations
from pathlib import Path

if __package__ in (None, ""):  # python bench/text_quality.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.metrics import (
    adjusted_rand_score,
    homogeneity_completeness_v_measure,
    v_measure_score,
)

from membumi.text import DUPLICATE_THRESHOLD, IndexConfig, TextIndex, cluster_analysis

DATA = Path(__file__).resolve().parent.parent / "membumi" / "text" / "data"
SWEEP = [round(0.20 + 0.01 * i, 2) for i in range(41)]  # 0.20 .. 0.60


def load(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def half_of(row: dict[str, str]) -> str:
    key = row["duplicate_group"] or row["id"]
    return "tune" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def pair_scores(index: TextIndex, rows: list[dict[str, str]]) -> list[tuple[float, bool]]:
    """(score, is_duplicate) for every unordered pair of ``rows``."""
    found = {(a, b): s for a, b, s in index.near_duplicates(threshold=min(SWEEP))}
    out = []
    for r1, r2 in combinations(rows, 2):
        a, b = r1["id"], r2["id"]
        score = found.get((a, b), found.get((b, a), 0.0))
        same = bool(r1["duplicate_group"]) and r1["duplicate_group"] == r2["duplicate_group"]
        out.append((score, same))
    return out


def prf(pairs: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float, int]:
    tp = sum(1 for s, y in pairs if y and s >= threshold)
    fp = sum(1 for s, y in pairs if not y and s >= threshold)
    fn = sum(1 for s, y in pairs if y and s < threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn


def top1(index: TextIndex, rows: list[dict[str, str]]) -> tuple[float, int]:
    group = {r["id"]: r["duplicate_group"] for r in rows}
    hits = total = 0
    for r in rows:
        if not r["duplicate_group"]:
            continue
        total += 1
        best = index.similar_to(r["id"], limit=1)
        hits += bool(best) and group.get(best[0][0]) == r["duplicate_group"]
    return (hits / total if total else 0.0), total


def clustering(rows: list[dict[str, str]]) -> None:
    print("== Clustering vs sector labels ==")
    start = time.perf_counter()
    result = cluster_analysis([(r["id"], r["text"]) for r in rows])
    elapsed = time.perf_counter() - start
    where = result.assignments()
    truth = [r["sector"] for r in rows]
    pred = [where[r["id"]] for r in rows]
    h, c, v = homogeneity_completeness_v_measure(truth, pred)
    ari = adjusted_rand_score(truth, pred)
    print(f"texts: {len(rows)}  sectors: {len(set(truth))}  clusters found: {len(result.clusters)}")
    print(f"V-measure: {v:.3f} (goal >= 0.60, ratio {v / 0.6:.2f})")
    print(f"homogeneity: {h:.3f}  completeness: {c:.3f}  adjusted Rand index: {ari:.3f}")
    print(f"time: {elapsed:.2f} s")
    best = sorted(result.scores.items(), key=lambda kv: -kv[1])[:5]
    print("modularity by k (best five): " + ", ".join(f"k={k}: {q:.3f}" for k, q in best))
    spread = []
    for seed in range(1, 5):
        other = cluster_analysis([(r["id"], r["text"]) for r in rows], random_state=seed)
        w = other.assignments()
        spread.append((other.k, v_measure_score(truth, [w[r["id"]] for r in rows])))
    print(
        "other random_state (SVD solver seed) 1-4: "
        + ", ".join(f"k={k} V={vv:.3f}" for k, vv in spread)
    )
    sector = {r["id"]: r["sector"] for r in rows}
    for cl in result.clusters:
        mix = Counter(sector[m] for m in cl.member_ids).most_common(3)
        mix_text = ", ".join(f"{s} {n}" for s, n in mix)
        print(f"  {cl.size:3d}  {cl.label:45s}  [{mix_text}]")
    print()


def duplicates(rows: list[dict[str, str]], holdout: list[dict[str, str]]) -> None:
    print("== Near-duplicates (cosine of TF-IDF over stems) ==")
    index = TextIndex([(r["id"], r["text"]) for r in rows])
    tune = [r for r in rows if half_of(r) == "tune"]
    test = [r for r in rows if half_of(r) == "test"]
    tune_pairs = pair_scores(index, tune)
    test_pairs = pair_scores(index, test)
    all_pairs = pair_scores(index, rows)
    print(
        f"pairs: all {len(all_pairs)} ({sum(y for _, y in all_pairs)} duplicates); "
        f"tune half {len(tune_pairs)} ({sum(y for _, y in tune_pairs)}); "
        f"test half {len(test_pairs)} ({sum(y for _, y in test_pairs)})"
    )
    print("threshold sweep on the tune half (and, for reference only, the test half):")
    print("  thr    P_tune R_tune F1_tune | P_test R_test F1_test")
    best_t, best_f = SWEEP[0], -1.0
    for t in SWEEP:
        p, r, f, _ = prf(tune_pairs, t)
        p2, r2, f2, _ = prf(test_pairs, t)
        if f > best_f + 1e-12:
            best_t, best_f = t, f
        print(f"  {t:.2f}   {p:.3f}  {r:.3f}  {f:.3f}   | {p2:.3f}  {r2:.3f}  {f2:.3f}")
    p, r, f, _ = prf(test_pairs, best_t)
    print(f"threshold chosen on the tune half: {best_t:.2f} (tune F1 {best_f:.3f})")
    print(f"test half at {best_t:.2f}: P {p:.3f}  R {r:.3f}  F1 {f:.3f} (goal >= 0.85)")
    p, r, f, _ = prf(all_pairs, DUPLICATE_THRESHOLD)
    print(
        f"all pairs at the shipped threshold {DUPLICATE_THRESHOLD:.2f}: "
        f"P {p:.3f}  R {r:.3f}  F1 {f:.3f} (ratio to goal {f / 0.85:.2f})"
    )
    acc, n = top1(index, rows)
    print(f"top-1 retrieval: the nearest text is from the same group for {acc:.1%} of {n}")
    print()

    if holdout:
        print("== Holdout set (written after the method and threshold were frozen) ==")
        both = rows + holdout
        index = TextIndex([(r["id"], r["text"]) for r in both])
        pairs = pair_scores(index, holdout)
        p, r, f, npos = prf(pairs, DUPLICATE_THRESHOLD)
        print(f"texts: {len(holdout)}  pairs: {len(pairs)} ({npos} duplicates)")
        print(f"at {DUPLICATE_THRESHOLD:.2f}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        acc, n = top1(index, holdout)
        print(f"top-1 retrieval over dev+holdout: {acc:.1%} of {n}")
        print()


def ablation(rows: list[dict[str, str]]) -> None:
    print("== Feature ablation for duplicates (all pairs; best F1 over the sweep) ==")
    configs = {
        "word unigrams, stems (shipped)": IndexConfig(),
        "word unigrams, no stemming": IndexConfig(stem=False),
        "word uni+bigrams, stems": IndexConfig(word_ngrams=(1, 2)),
        "word unigrams + char 3-5 (w=0.5)": IndexConfig(char_ngrams=(3, 5)),
        "word uni+bigrams + char 3-5 (w=0.5)": IndexConfig(word_ngrams=(1, 2), char_ngrams=(3, 5)),
    }
    sweep = [round(0.10 + 0.01 * i, 2) for i in range(51)]
    for name, config in configs.items():
        index = TextIndex([(r["id"], r["text"]) for r in rows], config=config)
        found = {(a, b): s for a, b, s in index.near_duplicates(threshold=0.10)}
        pairs = []
        for r1, r2 in combinations(rows, 2):
            same = bool(r1["duplicate_group"]) and r1["duplicate_group"] == r2["duplicate_group"]
            pairs.append((found.get((r1["id"], r2["id"]), 0.0), same))
        f, t = max((prf(pairs, t)[2], t) for t in sweep)
        acc, _ = top1(index, rows)
        print(f"  {name:38s} F1 {f:.3f} at {t:.2f}   top-1 {acc:.1%}")
    print()


def main() -> None:
    rows = load("eval_problems.csv")
    holdout_path = DATA / "eval_holdout.csv"
    holdout = load("eval_holdout.csv") if holdout_path.exists() else []
    clustering(rows)
    duplicates(rows, holdout)
    ablation(rows)


if __name__ == "__main__":
    main()
