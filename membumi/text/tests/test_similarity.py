import csv
from functools import cache
from pathlib import Path

import pytest

from membumi.text import DUPLICATE_THRESHOLD, IndexConfig, TextIndex

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval_problems.csv"

QUEUE_A = "Antrean panjang perekaman KTP-el di Disdukcapil, kuota harian hanya 150 orang."
QUEUE_B = "Warga mengantri berjam-jam utk rekam e-KTP di Dinas Kependudukan dan Pencatatan Sipil."
BLANKO = "Blangko KTP elektronik kosong sehingga pencetakan KTP tertunda berbulan-bulan."
STUNTING = "Prevalensi stunting balita tinggi, intervensi gizi belum terkoordinasi."
PUPUK = "Pupuk bersubsidi langka saat musim tanam, petani sulit menebus urea."
SAMPAH = "Sampah menumpuk di TPS karena armada pengangkutan kurang."


@cache
def eval_rows():
    with open(EVAL, encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@pytest.fixture(scope="module")
def small_index():
    return TextIndex(
        [
            ("queue", QUEUE_A),
            ("blanko", BLANKO),
            ("stunting", STUNTING),
            ("pupuk", PUPUK),
            ("sampah", SAMPAH),
        ]
    )


def test_query_finds_paraphrase_first(small_index):
    results = small_index.query(QUEUE_B, limit=3)
    assert results[0][0] == "queue"


def test_query_scores_are_between_zero_and_one_and_sorted(small_index):
    results = small_index.query(QUEUE_B + " " + PUPUK, limit=5)
    scores = [s for _, s in results]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_identical_text_scores_one(small_index):
    assert small_index.query(PUPUK, limit=1) == [("pupuk", 1.0)]


def test_query_leaves_out_unrelated_and_excluded(small_index):
    assert small_index.query("kata yang tidak ada sama sekali", limit=5) == []
    ids = [i for i, _ in small_index.query(QUEUE_B, limit=5, exclude=["queue"])]
    assert "queue" not in ids


def test_similar_to_leaves_itself_out(small_index):
    ids = [i for i, _ in small_index.similar_to("queue", limit=5)]
    assert "queue" not in ids
    assert ids[0] == "blanko"  # shares "KTP elektronik"


def test_nearest_text_of_each_paraphrase_is_its_pair():
    rows = eval_rows()
    index = TextIndex([(r["id"], r["text"]) for r in rows])
    group = {r["id"]: r["duplicate_group"] for r in rows}
    with_pair = [r for r in rows if r["duplicate_group"]]
    hits = sum(
        group[index.similar_to(r["id"], limit=1)[0][0]] == r["duplicate_group"] for r in with_pair
    )
    assert hits / len(with_pair) >= 0.85


def test_duplicate_score_separates_pair_from_hard_negative():
    rows = {r["id"]: r for r in eval_rows()}
    index = TextIndex([(i, r["text"]) for i, r in rows.items()])
    # P046/P047: the same Dukcapil queue problem; P049: blank KTP forms, same office.
    assert rows["P046"]["duplicate_group"] == rows["P047"]["duplicate_group"] != ""
    assert rows["P049"]["duplicate_group"] == ""
    assert index.duplicate_score("P046", "P047") >= DUPLICATE_THRESHOLD
    assert index.duplicate_score("P046", "P049") < DUPLICATE_THRESHOLD
    assert index.duplicate_score("P046", "P047") == index.duplicate_score("P047", "P046")


def test_near_duplicates_lists_pairs_once_best_first():
    index = TextIndex([("a", QUEUE_A), ("b", QUEUE_B), ("c", PUPUK), ("d", PUPUK + " ")])
    pairs = index.near_duplicates(threshold=0.3)
    assert pairs[0] == ("c", "d", 1.0)
    assert ("a", "b") in {(a, b) for a, b, _ in pairs}
    assert all(0.3 <= s <= 1.0 for _, _, s in pairs)
    assert len({frozenset((a, b)) for a, b, _ in pairs}) == len(pairs)


def test_similarity_of_two_texts(small_index):
    assert small_index.similarity(QUEUE_A, QUEUE_B) > small_index.similarity(QUEUE_A, PUPUK)
    assert small_index.similarity(PUPUK, PUPUK) == pytest.approx(1.0)


def test_save_and_load_give_the_same_answers(tmp_path, small_index):
    path = tmp_path / "index.npz"
    small_index.save(path)
    loaded = TextIndex.load(path)
    assert loaded.ids == small_index.ids
    assert loaded.query(QUEUE_B, limit=5) == small_index.query(QUEUE_B, limit=5)


def test_save_and_load_with_int_ids_and_char_ngrams(tmp_path):
    config = IndexConfig(word_ngrams=(1, 2), char_ngrams=(3, 5))
    index = TextIndex([(1, QUEUE_A), (2, PUPUK), (3, SAMPAH)], config=config)
    index.save(tmp_path / "i.npz")
    loaded = TextIndex.load(tmp_path / "i.npz")
    assert loaded.config == config
    assert loaded.query(QUEUE_B, limit=3) == index.query(QUEUE_B, limit=3)
    assert loaded.query(QUEUE_B, limit=1)[0][0] == 1


def test_same_input_gives_same_results():
    items = [(r["id"], r["text"]) for r in eval_rows()[:60]]
    assert TextIndex(items).near_duplicates(0.3) == TextIndex(items).near_duplicates(0.3)


def test_empty_index_and_duplicate_ids():
    empty = TextIndex([])
    assert len(empty) == 0
    assert empty.query(QUEUE_A) == []
    assert empty.near_duplicates() == []
    with pytest.raises(ValueError):
        TextIndex([("x", QUEUE_A), ("x", PUPUK)])
