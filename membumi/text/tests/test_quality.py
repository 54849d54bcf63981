import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from membumi.text import STOPWORDS
from membumi.text.quality import (
    ADVICE,
    BLOCKING,
    CODES,
    Finding,
    MilestoneDraft,
    PlanDraft,
    action_words,
    amount_words,
    check_quality,
    format_date,
    format_number,
    goal_overlap,
    is_action_word,
    parse_number,
    score_findings,
    term_window,
)

CASES = Path(__file__).resolve().parent.parent / "data" / "eval_plan_quality.json"


@cache
def quality_set() -> dict:
    return json.loads(CASES.read_text(encoding="utf-8"))


def build(case: dict) -> PlanDraft:
    """The case's base draft with its changes applied."""
    data = json.loads(json.dumps(quality_set()["bases"][case["base"]]))
    data.update(case.get("set", {}))
    if data.get("problem") is not None and "problem" in case:
        data["problem"].update(case["problem"])
    milestones = data.get("milestones", [])
    for index, changes in case.get("milestone", {}).items():
        milestones[int(index)].update(changes)
    drop = set(case.get("drop_milestones", []))
    data["milestones"] = [m for i, m in enumerate(milestones) if i not in drop]
    return PlanDraft.from_dict(data)


def case(case_id: str) -> dict:
    return next(c for c in quality_set()["cases"] if c["id"] == case_id)


def result(case_id: str):
    return check_quality(build(case(case_id)))


@pytest.mark.parametrize("item", quality_set()["cases"], ids=lambda c: c["id"])
def test_quality_set_case(item):
    """Every case of the quality set yields exactly the expected codes: the case with the
    finding triggers the rule, the clean bases and the near misses do not."""
    assert set(check_quality(build(item)).codes) == set(item["expected"])


def test_every_code_is_triggered_by_the_quality_set():
    triggered = {code for c in quality_set()["cases"] for code in c["expected"]}
    assert triggered == set(CODES)


def test_required_codes_exist_with_design_severities():
    for code in (
        "indicator_unit_missing",
        "baseline_missing",
        "target_missing",
        "target_not_improvement",
        "milestone_term_missing",
        "problem_not_validated",
        "problem_outside_unit",
    ):
        assert CODES[code] == BLOCKING
    for code in ("goal_not_measurable", "goal_copies_problem", "milestone_after_target"):
        assert CODES[code] == ADVICE  # heuristics and judgement calls never block submit
    assert set(CODES.values()) == {BLOCKING, ADVICE}


# -- score ------------------------------------------------------------------------------


def test_clean_draft_scores_100_and_can_be_submitted():
    res = result("clean-imunisasi")
    assert res.score == 100 and res.findings == [] and res.can_submit


def test_score_formula_counts_distinct_codes():
    res = result("many-problems")
    blocking = {f.code for f in res.findings if f.severity == BLOCKING}
    advice = {f.code for f in res.findings if f.severity == ADVICE}
    assert res.score == 100 - 15 * len(blocking) - 5 * len(advice)
    assert not res.can_submit
    assert {f.code for f in res.blocking} == blocking


def test_blocking_weighs_more_than_advice():
    blocking = Finding("baseline_missing", BLOCKING, "m", "s")
    advice = Finding("data_source_missing", ADVICE, "m", "s")
    assert score_findings([blocking]) < score_findings([advice]) < score_findings([])


def test_repeated_code_counts_once_and_score_never_below_zero():
    one = [Finding("milestone_date_missing", BLOCKING, "m", "s", "milestones[0].due_date")]
    three = one * 3
    assert score_findings(one) == score_findings(three) == 85
    empty = check_quality(PlanDraft())
    assert 0 <= empty.score < 30
    assert "problem_missing" in empty.codes and "goal_missing" in empty.codes


def test_advice_only_draft_can_be_submitted():
    res = result("no-stakeholders")
    assert res.codes == ["stakeholders_missing"] and res.can_submit and res.score == 95


# -- determinism ------------------------------------------------------------------------


def test_same_draft_same_result():
    draft = build(case("many-problems"))
    assert check_quality(draft) == check_quality(draft)
    assert check_quality(draft).to_dict() == check_quality(build(case("many-problems"))).to_dict()


def test_findings_come_in_rule_order():
    # Output order is fixed by the rules, never by set or dict iteration over hashed
    # strings, so it cannot change with PYTHONHASHSEED.
    codes = result("many-problems").codes
    order = list(CODES)
    assert codes == sorted(codes, key=order.index)


# -- messages ---------------------------------------------------------------------------

INDONESIAN = STOPWORDS | {"isi", "misalnya", "angka", "tahapan"}  # function words + a few
ENGLISH = {"the", "is", "missing", "should", "please", "must", "not", "value"}


def test_messages_and_suggestions_are_indonesian_and_concrete():
    seen = set()
    for item in quality_set()["cases"]:
        for f in check_quality(build(item)).findings:
            seen.add(f.code)
            for text in (f.message, f.suggestion):
                words = set(text.casefold().replace(",", " ").replace(".", " ").split())
                assert text.strip() and words & INDONESIAN, (f.code, text)
                assert not words & ENGLISH, (f.code, text)
            assert f.field, f.code
    assert seen == set(CODES)


