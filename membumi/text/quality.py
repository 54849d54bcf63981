"""The action-plan quality check: rules over a plan draft, findings in Bahasa Indonesia.

Plain Python (no Django): the caller turns its models into a :class:`PlanDraft` and gets
a :class:`QualityResult` back, a score 0..100 and a list of :class:`Finding`. Every finding
has a stable ``code``, a ``severity`` (``"blocking"`` or ``"advice"``), a ``message`` that
says what is wrong, a ``suggestion`` that says concretely what to write instead, and the
``field`` it is about (``"goal"``, ``"target_value"``, ``"milestones[2].due_date"``...).

Severity (see :data:`CODES`). *Blocking* findings are what DESIGN §4 requires before a plan
can be submitted (a problem, a goal, an indicator with unit, baseline and target in the
right direction, a milestone in each term) plus hard rules of the issue that a reader
cannot argue with: the problem is validated and belongs to the participant's unit, each
milestone has a date inside its term, and in Latsar every activity names a BerAKHLAK
value. *Advice* findings are heuristics over free text (a measurable goal, a goal that
restates the problem) and good practice (responsible person, output, stakeholders, data
source, realistic budget): a false alarm must never stop a participant from submitting.

Score (deterministic, 100 with no findings)::

    score = max(0, 100 - 15 * B - 5 * A)

where ``B`` is the number of *distinct* blocking codes and ``A`` the number of distinct
advice codes. Counting codes, not instances, keeps one habit (say, no responsible person
on six milestones) from sinking the score; the panel still lists every instance.

Privacy: the check sees only the participant's own draft and the problem they chose.
Messages quote only the draft's own fields and never name another unit or person.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal

from .normalize import tokenize
from .stem import analyze, stem_word

Severity = Literal["blocking", "advice"]

BLOCKING: Severity = "blocking"
ADVICE: Severity = "advice"

BLOCKING_WEIGHT = 15
ADVICE_WEIGHT = 5

# code -> severity. The codes are stable: the API, the editor and the tests use them.
CODES: dict[str, Severity] = {
    # problem
    "problem_missing": BLOCKING,
    "problem_not_validated": BLOCKING,
    "problem_outside_unit": BLOCKING,
    # title, goal, root cause
    "title_missing": ADVICE,
    "goal_missing": BLOCKING,
    "goal_not_measurable": ADVICE,
    "goal_copies_problem": ADVICE,
    "root_cause_missing": ADVICE,
    # indicator
    "indicator_missing": BLOCKING,
    "indicator_unit_missing": BLOCKING,
    "indicator_direction_missing": BLOCKING,
    "baseline_missing": BLOCKING,
    "target_missing": BLOCKING,
    "target_not_improvement": BLOCKING,
    "value_out_of_range": ADVICE,
    "baseline_date_missing": ADVICE,
    "target_date_missing": ADVICE,
    "target_date_out_of_range": ADVICE,
    "data_source_missing": ADVICE,
    # milestones
    "milestone_term_missing": BLOCKING,
    "milestone_date_missing": BLOCKING,
    "milestone_date_out_of_term": BLOCKING,
    "milestone_after_target": ADVICE,
    "milestone_output_missing": ADVICE,
    "milestone_responsible_missing": ADVICE,
    "budget_unrealistic": ADVICE,
    # people
    "stakeholders_missing": ADVICE,
    # Latsar
    "berakhlak_missing": BLOCKING,
    "berakhlak_unknown": ADVICE,
}

TERMS = ("short", "mid", "long")
TERM_LABELS = {"short": "jangka pendek", "mid": "jangka menengah", "long": "jangka panjang"}
_TERM_ALIASES = {
    "short": "short",
    "pendek": "short",
    "jangka pendek": "short",
    "mid": "mid",
    "medium": "mid",
    "menengah": "mid",
    "jangka menengah": "mid",
    "long": "long",
    "panjang": "long",
    "jangka panjang": "long",
}

MID_TERM_MONTHS = 3  # mid term: up to 3 months after the batch ends
LONG_TERM_MONTHS = 12  # long term: up to 12 months after the batch ends

# Budgets (rupiah). New spending cannot go through the unit's budget (DPA) within the few
# weeks of a training window, so a large short-term budget is unlikely to be real; a
# budget in the billions for one milestone is usually extra zeros.
SHORT_TERM_BUDGET_MAX = Decimal(50_000_000)
MILESTONE_BUDGET_MAX = Decimal(5_000_000_000)

LATSAR = "latsar"

# The seven BerAKHLAK core values of ASN (code -> label).
BERAKHLAK: dict[str, str] = {
    "berorientasi_pelayanan": "Berorientasi Pelayanan",
    "akuntabel": "Akuntabel",
    "kompeten": "Kompeten",
    "harmonis": "Harmonis",
    "loyal": "Loyal",
    "adaptif": "Adaptif",
    "kolaboratif": "Kolaboratif",
}
_BERAKHLAK_ALIASES = {
    **{code: code for code in BERAKHLAK},
    "orientasi_pelayanan": "berorientasi_pelayanan",
    "pelayanan": "berorientasi_pelayanan",
    "akuntabilitas": "akuntabel",
    "kompetensi": "kompeten",
    "harmoni": "harmonis",
    "loyalitas": "loyal",
    "adaptasi": "adaptif",
    "kolaborasi": "kolaboratif",
}

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# -- the draft ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemRef:
    """The work-unit problem the plan addresses (only what the check needs).

    ``endorsing_unit_ids``: other units that said "we have this problem too"; a
    participant of such a unit works on a problem of their own unit.
    """

    title: str = ""
    statement: str = ""
    validated: bool = False
    unit_id: Hashable | None = None
    endorsing_unit_ids: frozenset = frozenset()


@dataclass(frozen=True)
class MilestoneDraft:
    """One milestone. ``term`` is ``short``, ``mid`` or ``long`` (Indonesian names are
    accepted). ``berakhlak`` lists BerAKHLAK value codes or names (Latsar)."""

    term: str
    title: str = ""
    due_date: date | None = None
    budget: Any = None  # Decimal, int, float, "1.500.000" or None
    responsible: str = ""
    output: str = ""
    berakhlak: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        key = " ".join(str(self.term or "").casefold().replace("_", " ").split())
        if key not in _TERM_ALIASES:
            raise ValueError(f"unknown milestone term {self.term!r}")
        object.__setattr__(self, "term", _TERM_ALIASES[key])
        object.__setattr__(self, "berakhlak", tuple(self.berakhlak or ()))

    @property
    def is_blank(self) -> bool:
        """An empty row from the editor: no title, output, date, budget or person."""
        return not (
            (self.title or "").strip()
            or (self.output or "").strip()
            or self.due_date
            or _is_filled(self.budget)
            or (self.responsible or "").strip()
        )


@dataclass(frozen=True)
class StakeholderDraft:
    name: str
    kind: str = ""  # internal / external
    role: str = ""
    support: str = ""


@dataclass(frozen=True)
class PlanDraft:
    """Everything the quality check reads. Numbers may be ``Decimal``, ``int``, ``float``
    or Indonesian-formatted strings ("72,5", "1.240"); empty strings count as missing.

    ``own_unit_ids``: units that count as the participant's own besides
    ``participant_unit_id`` (for example its parent units); the caller decides.
    """

    problem: ProblemRef | None = None
    participant_unit_id: Hashable | None = None
    own_unit_ids: frozenset = frozenset()
    title: str = ""
    goal: str = ""
    root_cause: str = ""
    indicator_name: str = ""
    indicator_unit: str = ""
    indicator_direction: str = ""  # "increase" | "decrease"
    baseline_value: Any = None
    baseline_date: date | None = None
    target_value: Any = None
    target_date: date | None = None
    data_source: str = ""
    milestones: tuple[MilestoneDraft, ...] = ()
    stakeholders: tuple[StakeholderDraft, ...] = ()
    training_start: date | None = None
    training_end: date | None = None
    program_type: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "milestones", tuple(self.milestones or ()))
        object.__setattr__(self, "stakeholders", tuple(self.stakeholders or ()))
        object.__setattr__(self, "own_unit_ids", frozenset(self.own_unit_ids or ()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanDraft:
        """Build a draft from JSON-like data (dates as ISO strings, nested dicts)."""
        d = dict(data)
        problem = d.get("problem")
        if isinstance(problem, Mapping):
            problem = dict(problem)
            problem["endorsing_unit_ids"] = frozenset(problem.get("endorsing_unit_ids") or ())
            d["problem"] = ProblemRef(**problem)
        for key in ("baseline_date", "target_date", "training_start", "training_end"):
            d[key] = _to_date(d.get(key))
        d["milestones"] = tuple(
            MilestoneDraft(**{**m, "due_date": _to_date(m.get("due_date"))})
            if isinstance(m, Mapping)
            else m
            for m in d.get("milestones") or ()
        )
        d["stakeholders"] = tuple(
            StakeholderDraft(**s) if isinstance(s, Mapping) else s
            for s in d.get("stakeholders") or ()
        )
        d["own_unit_ids"] = frozenset(d.get("own_unit_ids") or ())
        return cls(**d)


# -- the result --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    suggestion: str
    field: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "field": self.field,
        }


@dataclass(frozen=True)
class QualityResult:
    score: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == BLOCKING]

    @property
    def can_submit(self) -> bool:
        return not self.blocking

    @property
    def codes(self) -> list[str]:
        """Distinct codes in the order they were found."""
        return list(dict.fromkeys(f.code for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "findings": [f.to_dict() for f in self.findings]}


def score_findings(findings: Iterable[Finding]) -> int:
    """``max(0, 100 - 15 * distinct blocking codes - 5 * distinct advice codes)``."""
    blocking = {f.code for f in findings if f.severity == BLOCKING}
    advice = {f.code for f in findings if f.severity == ADVICE} - blocking
    return max(0, 100 - BLOCKING_WEIGHT * len(blocking) - ADVICE_WEIGHT * len(advice))


# -- formatting helpers ------------------------------------------------------------------


def format_date(d: date) -> str:
    """``date(2025, 12, 31)`` -> ``"31 Desember 2025"``."""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def format_number(value: Decimal) -> str:
    """Indonesian style: ``Decimal("1240.5")`` -> ``"1.240,5"``."""
    value = value.normalize()
    sign = "-" if value < 0 else ""
    text = f"{abs(value):f}"
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    return f"{sign}{out},{frac}" if frac else f"{sign}{out}"


def format_amount(value: Decimal, unit: str) -> str:
    unit = (unit or "").strip()
    return f"{format_number(value)} {unit}".strip()


def format_rupiah(value: Decimal) -> str:
    return f"Rp{format_number(value.quantize(Decimal(1)))}"


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year = d.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _to_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _is_filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


_THOUSANDS_RE = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_number(value: Any) -> Decimal | None:
    """A number from a model field or a form: ``Decimal``, ``int``, ``float``, or text in
    Indonesian style ("72,5", "1.240", "1.240,5", "95 %", "Rp 1.500.000"). ``None`` when
    empty or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    text = str(value).strip().casefold().replace("rp", "").replace("%", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif _THOUSANDS_RE.match(text):
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# -- word lists ---------------------------------------------------------------------------


def _wordset_list(text: str) -> list[str]:
    return text.split()


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Action and change verbs of plan goals, as surface words; matched through their Sastrawi
# stems, so "meningkatkan", "peningkatan" and "ditingkatkan" are one entry. A word counts
# as an action only when it carries an affix (me-, di-, pe-/per-) around such a stem:
# the bare stem is usually a noun or a state in a problem statement ("tingkat kepatuhan
# rendah", "cakupan turun").
ACTION_VERBS: tuple[str, ...] = tuple(
    _wordset_list("""
meningkatkan menurunkan menaikkan mengurangi mendigitalisasi menambah mencapai mempercepat mempersingkat
memangkas menekan menghapus menghilangkan mencegah memperbaiki mengoptimalkan menuntaskan
menyelesaikan melengkapi memperluas mengembangkan menerapkan menyusun membangun melatih
mendigitalkan membentuk menyediakan membuat menyosialisasikan membenahi menata
menyederhanakan memutakhirkan menertibkan mendorong mendampingi memperkuat mengaktifkan
merancang meluncurkan mengefektifkan mengefisienkan mewujudkan mengelola memantau
menjangkau mempermudah menggerakkan membina menyiapkan memperbarui mengumpulkan mendata
memetakan menyelaraskan menstandarkan menjamin memastikan menghasilkan menata menuntaskan
menertibkan mengganti memindahkan menjadwalkan mengintegrasikan menghubungkan mengukur
memvaksinasi mengimunisasi menagih menyalurkan memverifikasi mengarsipkan menyeragamkan
melaporkan melaksanakan mengadakan menyampaikan memberikan menerbitkan memproses
menangani memanfaatkan menggunakan mencatat merekam menjemput mengunjungi menyebarluaskan
menyerahkan mengirimkan mengantarkan mengajukan mengembalikan
""")
)

# Action nouns borrowed with -isasi/-si that need no Indonesian affix to mean an action.
ACTION_NOUNS = _wordset("""
digitalisasi optimalisasi sosialisasi implementasi integrasi revitalisasi standardisasi
standarisasi otomatisasi inventarisasi validasi verifikasi inovasi edukasi evaluasi
akselerasi inisiasi fasilitasi rekonsiliasi sinkronisasi simplifikasi reformulasi
restrukturisasi modernisasi penataan perbaikan peningkatan penurunan percepatan
""")

# Change words that carry a direction but no agent ("naik", "turun", "bertambah"): they make
# a goal's change explicit even though they are not actions.
CHANGE_WORDS = _wordset("naik turun meningkat menurun bertambah berkurang tercapai mencapai")

NEGATIONS = _wordset(
    "belum tidak tanpa kurang minim minimnya kurangnya bukan jarang sulit rendahnya"
)

_AFFIXED = ("me", "di", "pe")  # me-/mem-/meng-/memper-, di-/diper-, pe-/pem-/per-...-an

QUANTITY_WORDS = _wordset("""
persen setengah separuh seluruh semua seratus nol zero satu dua tiga empat lima enam tujuh
delapan sembilan sepuluh sebelas belas puluh ratus ribu juta miliar lipat
""")

_MONTH_WORDS = frozenset(m.casefold() for m in MONTHS_ID) | {
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "agu",
    "agt",
    "sep",
    "okt",
    "nov",
    "des",
}
_DATE_LEADERS = _wordset("tahun triwulan semester tanggal tw") | _MONTH_WORDS
_DURATION_LEADERS = _wordset("dalam selama setiap tiap per")
_TIME_UNITS = _wordset("hari minggu pekan bulan tahun jam")
_NAME_AFTER_SATU = _wordset("pintu data atap peta")  # "satu pintu" is a name

# Indicator name words -> the unit people usually mean (for a concrete suggestion).
_UNIT_HINTS = (
    (("persentase", "cakupan", "rasio", "proporsi", "capaian", "realisasi", "tingkat"), "%"),
    (("waktu", "lama", "durasi", "rata"), "hari atau menit"),
    (("indeks", "nilai", "skor", "skala"), "poin"),
    (("jumlah", "banyaknya", "banyak", "angka"), "orang, dokumen, kasus atau unit"),
)


@cache
def _action_stems() -> frozenset[str]:
    return frozenset(stem_word(w) for w in ACTION_VERBS)


def is_action_word(word: str) -> bool:
    """True for an Indonesian action verb or action noun (lower-case ``word``)."""
    if word in ACTION_NOUNS:
        return True
    stem = stem_word(word)
    if stem == word or not word.startswith(_AFFIXED):
        return False
    return stem in _action_stems() or stem in ACTION_NOUNS  # "mendigitalisasi"


def _words(text: str) -> list[str]:
    return tokenize(text or "", numbers="keep", remove_stopwords=False, min_length=1)


def action_words(text: str) -> list[str]:
    """Action or change words of ``text`` that are not negated ("belum ada penerapan").

    "dari ... menjadi ..." also states a change ("cakupan dari 70 % menjadi 90 %").
    """
    words = _words(text)
    out = []
    for i, w in enumerate(words):
        change = w in CHANGE_WORDS or (w == "menjadi" and "dari" in words[:i])
        if not (change or is_action_word(w)):
            continue
        if any(p in NEGATIONS for p in words[max(0, i - 2) : i]):
            continue
        out.append(w)
    return out


def amount_words(text: str) -> list[str]:
    """Numbers and quantity words that state an amount of change.

    Years (1990..2100), days of a date ("31 Desember") and durations ("dalam 3 bulan")
    are not amounts.
    """
    words = _words(text)
    out = ["%"] if "%" in (text or "") else []
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w.isdigit():
            if len(w) == 4 and 1990 <= int(w) <= 2100:
                continue
            if prev in _DATE_LEADERS or nxt in _MONTH_WORDS:
                continue
            if prev in _DURATION_LEADERS and nxt in _TIME_UNITS:
                continue
            out.append(w)
        elif w in QUANTITY_WORDS and not (w == "satu" and nxt in _NAME_AFTER_SATU):
            out.append(w)
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the content words (stop words and numbers removed)."""
    return [s for s, _ in analyze(text or "")]


def goal_overlap(goal: str, problem_text: str) -> float:
    """Share of the goal's distinct content stems that also occur in the problem text."""
    g = set(content_stems(goal))
    if not g:
        return 0.0
    return len(g & set(content_stems(problem_text))) / len(g)


GOAL_COPY_OVERLAP = 0.6
"""Share of the goal's content words found in the problem above which a goal *may*
restate it. Overlap alone does not decide: on the quality set, restatements overlap
0.90-1.00 but proper goals also reach 0.91, because they name the problem's indicator.
What decides is that the goal adds no action and no figure of its own."""

# -- the check ---------------------------------------------------------------------------


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, code: str, message: str, suggestion: str, field: str = "") -> None:
        self.items.append(Finding(code, CODES[code], message, suggestion, field))


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


