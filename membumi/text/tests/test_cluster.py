import csv
from pathlib import Path

from sklearn.metrics import v_measure_score

from membumi.text import Cluster, cluster_analysis, cluster_texts
from membumi.text.cluster import UNCLUSTERED_LABEL

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval_problems.csv"

THREE_TOPICS = [
    ("s1", "Sampah menumpuk di TPS karena truk sampah kurang."),
    ("s2", "Pengangkutan sampah dari TPS ke TPA tidak rutin."),
    ("s3", "Timbunan sampah pasar tidak terangkut truk."),
    ("s4", "Bank sampah tidak aktif, sampah rumah tangga menumpuk."),
    ("k1", "Antrean perekaman KTP elektronik di Dukcapil panjang."),
    ("k2", "Warga antre lama untuk cetak KTP-el di dinas kependudukan."),
    ("k3", "Blangko KTP elektronik kosong di Disdukcapil."),
    ("k4", "Pelayanan akta kelahiran dan KTP di dukcapil lambat."),
    ("p1", "Pupuk bersubsidi langka, petani sulit menebus pupuk urea."),
    ("p2", "Alokasi pupuk subsidi untuk petani tidak cukup."),
    ("p3", "Petani padi kekurangan pupuk saat musim tanam."),
    ("p4", "Kios pupuk kehabisan stok pupuk subsidi untuk petani."),
]


def test_three_obvious_topics_give_three_clusters():
    clusters = cluster_texts(THREE_TOPICS)
    assert len(clusters) == 3
    groups = {frozenset(m[0] for m in c.member_ids) for c in clusters}
    assert groups == {frozenset("s"), frozenset("k"), frozenset("p")}


def test_every_id_is_in_exactly_one_cluster():
    clusters = cluster_texts(THREE_TOPICS)
    members = [m for c in clusters for m in c.member_ids]
    assert sorted(members) == sorted(i for i, _ in THREE_TOPICS)
    assert all(isinstance(c, Cluster) and c.size == len(c.member_ids) for c in clusters)


def test_labels_are_surface_words_not_stems():
    clusters = cluster_texts(THREE_TOPICS)
    by_topic = {c.member_ids[0][0]: c for c in clusters}
    assert "sampah" in by_topic["s"].keywords
    assert any("petani" in k or "pupuk" in k for k in by_topic["p"].keywords)
    assert any("ktp" in k for k in by_topic["k"].keywords)
    words = {w for c in clusters for k in c.keywords for w in k.split()}
    assert "tani" not in words  # the stem of "petani"
    assert all(c.label == ", ".join(c.keywords[:3]) for c in clusters)


def test_same_input_gives_same_clusters_and_labels():
    first = cluster_analysis(THREE_TOPICS)
    second = cluster_analysis(list(THREE_TOPICS))
    assert first == second


def test_one_topic_stays_one_cluster():
    same = [(i, t) for i, t in THREE_TOPICS if i.startswith("p")]
    assert len(cluster_texts(same)) == 1


def test_empty_and_wordless_inputs():
    assert cluster_texts([]) == []
    clusters = cluster_texts([("a", "123 !!"), ("b", "yang dan di")])
    assert len(clusters) == 1
    assert clusters[0].label == UNCLUSTERED_LABEL
    assert set(clusters[0].member_ids) == {"a", "b"}


def test_eval_set_clusters_follow_sectors():
    with open(EVAL, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    result = cluster_analysis([(r["id"], r["text"]) for r in rows])
    where = result.assignments()
    v = v_measure_score([r["sector"] for r in rows], [where[r["id"]] for r in rows])
    assert v >= 0.6
    assert 8 <= result.k <= 20  # 12 sectors; the count is chosen, not given
