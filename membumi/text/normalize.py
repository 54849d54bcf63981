"""Indonesian text normalisation: case, punctuation, numbers, abbreviations, stop words.

Everything here is pure Python and deterministic. The pipeline for one text is::

    casefold + NFKC  ->  split into word tokens (letters/digits, inner hyphens kept)
    ->  reduplication ("anak-anak", "rata2" -> "anak", "rata")
    ->  spelling variants ("antrian" -> "antrean", "ijin" -> "izin")
    ->  abbreviations and chat forms ("yg" -> "yang", "spj" -> "surat pertanggungjawaban")
    ->  a few synonyms and fused compounds ("molor" -> "terlambat", "ditindaklanjuti")
    ->  numbers (dropped, replaced by a token, or kept)
    ->  stop words removed (optional)

Alphanumeric codes such as "k6", "p3ke" or "sp4n" are kept as words: in civil-service
writing they name programmes and indicators.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Literal

NumberMode = Literal["drop", "token", "keep"]

NUMBER_TOKEN = "_num_"  # noqa: S105 (a placeholder word, not a secret)

# Chat forms and common written shortenings. Values may hold several words.
CHAT_FORMS: dict[str, str] = {
    "yg": "yang",
    "dlm": "dalam",
    "dgn": "dengan",
    "dg": "dengan",
    "dng": "dengan",
    "tdk": "tidak",
    "tak": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "utk": "untuk",
    "untk": "untuk",
    "krn": "karena",
    "karna": "karena",
    "krna": "karena",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "blm": "belum",
    "blom": "belum",
    "pd": "pada",
    "tsb": "tersebut",
    "dll": "dan lain lain",
    "dsb": "dan sebagainya",
    "thd": "terhadap",
    "trhdp": "terhadap",
    "org": "orang",
    "masy": "masyarakat",
    "bbrp": "beberapa",
    "sbg": "sebagai",
    "spt": "seperti",
    "jd": "jadi",
    "kpd": "kepada",
    "dr": "dari",
    "lg": "lagi",
    "hrs": "harus",
    "msh": "masih",
    "bs": "bisa",
    "sblm": "sebelum",
    "stlh": "setelah",
    "sm": "sama",
    "tgl": "tanggal",
    "thn": "tahun",
    "th": "tahun",
    "bln": "bulan",
    "hr": "hari",
    "jml": "jumlah",
    "ttg": "tentang",
    "dpt": "dapat",
    "sgt": "sangat",
    "skrg": "sekarang",
    "sdgkan": "sedangkan",
    "kalo": "kalau",
    "klo": "kalau",
    "aja": "saja",
    "trs": "terus",
    "tp": "tapi",
    "dn": "dan",
    "sy": "saya",
    "kmi": "kami",
    "bgmn": "bagaimana",
    "gmn": "bagaimana",
    "pemb": "pembangunan",
    "pel": "pelayanan",
    "pelay": "pelayanan",
    "yanlik": "pelayanan publik",
    "wa": "whatsapp",
    "medsos": "media sosial",
    "hp": "handphone",
}

# Government and sector acronyms that people write both ways ("SPJ" and
# "surat pertanggungjawaban"); expanding them lets the two spellings meet.
# Deliberately left out: acronyms that mean different things in different
# sectors (ABK: anak berkebutuhan khusus / analisis beban kerja; KIA: kartu
# identitas anak / kesehatan ibu dan anak; AN) and names that read better as
# they are (puskesmas, posyandu, bumdes, opd, asn, umkm).
GOVERNMENT_TERMS: dict[str, str] = {
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "prov": "provinsi",
    "ds": "desa",
    "pemda": "pemerintah daerah",
    "pemkab": "pemerintah kabupaten",
    "pemkot": "pemerintah kota",
    "pemprov": "pemerintah provinsi",
    "pemdes": "pemerintah desa",
    "kades": "kepala desa",
    "sekdes": "sekretaris desa",
    "kadis": "kepala dinas",
    "kabid": "kepala bidang",
    "kasi": "kepala seksi",
    "adminduk": "administrasi kependudukan",
    "dukcapil": "kependudukan pencatatan sipil",
    "disdukcapil": "dinas kependudukan pencatatan sipil",
    "ektp": "ktp elektronik",
    "ktpel": "ktp elektronik",
    "kk": "kartu keluarga",
    "spj": "surat pertanggungjawaban",
    "dd": "dana desa",
    "pad": "pendapatan asli daerah",
    "pbb": "pajak bumi bangunan",
    "pbg": "persetujuan bangunan gedung",
    "imb": "izin mendirikan bangunan",
    "nib": "nomor induk berusaha",
    "kp": "kenaikan pangkat",
    "jp": "jam pelajaran",
    "bansos": "bantuan sosial",
    "dinsos": "dinas sosial",
    "dinkes": "dinas kesehatan",
    "disdik": "dinas pendidikan",
    "dlh": "dinas lingkungan hidup",
    "pkm": "puskesmas",
    "bumil": "ibu hamil",
    "rs": "rumah sakit",
    "ppl": "penyuluh pertanian lapangan",
    "poktan": "kelompok tani",
    "gapoktan": "gabungan kelompok tani",
    "wbc": "wereng batang coklat",
    "damkar": "pemadam kebakaran",
    "karhutla": "kebakaran hutan lahan",
    "rtlh": "rumah tidak layak huni",
    "pju": "penerangan jalan umum",
    "rth": "ruang terbuka hijau",
    "pmt": "pemberian makanan tambahan",
    "gepeng": "gelandangan pengemis",
    "idl": "imunisasi dasar lengkap",
    "gpk": "guru pembimbing khusus",
    "ats": "anak tidak sekolah",
    "dbd": "demam berdarah",
    "tbc": "tuberkulosis",
}

# Hyphenated or fused spellings mapped before the token is split on hyphens.
COMPOUNDS: dict[str, str] = {
    "e-ktp": "ktp elektronik",
    "ktp-el": "ktp elektronik",
    "pbb-p2": "pajak bumi bangunan",
    "e-learning": "elearning",
    "e-katalog": "katalog elektronik",
    "non-asn": "non asn",
}

# Non-standard spellings seen in government writing -> the KBBI (standard) form.
SPELLING_VARIANTS: dict[str, str] = {
    "antri": "antre",
    "antrian": "antrean",
    "mengantri": "mengantre",
    "akte": "akta",
    "ijin": "izin",
    "perijinan": "perizinan",
    "resiko": "risiko",
    "kwalitas": "kualitas",
    "propinsi": "provinsi",
    "standart": "standar",
    "aktifitas": "aktivitas",
    "kedaluarsa": "kedaluwarsa",
    "kadaluarsa": "kedaluwarsa",
    "kadaluwarsa": "kedaluwarsa",
    "sistim": "sistem",
    "praktek": "praktik",
    "apotik": "apotek",
    "jadual": "jadwal",
    "obyek": "objek",
    "subyek": "subjek",
    "analisa": "analisis",
    "respon": "respons",
    "merubah": "mengubah",
    "rubah": "ubah",
    "nopember": "november",
    "pebruari": "februari",
    "tehnis": "teknis",
    "tekhnis": "teknis",
    "managemen": "manajemen",
    "menejemen": "manajemen",
    "efektifitas": "efektivitas",
    "produktifitas": "produktivitas",
    "kreatifitas": "kreativitas",
    "pelyanan": "pelayanan",
    "pelayaan": "pelayanan",
    "imunsasi": "imunisasi",
    "stuning": "stunting",
}

# Fused compounds that Sastrawi cannot split, and interchangeable words of
# government writing, mapped to one form. Kept short and general on purpose:
# a long synonym list tuned on the evaluation set would only flatter the benchmark.
SYNONYMS: dict[str, str] = {
    "ditindaklanjuti": "tindak lanjut",
    "menindaklanjuti": "tindak lanjut",
    "tindaklanjut": "tindak lanjut",
    "tindaklanjuti": "tindak lanjut",
    "dipertanggungjawabkan": "pertanggungjawaban",
    "mempertanggungjawabkan": "pertanggungjawaban",
    "bertanggungjawab": "tanggung jawab",
    "tanggungjawab": "tanggung jawab",
    "menginput": "input",
    "diinput": "input",
    "molor": "terlambat",
    "telat": "terlambat",
    "keluhan": "pengaduan",
    "mengeluh": "mengadu",
    "mengeluhkan": "mengadukan",
    "komplain": "pengaduan",
    "murid": "siswa",
    "pelajar": "siswa",
    "daring": "online",
    "luring": "offline",
    "presensi": "kehadiran",
    "absensi": "kehadiran",
    "hotspot": "titik panas",
    "kerdil": "stunting",
    "penyerapan": "realisasi",
    "serapan": "realisasi",
}

ABBREVIATIONS: dict[str, str] = {**CHAT_FORMS, **GOVERNMENT_TERMS}

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_REDUP_DIGIT_RE = re.compile(r"^([a-z]{3,})2$")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_RE = re.compile(r"\S+@\S+\.\S+")


@cache
def _load_stopwords() -> frozenset[str]:
    text = resources.files("membumi.text").joinpath("data/stopwords_id.txt").read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


STOPWORDS: frozenset[str] = _load_stopwords()


def _expand_token(token: str) -> list[str]:
    """Turn one raw token (lower case, may hold hyphens) into normalised words."""
    if token in COMPOUNDS:
        return COMPOUNDS[token].split()
    if "-" in token:
        parts = token.split("-")
        # Full reduplication: "anak-anak" -> "anak"; "berhari-hari" stays for the stemmer.
        if len(parts) == 2 and parts[0] == parts[1]:
            return _expand_token(parts[0])
        if len(parts) == 2 and parts[0].endswith(parts[1]) and len(parts[1]) >= 3:
            return [token]
        out: list[str] = []
        for part in parts:
            out.extend(_expand_token(part))
        return out
    match = _REDUP_DIGIT_RE.match(token)
    if match:
        token = match.group(1)
    token = SPELLING_VARIANTS.get(token, token)
    words = ABBREVIATIONS[token].split() if token in ABBREVIATIONS else [token]
    out = []
    for word in words:
        out.extend(SYNONYMS[word].split() if word in SYNONYMS else [word])
    return out


def _is_number(token: str) -> bool:
    return token.isdigit()


def tokenize(
    text: str,
    *,
    numbers: NumberMode = "drop",
    expand: bool = True,
    remove_stopwords: bool = True,
    min_length: int = 2,
) -> list[str]:
    """Split ``text`` into normalised Indonesian word tokens.

    ``numbers``: "drop" removes pure numbers, "token" replaces each by ``_num_``,
    "keep" leaves the digits. Tokens shorter than ``min_length`` are dropped
    (number tokens excepted when kept).
    """
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL_RE.sub(" ", text)
    text = _EMAIL_RE.sub(" ", text)
    # Collapse "27,4" / "1.240" / "100.000" into one number before splitting on punctuation.
    text = _NUMBER_RE.sub(lambda m: m.group(0).replace(".", "").replace(",", ""), text)
    out: list[str] = []
    for raw in _TOKEN_RE.findall(text):
        words = _expand_token(raw) if expand else [raw]
        for word in words:
            if _is_number(word):
                if numbers == "drop":
                    continue
                out.append(NUMBER_TOKEN if numbers == "token" else word)
                continue
            if len(word) < min_length:
                continue
            if remove_stopwords and word in STOPWORDS:
                continue
            out.append(word)
    return out


def normalize(text: str, *, numbers: NumberMode = "token", remove_stopwords: bool = False) -> str:
    """Return ``text`` lower-cased, without punctuation, with abbreviations expanded.

    Stop words are kept by default so the result still reads as a sentence.
    """
    return " ".join(tokenize(text, numbers=numbers, remove_stopwords=remove_stopwords))


def is_stopword(word: str) -> bool:
    return word.casefold() in STOPWORDS