PERCENT_UNITS = frozenset({"%", "persen", "percent", "persentase", "prosentase"})


def is_percent_unit(unit: str | None) -> bool:
    """Whether an indicator's unit is a percentage (values then lie in 0–100). Shared by the
    plan quality check and monitoring's measurement check."""
    return _clean(unit).casefold().rstrip(".") in PERCENT_UNITS


def check_quality(draft: PlanDraft) -> QualityResult:
    """Run every rule over ``draft``; findings in a fixed order, score per the module doc."""
    out = _Findings()
    _check_problem(draft, out)
    _check_goal(draft, out)
    _check_indicator(draft, out)
    _check_milestones(draft, out)
    _check_people(draft, out)
    return QualityResult(score=score_findings(out.items), findings=out.items)


def _check_problem(d: PlanDraft, out: _Findings) -> None:
    p = d.problem
    if p is None:
        out.add(
            "problem_missing",
            "Rencana aksi belum terhubung ke masalah unit kerja.",
            "Pilih masalah unit kerja Anda yang sudah divalidasi mentor di bank masalah, "
            "atau ajukan masalah baru lalu minta mentor memvalidasinya.",
            "problem",
        )
        return
    if not p.validated:
        out.add(
            "problem_not_validated",
            "Masalah yang dipilih belum divalidasi mentor.",
            "Minta mentor (atasan langsung) memvalidasi bahwa masalah ini nyata dan berada "
            "dalam kewenangan Anda sebelum rencana aksi diajukan.",
            "problem",
        )
    own = {d.participant_unit_id, *d.own_unit_ids} - {None}
    if p.unit_id is not None and own:
        problem_units = {p.unit_id, *p.endorsing_unit_ids}
        if not own & problem_units:
            out.add(
                "problem_outside_unit",
                "Masalah yang dipilih tercatat pada unit kerja lain, bukan unit kerja Anda.",
                "Pilih masalah dari unit kerja Anda sendiri, atau minta mentor mencatat bahwa "
                "unit Anda juga mengalami masalah ini (dukung masalah tersebut).",
                "problem",
            )


