"""NIP parsing: every failure names the part that is wrong, in the user's language.

Messages are produced under ``override("id")``. The assertions check the error ``code`` and
the faulty part quoted in the message (digits, month, labels), so they hold whether the
Indonesian catalogue translates the wording or not.
"""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from membumi.organizations.enums import Sex
from membumi.organizations.nip import format_nip, normalize_nip, parse_nip

TODAY = dt.date(2025, 6, 15)


def parse_error(raw: str, **kwargs) -> ValidationError:
    """Parse ``raw`` in Indonesian and return the ValidationError it must raise."""
    with override("id"), pytest.raises(ValidationError) as caught:
        parse_nip(raw, today=TODAY, **kwargs)
    return caught.value


def code_and_message(exc: ValidationError) -> tuple[str, str]:
    assert len(exc.error_list) == 1
    return exc.error_list[0].code, exc.messages[0]


# --- Valid numbers ---------------------------------------------------------------------------


def test_parse_nip_valid_without_spaces():
    nip = parse_nip("198609262015051001", today=TODAY)

    assert nip.value == "198609262015051001"
    assert nip.birth_date == dt.date(1986, 9, 26)
    assert nip.appointment == dt.date(2015, 5, 1)
    assert nip.sex == Sex.MALE
    assert nip.sequence == 1


def test_parse_nip_valid_with_spaces_is_normalised():
    nip = parse_nip("  19860926 201505 2 017 ", today=TODAY)

    assert nip.value == "198609262015052017"
    assert nip.sex == Sex.FEMALE
    assert nip.sequence == 17
    assert nip.formatted() == "19860926 201505 2 017"


def test_normalize_nip_strips_spreadsheet_separators():
    assert normalize_nip("19860926.201505-1 001") == "198609262015051001"
    assert normalize_nip(None) == ""


def test_format_nip_leaves_wrong_length_alone():
    assert format_nip("198609262015051001") == "19860926 201505 1 001"
    assert format_nip("12345") == "12345"


def test_parse_nip_matching_recorded_sex_is_valid():
    assert parse_nip("198609262015052001", sex=Sex.FEMALE, today=TODAY).sex == Sex.FEMALE
    assert parse_nip("198609262015051001", sex=Sex.MALE, today=TODAY).sex == Sex.MALE


def test_parse_nip_appointment_in_month_of_18th_birthday_is_valid():
    # Born 26 September 1986: 18 on 26 September 2004; a TMT of 09/2004 is acceptable.
    assert parse_nip("198609262004091001", today=TODAY).appointment == dt.date(2004, 9, 1)


# --- 29 February -----------------------------------------------------------------------------


def test_parse_nip_born_29_february_of_leap_year_is_valid():
    nip = parse_nip("198802292010031001", today=TODAY)

    assert nip.birth_date == dt.date(1988, 2, 29)


def test_parse_nip_born_29_february_is_adult_from_february_of_year_18():
    # The 18th birthday of someone born 29/02/1988 is taken as 28/02/2006.
    assert parse_nip("198802292006021001", today=TODAY).appointment == dt.date(2006, 2, 1)

    code, message = code_and_message(parse_error("198802292006011001"))

    assert code == "nip_appointment_underage"
    assert "01/2006" in message
    assert "28/02/2006" in message


def test_parse_nip_29_february_of_common_year_is_refused():
    code, message = code_and_message(parse_error("198702292010031001"))

    assert code == "nip_birth_date"
    assert "19870229" in message


# --- PPPK ------------------------------------------------------------------------------------


def test_parse_nip_pppk_number_with_month_appointment_is_valid():
    # A NI PPPK appointed in September 2021, written like a NIP.
    nip = parse_nip("19900315 202109 2 004", sex=Sex.FEMALE, today=TODAY)

    assert nip.value == "199003152021092004"
    assert nip.appointment == dt.date(2021, 9, 1)
    assert nip.sex == Sex.FEMALE
    assert nip.sequence == 4


def test_parse_nip_pppk_number_with_code_21_is_valid():
    nip = parse_nip("19900315 202221 2 004", sex=Sex.FEMALE, today=TODAY)

    assert nip.value == "199003152022212004"
    assert nip.is_pppk
    assert nip.appointment.year == 2022


# --- Invalid numbers: each names the faulty part ----------------------------------------------


def test_parse_nip_empty_is_refused():
    code, _message = code_and_message(parse_error("   "))

    assert code == "nip_empty"


def test_parse_nip_letters_are_refused():
    code, message = code_and_message(parse_error("19860926 20150A 1 001"))

    assert code == "nip_characters"
    assert "19860926 20150A 1 001" in message


def test_parse_nip_slash_is_refused():
    code, message = code_and_message(parse_error("19860926/201505/1/001"))

    assert code == "nip_characters"
    assert "19860926/201505/1/001" in message


@pytest.mark.parametrize(
    ("raw", "count"),
    [("1986092620150510", 16), ("1986092620150510011", 19), ("19860926 201505 1 01", 17)],
)
def test_parse_nip_wrong_length_is_refused(raw, count):
    code, message = code_and_message(parse_error(raw))

    assert code == "nip_length"
    assert raw in message
    assert str(count) in message


def test_parse_nip_impossible_birth_date_is_refused():
    code, message = code_and_message(parse_error("198613322015051001"))

    assert code == "nip_birth_date"
    assert "19861332" in message


def test_parse_nip_birth_date_before_1900_is_refused():
    code, message = code_and_message(parse_error("189912312015051001"))

    assert code == "nip_birth_date"
    assert "18991231" in message


def test_parse_nip_future_birth_date_is_refused():
    code, message = code_and_message(parse_error("202601012045011001"))

    assert code == "nip_birth_date"
    assert "20260101" in message


def test_parse_nip_invalid_appointment_month_is_refused():
    code, message = code_and_message(parse_error("198609262015131001"))

    assert code == "nip_appointment"
    assert "201513" in message


def test_parse_nip_appointment_month_00_is_refused():
    code, message = code_and_message(parse_error("198609262015001001"))

    assert code == "nip_appointment"
    assert "201500" in message


def test_parse_nip_future_appointment_is_refused():
    code, message = code_and_message(parse_error("198609262025071001"))

    assert code == "nip_appointment"
    assert "202507" in message


def test_parse_nip_appointment_before_18th_birthday_is_refused():
    # Born 26/09/1986, so 18 on 26/09/2004; appointed 08/2004.
    code, message = code_and_message(parse_error("198609262004081001"))

    assert code == "nip_appointment_underage"
    assert "08/2004" in message
    assert "26/09/2004" in message


def test_parse_nip_sex_digit_3_is_refused():
    code, message = code_and_message(parse_error("198609262015053001"))

    assert code == "nip_sex_digit"
    assert re.search(r"(?<!\d)3(?!\d)", message)  # the faulty digit itself, not "15"


def test_parse_nip_sex_mismatch_with_recorded_sex_is_refused():
    error = parse_error("198609262015051001", sex=Sex.FEMALE)
    code, message = code_and_message(error)

    assert code == "nip_sex_mismatch"
    with override("id"):
        assert str(Sex.MALE.label) in message
        assert str(Sex.FEMALE.label) in message


def test_parse_nip_sequence_000_is_refused():
    code, message = code_and_message(parse_error("198609262015051000"))

    assert code == "nip_sequence"
    assert "000" in message
