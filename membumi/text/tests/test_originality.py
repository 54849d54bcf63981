import csv
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest

from membumi.text import TextIndex
from membumi.text.originality import (
    ORIGINALITY_THRESHOLD,
    PlanIndex,
    SimilarPlan,
    plan_text,
    strip_boilerplate,
)
from membumi.text.stem import analyze

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval_plans.csv"

BANK_SAMPAH = plan_text(
    "Pembentukan bank sampah unit di tingkat RW di Kelurahan Tegalsari",
    "Mengurangi sampah anorganik ke TPA sebesar 2 ton per bulan melalui 5 bank sampah unit",
    [
        "Mendata RW yang bersedia membentuk bank sampah",
        "Melatih pengurus memilah, menimbang, dan mencatat tabungan sampah",
        "Menjalin kerja sama dengan pengepul sampah terpilah",
        "Merekap tonase sampah setiap bulan",
    ],
)
# Copied a year later: another kelurahan, other numbers, milestones reordered, synonyms.
BANK_SAMPAH_COPY = plan_text(
    "Pembentukan bank sampah unit tingkat RW di Kelurahan Pedurungan",
    "Mengurangi sampah anorganik ke TPA sebanyak 3 ton tiap bulan lewat 6 bank sampah unit",
    [
        "Kerja sama dengan pengepul untuk sampah terpilah",
        "Mendata RW yang siap membentuk bank sampah",
        "Pelatihan pengurus untuk memilah, menimbang, dan mencatat tabungan sampah",
        "Rekap tonase sampah tiap bulan",
    ],
)
# Same topic, another plan: collection routes instead of waste banks.
RUTE_SAMPAH = plan_text(
    "Penjadwalan ulang rute armada pengangkutan sampah berbasis GPS",
    "Menurunkan jumlah TPS yang sampahnya tertinggal lebih dari 24 jam dari 35 menjadi 5",
    [
        "Memasang pelacak GPS pada truk sampah",
        "Menyusun rute dan jadwal angkut baru berdasarkan volume",
        "Mengusulkan penambahan armada",
    ],
)
KTP = plan_text(
    "Jemput bola perekaman KTP elektronik bagi pemilih pemula di SMA",
    "Meningkatkan cakupan perekaman KTP-el usia 17 tahun dari 64% menjadi 90%",
    ["Menyusun jadwal kunjungan ke sekolah", "Melaksanakan perekaman dengan alat mobile"],
)


def latsar(topic: str, steps: list[str]) -> str:
    """A Latsar plan in the usual template: the program's words around the topic."""
    return plan_text(
        f"Aktualisasi nilai-nilai dasar ASN BerAKHLAK dalam {topic}",
        f"Meningkatkan {topic} sebagai wujud aktualisasi nilai BerAKHLAK",
        [
            "Konsultasi dengan mentor terkait rencana aktualisasi (Akuntabel, Kolaboratif)",
            *[f"{s} (Kompeten, Adaptif)" for s in steps],
            "Menyusun laporan aktualisasi (Akuntabel, Loyal)",
        ],
    )


@pytest.fixture(scope="module")
def index():
    return PlanIndex(
        [(1, BANK_SAMPAH), (2, RUTE_SAMPAH), (3, KTP), (4, BANK_SAMPAH_COPY)],
    )