def _example_goal(d: PlanDraft) -> str:
    base, target = parse_number(d.baseline_value), parse_number(d.target_value)
    name = _clean(d.indicator_name)
    if name and base is not None and target is not None and d.indicator_unit.strip():
        verb = "Menurunkan" if d.indicator_direction == "decrease" else "Meningkatkan"
        when = f" paling lambat {format_date(d.target_date)}" if d.target_date else ""
        return (
            f"{verb} {name[0].lower()}{name[1:]} dari {format_amount(base, d.indicator_unit)}"
            f" menjadi {format_amount(target, d.indicator_unit)}{when}"
        )
    return "Menurunkan rata-rata waktu tunggu layanan dari 45 menit menjadi 20 menit pada Desember"


def _check_goal(d: PlanDraft, out: _Findings) -> None:
    if not _clean(d.title):
        out.add(
            "title_missing",
            "Judul rencana aksi belum diisi.",
            "Tulis judul singkat yang menyebut perubahan dan tempatnya, misalnya "
            "'Percepatan layanan akta kelahiran melalui loket terpadu di Kecamatan Sukamaju'.",
            "title",
        )
    goal = _clean(d.goal)
    if not goal:
        out.add(
            "goal_missing",
            "Tujuan rencana aksi belum diisi.",
            f"Tulis satu kalimat tujuan: kata kerja perubahan, apa yang berubah, berapa, dan "
            f"kapan, misalnya '{_example_goal(d)}'.",
            "goal",
        )
    else:
        actions = action_words(goal)
        amounts = amount_words(goal)
        objects = [
            s
            for s, w in analyze(goal)
            if not is_action_word(w) and w not in CHANGE_WORDS and w not in QUANTITY_WORDS
        ]
        missing = []
        if not actions:
            missing.append("perubahan yang dituju (misalnya meningkatkan, menurunkan)")
        if not objects:
            missing.append("apa yang diubah")
        if not amounts:
            missing.append("besar perubahan (angka, persentase, atau jumlah)")
        if missing:
            out.add(
                "goal_not_measurable",
                "Tujuan belum terukur: belum menyebut " + "; ".join(missing) + ".",
                f"Tulis tujuan yang bisa diukur, misalnya '{_example_goal(d)}'.",
                "goal",
            )
        p = d.problem
        problem_text = f"{_clean(p.title)}. {_clean(p.statement)}" if p else ""
        # An action counts only if the problem does not already contain it: "pengelolaan
        # arsip belum tertib" copied into the goal has "pengelolaan" but no new action.
        # A new figure is a target, not a restatement ("SPJ tepat waktu 90 %" against
        # "hanya 45 % SPJ tepat waktu"): that goal lacks an action (goal_not_measurable)
        # but does not copy the problem.
        problem_words = set(_words(problem_text)) | set(amount_words(problem_text))
        new_actions = [w for w in actions if w not in problem_words]
        new_amounts = [w for w in amounts if w not in problem_words and w != "%"]
        if (
            problem_text.strip(". ")
            and not new_actions
            and not new_amounts
            and len(set(content_stems(goal))) >= 2
            and goal_overlap(goal, problem_text) >= GOAL_COPY_OVERLAP
        ):
            out.add(
                "goal_copies_problem",
                "Tujuan hanya mengulang rumusan masalah, belum menyebut tindakan yang akan "
                "dilakukan.",
                "Mulai tujuan dengan kata kerja tindakan (meningkatkan, menurunkan, menerapkan, "
                f"menyusun, mendigitalisasi...) dan sebut hasilnya, misalnya "
                f"'{_example_goal(d)}'.",
                "goal",
            )
    if not _clean(d.root_cause):
        out.add(
            "root_cause_missing",
            "Ringkasan akar masalah belum diisi.",
            "Tulis satu atau dua penyebab utama dari analisis (misalnya diagram tulang ikan), "
            "misalnya 'jadwal posyandu bentrok dengan jam kerja ibu; belum ada pengingat'.",
            "root_cause",
        )