def test_target_message_quotes_values_in_the_indicator_unit():
    (f,) = [f for f in result("target-below-baseline-on-increase").findings]
    assert f.code == "target_not_improvement" and f.field == "target_value"
    assert "65 %" in f.message and "71 %" in f.message and "'naik'" in f.message


def test_unit_suggestion_guesses_from_the_indicator_name():
    (f,) = result("no-unit").findings
    assert "misalnya %" in f.suggestion and "95 %" in f.suggestion


def test_missing_term_is_named_with_its_window():
    (f,) = result("no-mid-milestone").findings
    assert "jangka menengah" in f.message
    assert "30 Agustus 2025 – 29 November 2025" in f.suggestion


def test_out_of_term_says_where_the_date_belongs():
    (f,) = result("short-after-training").findings
    assert f.field == "milestones[0].due_date"
    assert "10 September 2025" in f.message and "termasuk jangka menengah" in f.message


def test_goal_suggestion_is_built_from_the_draft_indicator():
    (f,) = result("goal-no-amount").findings
    assert "dari 71 % menjadi 90 %" in f.suggestion and "30 Juni 2026" in f.suggestion


def test_messages_never_name_the_other_unit():
    item = dict(case("problem-other-unit"), problem={"unit_id": "Dinas Rahasia"})
    res = check_quality(build(item))
    assert res.codes == ["problem_outside_unit"]
    assert all("Rahasia" not in f.message + f.suggestion for f in res.findings)


# -- helpers ----------------------------------------------------------------------------


def test_action_words_with_stemming_and_negation():
    assert is_action_word("meningkatkan") and is_action_word("ditingkatkan")
    assert is_action_word("peningkatan") and is_action_word("mendigitalisasi")
    assert is_action_word("digitalisasi") and is_action_word("menyusun")
    assert not is_action_word("tingkat")  # the bare stem is a noun: "tingkat kepatuhan"
    assert not is_action_word("pelayanan")
    assert action_words("Belum ada penerapan SOP") == []
    assert action_words("Menerapkan SOP di seluruh loket") == ["menerapkan"]
    assert action_words("cakupan dari 70 % menjadi 90 %") == ["menjadi"]


def test_amount_words_skip_years_dates_and_durations():
    assert amount_words("pada tahun 2026") == []
    assert amount_words("paling lambat 31 Desember 2025") == []
    assert amount_words("dalam 3 bulan") == []
    assert amount_words("pelayanan satu pintu") == []
    assert amount_words("dari 45 menit menjadi 20 menit") == ["45", "20"]
    assert amount_words("95%") == ["%", "95"]
    assert amount_words("seluruh desa") == ["seluruh"]


def test_goal_overlap():
    problem = "Cakupan imunisasi dasar lengkap di Puskesmas Cibeber rendah"
    assert goal_overlap("Cakupan imunisasi dasar lengkap rendah", problem) == 1.0
    assert goal_overlap("Menyusun jadwal posyandu baru", problem) == 0.0
    assert goal_overlap("", problem) == 0.0


def test_parse_number_reads_indonesian_formats():
    assert parse_number("72,5") == Decimal("72.5")
    assert parse_number("1.240") == Decimal(1240)
    assert parse_number("1.240,5") == Decimal("1240.5")
    assert parse_number("Rp 1.500.000") == Decimal(1500000)
    assert parse_number("95 %") == Decimal(95)
    assert parse_number(3.5) == Decimal("3.5")
    assert parse_number("") is None and parse_number("tujuh") is None and parse_number(None) is None


def test_formatting():
    assert format_date(date(2025, 12, 31)) == "31 Desember 2025"
    assert format_number(Decimal("1240.50")) == "1.240,5"
    assert format_number(Decimal(-5)) == "-5"


def test_term_windows_follow_each_other():
    start, end = date(2025, 8, 4), date(2025, 8, 29)
    assert term_window("short", start, end) == (start, end)
    assert term_window("mid", start, end) == (date(2025, 8, 30), date(2025, 11, 29))
    assert term_window("long", start, end) == (date(2025, 11, 30), date(2026, 8, 29))
    assert term_window("long", start, None) == (None, None)
    # month ends are clamped
    assert term_window("mid", None, date(2025, 11, 30))[1] == date(2026, 2, 28)


def test_without_a_training_window_dates_are_not_judged():
    draft = replace(build(case("short-after-training")), training_start=None, training_end=None)
    assert "milestone_date_out_of_term" not in check_quality(draft).codes


def test_milestone_terms_accept_indonesian_names_and_reject_others():
    assert MilestoneDraft("Jangka Pendek").term == "short"
    assert MilestoneDraft("menengah").term == "mid"
    with pytest.raises(ValueError):
        MilestoneDraft("segera")


def test_api_shape():
    data = result("no-output").to_dict()
    assert set(data) == {"score", "findings"}
    assert set(data["findings"][0]) == {"code", "severity", "message", "suggestion", "field"}
