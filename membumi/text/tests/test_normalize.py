from membumi.text import STOPWORDS, SurfaceForms, analyze, normalize, stem_word, tokenize
from membumi.text.normalize import NUMBER_TOKEN


def test_tokenize_expands_chat_forms():
    tokens = tokenize("data yg tdk lengkap dgn bukti utk SPJ", remove_stopwords=False)
    assert tokens[:6] == ["data", "yang", "tidak", "lengkap", "dengan", "bukti"]
    assert "untuk" in tokens
    assert "yg" not in tokens and "tdk" not in tokens


def test_tokenize_expands_government_abbreviations():
    tokens = tokenize(
        "Antrean e-KTP di Disdukcapil kab. Cibeber, masy mengeluh", remove_stopwords=False
    )
    assert tokens[:3] == ["antrean", "ktp", "elektronik"]
    assert "kependudukan" in tokens and "pencatatan" in tokens
    assert "kabupaten" in tokens
    assert "masyarakat" in tokens


def test_tokenize_removes_stop_words():
    tokens = tokenize("Pelayanan yang tidak sesuai dengan standar dan sudah lama dikeluhkan")
    assert "yang" not in tokens and "tidak" not in tokens and "dengan" not in tokens
    assert "pelayanan" in tokens and "standar" in tokens
    assert all(t not in STOPWORDS for t in tokens)


def test_stopword_list_is_shipped_and_has_function_words():
    assert {"yang", "dan", "di", "ke", "dari", "tidak", "belum"} <= STOPWORDS
    assert "pelayanan" not in STOPWORDS and "data" not in STOPWORDS


def test_numbers_dropped_replaced_or_kept():
    text = "Capaian 71,5% dari target 95% pada 2024"
    assert tokenize(text) == ["capaian", "target"]
    assert tokenize(text, numbers="token").count(NUMBER_TOKEN) == 3
    assert "715" in tokenize(text, numbers="keep")


def test_codes_with_digits_are_kept():
    assert tokenize("Kunjungan K6 dan data P3KE, aduan SP4N-LAPOR") == [
        "kunjungan",
        "k6",
        "data",
        "p3ke",
        "aduan",
        "sp4n",
        "lapor",
    ]


def test_reduplication_and_spelling_variants():
    assert tokenize("anak-anak rata2 antrian ijin akte") == [
        "anak",
        "rata",
        "antrean",
        "izin",
        "akta",
    ]


def test_normalize_reads_as_text():
    assert normalize("Antrian KTP-el yg lama!!") == "antrean ktp elektronik yang lama"


def test_empty_text():
    assert tokenize("") == []
    assert normalize("  ...  ") == ""


def test_stem_word_uses_sastrawi_and_caches():
    assert stem_word("pelayanan") == "layan"
    assert stem_word("perizinan") == "izin"
    assert stem_word("k6") == "k6"  # codes are not stemmed
    assert stem_word.cache_info().currsize > 0


def test_stem_overrides_keep_unrelated_words_apart():
    assert stem_word("berjalan") != stem_word("jalan")


def test_surface_forms_map_stems_back_to_words():
    forms = SurfaceForms()
    for text in ["Pelayanan KTP lambat", "pelayanan akta", "Layanan online"]:
        forms.add(analyze(text))
    assert forms.word("layan") == "pelayanan"
    assert forms.phrase("layan lambat") == "pelayanan lambat"
    assert forms.word("unknown") == "unknown"


def test_surface_forms_ties_are_deterministic():
    a, b = SurfaceForms(), SurfaceForms()
    a.add([("layan", "pelayanan"), ("layan", "layanan")])
    b.add([("layan", "layanan"), ("layan", "pelayanan")])
    assert a.word("layan") == b.word("layan") == "layanan"
    assert SurfaceForms.from_dict(a.to_dict()).word("layan") == "layanan"