def _unit_hint(indicator_name: str) -> str:
    words = set(_words(indicator_name))
    for keys, unit in _UNIT_HINTS:
        if words & set(keys):
            return unit
    return "%, hari, orang atau dokumen"


def _check_indicator(d: PlanDraft, out: _Findings) -> None:
    name = _clean(d.indicator_name)
    unit = _clean(d.indicator_unit)
    if not name:
        out.add(
            "indicator_missing",
            "Indikator keberhasilan belum diisi.",
            "Tulis satu indikator yang mengukur perubahan, misalnya 'Persentase bayi "
            "mendapat imunisasi dasar lengkap' atau 'Rata-rata waktu penerbitan akta'.",
            "indicator_name",
        )
    if not unit:
        hint = _unit_hint(name)
        shown = f" untuk '{name}'" if name else ""
        out.add(
            "indicator_unit_missing",
            "Satuan indikator belum diisi.",
            f"Isi satuan indikator, misalnya {hint}{shown}. Tulis baseline dan target dalam "
            "satuan yang sama, misalnya 95 %.",
            "indicator_unit",
        )
    direction = d.indicator_direction
    if direction not in ("increase", "decrease"):
        out.add(
            "indicator_direction_missing",
            "Arah indikator belum dipilih (naik atau turun).",
            "Pilih 'naik' bila makin tinggi makin baik (misalnya cakupan imunisasi) atau "
            "'turun' bila makin rendah makin baik (misalnya waktu tunggu, jumlah aduan).",
            "indicator_direction",
        )
    base = parse_number(d.baseline_value)
    target = parse_number(d.target_value)
    if base is None:
        bad = _is_filled(d.baseline_value)
        out.add(
            "baseline_missing",
            "Nilai baseline bukan angka." if bad else "Nilai baseline belum diisi.",
            "Isi nilai indikator saat ini dari data unit kerja, sebagai angka saja dalam "
            f"satuan indikator{f' ({unit})' if unit else ''}, beserta tanggal pengukurannya, "
            "misalnya 72,5.",
            "baseline_value",
        )
    elif d.baseline_date is None:
        out.add(
            "baseline_date_missing",
            "Tanggal pengukuran baseline belum diisi.",
            "Isi tanggal data baseline diambil (misalnya akhir bulan terakhir sebelum "
            "pelatihan), agar perubahan bisa dibandingkan.",
            "baseline_date",
        )
    if target is None:
        bad = _is_filled(d.target_value)
        out.add(
            "target_missing",
            "Nilai target bukan angka." if bad else "Nilai target belum diisi.",
            f"Isi target sebagai angka dalam satuan yang sama dengan baseline"
            f"{f' ({unit})' if unit else ''}, misalnya "
            f"{format_amount(Decimal(95), unit or '%')}, beserta tanggal target.",
            "target_value",
        )
    elif d.target_date is None:
        out.add(
            "target_date_missing",
            "Tanggal target belum diisi.",
            "Isi tanggal target tercapai, paling lambat 12 bulan setelah pelatihan berakhir"
            + (
                f" ({format_date(add_months(d.training_end, LONG_TERM_MONTHS))})."
                if d.training_end
                else "."
            ),
            "target_date",
        )
    if base is not None and target is not None and direction in ("increase", "decrease"):
        b, t = format_amount(base, unit), format_amount(target, unit)
        if target == base:
            out.add(
                "target_not_improvement",
                f"Target ({t}) sama dengan baseline ({b}): tidak ada perubahan yang dituju.",
                f"Tetapkan target yang {'lebih tinggi' if direction == 'increase' else 'lebih rendah'}"
                f" dari {b}. Bila maksudnya mempertahankan capaian, pilih indikator lain yang "
                "masih perlu diperbaiki.",
                "target_value",
            )
        elif (direction == "increase") != (target > base):
            wrong = "lebih rendah" if direction == "increase" else "lebih tinggi"
            arrow = "naik" if direction == "increase" else "turun"
            other = "turun" if direction == "increase" else "naik"
            out.add(
                "target_not_improvement",
                f"Target ({t}) {wrong} dari baseline ({b}), padahal arah indikator '{arrow}'.",
                f"Bila makin {'tinggi' if direction == 'increase' else 'rendah'} makin baik, "
                f"tulis target {'di atas' if direction == 'increase' else 'di bawah'} {b}; bila "
                f"yang dituju memang {'penurunan' if direction == 'increase' else 'kenaikan'}, "
                f"ubah arah indikator menjadi '{other}'.",
                "target_value",
            )
    if is_percent_unit(unit):
        for label, value, fld in (
            ("Baseline", base, "baseline_value"),
            ("Target", target, "target_value"),
        ):
            if value is not None and not (0 <= value <= 100):
                out.add(
                    "value_out_of_range",
                    f"{label} {format_amount(value, unit)} di luar rentang 0–100 %.",
                    "Periksa angka dan satuannya: persentase ditulis 0–100 (misalnya 95, "
                    "bukan 0,95 atau 950). Bila capaian memang bisa melebihi 100 %, "
                    "jelaskan di sumber data.",
                    fld,
                )
    if d.target_date and d.training_end:
        latest = add_months(d.training_end, LONG_TERM_MONTHS)
        if d.target_date > latest or d.target_date < d.training_end:
            out.add(
                "target_date_out_of_range",
                f"Tanggal target {format_date(d.target_date)} di luar masa pemantauan "
                f"({format_date(d.training_end)} – {format_date(latest)}).",
                f"Pilih tanggal target antara akhir pelatihan ({format_date(d.training_end)}) "
                f"dan 12 bulan sesudahnya ({format_date(latest)}), agar capaian dapat "
                "diverifikasi pada evaluasi pasca pelatihan.",
                "target_date",
            )
    if not _clean(d.data_source):
        out.add(
            "data_source_missing",
            "Sumber data indikator belum diisi.",
            "Sebut dari mana angka indikator diambil dan siapa yang mencatatnya, misalnya "
            "'register kohort imunisasi Puskesmas, direkap bulanan oleh bidan koordinator'.",
            "data_source",
        )