@cache
def eval_rows():
    with open(EVAL, encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def eval_text(row):
    return plan_text(
        row["title"], row["goal"], [m.split(": ", 1)[1] for m in row["milestones"].split(" | ")]
    )


def test_plan_text_joins_title_goal_and_milestones():
    assert plan_text("Judul", "Tujuan.", ["Satu", "", "Dua"]) == "Judul. Tujuan\nSatu. Dua"
    assert plan_text("Judul\nbaris dua", "Tujuan", []) == "Judul baris dua. Tujuan"


def test_long_forms_meet_their_acronyms():
    a = plan_text(
        "Percepatan penerbitan SP2D melalui SIPD di BPKAD",
        "Menaikkan SP2D terbit tepat waktu menjadi 95%",
        ["Menyusun SOP verifikasi SPM", "Memantau antrian SPM di SIPD"],
    )
    b = plan_text(
        "Percepatan penerbitan surat perintah pencairan dana melalui sistem informasi "
        "pemerintahan daerah di badan pengelola keuangan dan aset daerah",
        "Meningkatkan surat perintah pencairan dana terbit tepat waktu menjadi 90%",
        [
            "Menyusun standar operasional prosedur verifikasi surat perintah membayar",
            "Memonitor antrean surat perintah membayar di sistem informasi pemerintahan daerah",
        ],
    )
    index = PlanIndex([(1, a), (2, b), (3, KTP), (4, BANK_SAMPAH)])
    assert index.duplicate_score(1, 2) > 0.9


def test_same_idea_with_other_milestones_is_not_a_copy():
    other = plan_text(
        "Pembentukan bank sampah unit di tingkat RW di Kelurahan Tegalsari",
        "Mengurangi sampah anorganik ke TPA sebesar 2 ton per bulan melalui bank sampah unit",
        [
            "Menerbitkan surat edaran lurah tentang kewajiban memilah di rumah tangga",
            "Menyediakan gerobak pilah dan jadwal angkut terpisah",
            "Memberi insentif iuran kebersihan bagi warga yang menabung",
        ],
    )
    index = PlanIndex([(1, BANK_SAMPAH), (2, other), (3, KTP), (4, RUTE_SAMPAH)])
    assert index.duplicate_score(1, 2) < ORIGINALITY_THRESHOLD


def test_boilerplate_phrases_go_content_stays():
    stems = [s for s, _ in analyze(latsar("pelayanan legalisir ijazah", ["Membuat register"]))]
    kept = strip_boilerplate(stems)
    for gone in ("aktualisasi", "akhlak", "mentor", "akuntabel", "kolaboratif", "loyal"):
        assert gone not in kept
    assert {"layan", "legalisir", "ijazah", "register"} <= set(kept)
    # "pelayanan" alone is content; only "berorientasi pelayanan" is boilerplate
    assert strip_boilerplate(["orientasi", "layan", "loket"]) == ["loket"]
    assert strip_boilerplate(["layan", "loket"]) == ["layan", "loket"]


def test_check_finds_the_copy_and_leaves_the_plan_itself_out(index):
    hits = index.check(BANK_SAMPAH, plan_id=1)
    assert [h.plan_id for h in hits] == [4]
    assert isinstance(hits[0], SimilarPlan) and ORIGINALITY_THRESHOLD <= hits[0].similarity <= 1


def test_same_topic_other_plan_stays_below_threshold(index):
    assert index.duplicate_score(1, 2) < ORIGINALITY_THRESHOLD
    ranked = [h.plan_id for h in index.check(BANK_SAMPAH, plan_id=1, threshold=0.0)]
    assert ranked[:2] == [4, 2]  # the copy first, the same-topic plan next


def test_new_text_is_checked_against_everything(index):
    hits = index.check(BANK_SAMPAH_COPY.replace("Pedurungan", "Sukamaju"))
    assert [h.plan_id for h in hits] == [4, 1]
    assert hits[0].similarity >= hits[1].similarity
    assert index.check("judul yang sama sekali lain tentang kapal nelayan") == []
    assert len(index.check(BANK_SAMPAH, threshold=0.0, limit=1)) == 1


def test_check_plan_for_indexed_plan(index):
    assert [h.plan_id for h in index.check_plan(4)] == [1]


def test_program_template_alone_does_not_make_plans_alike():
    a = latsar("pelayanan legalisir ijazah", ["Menyusun alur legalisir", "Membuat register"])
    b = latsar("pengelolaan surat masuk", ["Memindai surat masuk", "Memantau disposisi"])
    others = [(i, t) for i, t in enumerate([KTP, RUTE_SAMPAH, BANK_SAMPAH])]
    items = [("a", a), ("b", b), *others]
    plain, stripped = TextIndex(items), PlanIndex(items)
    # 0.13 since the milestones are weighed on their own: in a five-plan index the one
    # verb both step lists share ("menyusun") has a high idf (0.09 before)
    assert stripped.duplicate_score("a", "b") < 0.15 < plain.duplicate_score("a", "b")


def test_add_weights_new_plans_with_the_index_vocabulary(index):
    grown = PlanIndex([(1, BANK_SAMPAH), (2, RUTE_SAMPAH), (3, KTP)])
    grown.add([(4, BANK_SAMPAH_COPY)])
    assert len(grown) == 4
    assert [h.plan_id for h in grown.check_plan(1)] == [4]
    assert [h.plan_id for h in grown.check(BANK_SAMPAH_COPY, plan_id=4)] == [1]
    with pytest.raises(ValueError):
        grown.add([(1, "lagi")])
    assert len(grown) == 4  # a refused add changes nothing
    with pytest.raises(ValueError):
        PlanIndex([]).add([(1, BANK_SAMPAH)])


def test_save_and_load_answer_the_same(index, tmp_path):
    path = tmp_path / "plans.npz"
    index.save(path)
    loaded = PlanIndex.load(path)
    assert isinstance(loaded, PlanIndex)
    assert loaded.check(BANK_SAMPAH, plan_id=1) == index.check(BANK_SAMPAH, plan_id=1)
    assert loaded.similarity(BANK_SAMPAH, latsar("x", [])) == index.similarity(
        BANK_SAMPAH, latsar("x", [])
    )


def eval_counts() -> tuple[int, int, int]:
    """(tp, fp, fn) over all pairs of the labelled set at the shipped threshold."""
    rows = eval_rows()
    assert len(rows) >= 150
    index = PlanIndex((r["id"], eval_text(r)) for r in rows)
    found = {frozenset((x, y)) for x, y, _ in index.near_duplicates(ORIGINALITY_THRESHOLD)}
    copies = {
        frozenset((a["id"], b["id"]))
        for a, b in combinations(rows, 2)
        if a["copy_group"] and a["copy_group"] == b["copy_group"]
    }
    return len(found & copies), len(found - copies), len(copies - found)


def test_eval_set_meets_the_goals_at_the_shipped_threshold():
    """bench/plan_originality.py has the full protocol (tune/test halves, sweep). The
    issue's goal on the whole labelled set; strict, so it reports when it starts to pass."""
    tp, fp, fn = eval_counts()
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.8


def test_eval_set_does_not_regress_at_the_shipped_threshold():
    """Floor at the figures measured on the harder set (P 0.946, R 0.833 on all pairs at
    0.54), so a change that makes the method worse still fails."""
    tp, fp, fn = eval_counts()
    assert tp / (tp + fp) >= 0.94 and tp / (tp + fn) >= 0.83


def test_eval_set_is_labelled_sensibly():
    rows = eval_rows()
    groups = {}
    for r in rows:
        assert r["title"] and r["goal"]
        assert 3 <= len(r["milestones"].split(" | ")) <= 6
        if r["copy_group"]:
            groups.setdefault(r["copy_group"], []).append(r)
    assert all(len(g) >= 2 for g in groups.values())
    assert sum("hard negative" in r["note"] for r in rows) >= 30