def term_window(term: str, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The inclusive date range of a term; ``None`` bounds are open.

    short: the training window; mid: the day after the end up to 3 months after it; long:
    from there up to 12 months after the end. The terms follow each other without overlap.
    """
    if end is None:
        return (start, None) if term == "short" else (None, None)
    mid_end = add_months(end, MID_TERM_MONTHS)
    if term == "short":
        return start, end
    if term == "mid":
        return date.fromordinal(end.toordinal() + 1), mid_end
    return date.fromordinal(mid_end.toordinal() + 1), add_months(end, LONG_TERM_MONTHS)


def _term_of(day: date, start: date | None, end: date | None) -> str | None:
    for term in TERMS:
        lo, hi = term_window(term, start, end)
        if (lo is None or day >= lo) and (hi is None or day <= hi):
            return term
    return None


def _window_text(term: str, start: date | None, end: date | None) -> str:
    lo, hi = term_window(term, start, end)
    if lo and hi:
        return f"{format_date(lo)} – {format_date(hi)}"
    if hi:
        return f"paling lambat {format_date(hi)}"
    if lo:
        return f"mulai {format_date(lo)}"
    return ""


_TERM_EXAMPLES = {
    "short": "'Menyusun SOP dan jadwal layanan baru, disahkan kepala unit'",
    "mid": "'Menerapkan SOP baru di seluruh loket dan merekap capaian bulanan'",
    "long": "'Mengevaluasi capaian indikator dan menjadikan SOP standar unit'",
}


def _check_milestones(d: PlanDraft, out: _Findings) -> None:
    milestones = [(i, m) for i, m in enumerate(d.milestones) if not m.is_blank]
    start, end = d.training_start, d.training_end
    present = {m.term for _, m in milestones}
    for term in TERMS:
        if term not in present:
            window = _window_text(term, start, end)
            out.add(
                "milestone_term_missing",
                f"Belum ada tahapan {TERM_LABELS[term]}.",
                f"Tambahkan minimal satu tahapan {TERM_LABELS[term]}"
                + (f" (jatuh tempo {window})" if window else "")
                + f", misalnya {_TERM_EXAMPLES[term]}.",
                "milestones",
            )
    no_output: list[int] = []
    no_person: list[int] = []
    for i, m in milestones:
        label = f"Tahapan {i + 1}" + (f" ('{_clean(m.title)}')" if _clean(m.title) else "")
        if m.due_date is None:
            window = _window_text(m.term, start, end)
            out.add(
                "milestone_date_missing",
                f"{label} belum punya tanggal jatuh tempo.",
                f"Isi tanggal jatuh tempo dalam {TERM_LABELS[m.term]}"
                + (f" ({window})" if window else "")
                + ".",
                f"milestones[{i}].due_date",
            )
        else:
            lo, hi = term_window(m.term, start, end)
            if (lo is not None and m.due_date < lo) or (hi is not None and m.due_date > hi):
                actual = _term_of(m.due_date, start, end)
                where = (
                    f"termasuk {TERM_LABELS[actual]}"
                    if actual
                    else "di luar semua jangka (sebelum pelatihan atau lebih dari 12 bulan "
                    "sesudahnya)"
                )
                move = (
                    f"Pindahkan tahapan ini ke {TERM_LABELS[actual]} atau ubah tanggalnya"
                    if actual
                    else "Ubah tanggalnya"
                )
                out.add(
                    "milestone_date_out_of_term",
                    f"{label} bertanggal {format_date(m.due_date)}, di luar "
                    f"{TERM_LABELS[m.term]} ({_window_text(m.term, start, end)}); tanggal itu "
                    f"{where}.",
                    f"{move} agar berada dalam rentang {TERM_LABELS[m.term]} "
                    f"({_window_text(m.term, start, end)}).",
                    f"milestones[{i}].due_date",
                )
            if d.target_date and m.due_date > d.target_date:
                out.add(
                    "milestone_after_target",
                    f"{label} jatuh tempo {format_date(m.due_date)}, sesudah tanggal target "
                    f"indikator ({format_date(d.target_date)}).",
                    "Majukan tahapan ini sebelum tanggal target, atau mundurkan tanggal target "
                    "bila indikator baru bisa tercapai setelah tahapan ini selesai.",
                    f"milestones[{i}].due_date",
                )
        if not _clean(m.output):
            no_output.append(i)
        if not _clean(m.responsible):
            no_person.append(i)
        budget = parse_number(m.budget)
        if budget is not None:
            reason = ""
            if budget < 0:
                reason = "bernilai negatif"
            elif budget > MILESTONE_BUDGET_MAX:
                reason = f"lebih dari {format_rupiah(MILESTONE_BUDGET_MAX)} untuk satu tahapan"
            elif m.term == "short" and budget > SHORT_TERM_BUDGET_MAX:
                reason = (
                    f"lebih dari {format_rupiah(SHORT_TERM_BUDGET_MAX)} untuk tahapan jangka "
                    "pendek, padahal belanja baru sulit dianggarkan selama masa pelatihan"
                )
            if reason:
                out.add(
                    "budget_unrealistic",
                    f"Anggaran {label[0].lower()}{label[1:]} ({format_rupiah(budget)}) {reason}.",
                    "Periksa jumlah nol dan satuan rupiah. Untuk jangka pendek gunakan sumber daya "
                    "yang sudah ada di unit; belanja baru masukkan ke tahapan jangka menengah "
                    "atau panjang dengan sumber anggaran yang jelas (DPA unit, dana desa, mitra).",
                    f"milestones[{i}].budget",
                )
    if no_output:
        out.add(
            "milestone_output_missing",
            f"Tahapan {_numbers(no_output)} belum menyebut output.",
            "Sebut bukti nyata setiap tahapan, misalnya 'SK tim ditandatangani', 'notulen rapat "
            "dan daftar hadir', 'dasbor antrean daring aktif'; bukti ini yang diverifikasi mentor.",
            f"milestones[{no_output[0]}].output",
        )
    if no_person:
        out.add(
            "milestone_responsible_missing",
            f"Tahapan {_numbers(no_person)} belum punya penanggung jawab.",
            "Isi nama atau jabatan penanggung jawab setiap tahapan, misalnya 'Kasi Pelayanan' "
            "atau 'bidan koordinator'.",
            f"milestones[{no_person[0]}].responsible",
        )
    if (d.program_type or "").casefold() == LATSAR:
        missing: list[int] = []
        unknown: list[str] = []
        for i, m in milestones:
            values = [_berakhlak_code(v) for v in m.berakhlak]
            unknown.extend(str(v) for v, c in zip(m.berakhlak, values, strict=True) if c is None)
            if not any(values):
                missing.append(i)
        if missing:
            out.add(
                "berakhlak_missing",
                f"Tahapan {_numbers(missing)} belum dikaitkan dengan nilai BerAKHLAK.",
                "Pilih minimal satu nilai untuk setiap kegiatan: Berorientasi Pelayanan, "
                "Akuntabel, Kompeten, Harmonis, Loyal, Adaptif, atau Kolaboratif; misalnya "
                "rapat koordinasi lintas seksi -> Kolaboratif.",
                f"milestones[{missing[0]}].berakhlak",
            )
        if unknown:
            shown = ", ".join(f"'{v}'" for v in dict.fromkeys(unknown))
            out.add(
                "berakhlak_unknown",
                f"Nilai {shown} bukan salah satu dari tujuh nilai BerAKHLAK.",
                "Pilih dari tujuh nilai BerAKHLAK yang baku: Berorientasi Pelayanan, Akuntabel, "
                "Kompeten, Harmonis, Loyal, Adaptif, atau Kolaboratif.",
                "milestones",
            )


def _numbers(indexes: Sequence[int]) -> str:
    shown = [str(i + 1) for i in indexes]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " dan " + shown[-1]


def _berakhlak_code(value: str) -> str | None:
    key = "_".join(str(value or "").casefold().replace("-", " ").replace("_", " ").split())
    return _BERAKHLAK_ALIASES.get(key)


def _check_people(d: PlanDraft, out: _Findings) -> None:
    if not [s for s in d.stakeholders if _clean(s.name)]:
        out.add(
            "stakeholders_missing",
            "Belum ada pemangku kepentingan yang dicatat.",
            "Catat siapa yang perlu mendukung dan dukungan apa, di dalam unit (misalnya kepala "
            "seksi: menyetujui jadwal baru) dan di luar unit (misalnya kader posyandu: "
            "mengingatkan ibu balita).",
            "stakeholders",
        )


__all__ = [
    "ACTION_NOUNS",
    "ACTION_VERBS",
    "ADVICE",
    "BERAKHLAK",
    "BLOCKING",
    "CODES",
    "TERMS",
    "Finding",
    "MilestoneDraft",
    "PlanDraft",
    "ProblemRef",
    "QualityResult",
    "StakeholderDraft",
    "action_words",
    "amount_words",
    "check_quality",
    "goal_overlap",
    "is_action_word",
    "parse_number",
    "score_findings",
    "term_window",
]
