"""NIP (Nomor Induk Pegawai) parsing and validation.

A NIP has 18 digits: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM, sex (1 male,
2 female) and a three-digit sequence, usually written "19860926 201505 1 001". The NI PPPK
has the same shape with the code 21 in place of the appointment month ("19900315 202221 2 004"). Every failure names the part that is wrong.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .enums import Sex

PPPK_CODE = "21"
_ALLOWED = re.compile(r"^[0-9 .\-]*$")


@dataclass(frozen=True)
class Nip:
    value: str
    birth_date: dt.date
    appointment: dt.date  # first day of the TMT month
    sex: str  # Sex value
    sequence: int
    is_pppk: bool = False

    def formatted(self) -> str:
        return format_nip(self.value)


def normalize_nip(raw: str) -> str:
    """Strip spaces (and the dots or dashes some spreadsheets add) from a typed NIP."""
    return re.sub(r"[ .\-]", "", (raw or "").strip())


def format_nip(value: str) -> str:
    if len(value) != 18:
        return value
    return f"{value[:8]} {value[8:14]} {value[14]} {value[15:]}"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def parse_nip(raw: str, *, sex: str | None = None, today: dt.date | None = None) -> Nip:
    """Return the parsed NIP or raise ValidationError with a message naming the faulty part."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("NIP is empty."), code="nip_empty")
    if not _ALLOWED.match(text):
        raise ValidationError(
            _("NIP may contain only digits and spaces; “%(value)s” has other characters.")
            % {"value": text},
            code="nip_characters",
        )
    value = normalize_nip(text)
    if len(value) != 18:
        raise ValidationError(
            _("NIP must have 18 digits; “%(value)s” has %(count)d.")
            % {"value": text, "count": len(value)},
            code="nip_length",
        )
    today = today or dt.date.today()

    birth_part = value[:8]
    try:
        birth_date = dt.date(int(birth_part[:4]), int(birth_part[4:6]), int(birth_part[6:]))
    except ValueError:
        birth_date = None
    if birth_date is None or birth_date.year < 1900 or birth_date > today:
        raise ValidationError(
            _("The birth date part (digits 1–8, “%(part)s”) is not a real date.")
            % {"part": birth_part},
            code="nip_birth_date",
        )

    tmt_part = value[8:14]
    # An NI PPPK carries the code 21 where a NIP has the appointment month.
    is_pppk = tmt_part[4:] == PPPK_CODE
    try:
        appointment = dt.date(int(tmt_part[:4]), 1 if is_pppk else int(tmt_part[4:]), 1)
    except ValueError:
        appointment = None
    if appointment is None or appointment > today:
        raise ValidationError(
            _("The appointment part (TMT, digits 9–14, “%(part)s”) is not a real month.")
            % {"part": tmt_part},
            code="nip_appointment",
        )
    adult = _add_years(birth_date, 18)
    # The TMT is a month (a year for PPPK): acceptable when the 18th birthday falls inside it.
    if (appointment.year, 12 if is_pppk else appointment.month) < (adult.year, adult.month):
        raise ValidationError(
            _(
                "The appointment month (TMT %(tmt)s) is before the 18th birthday "
                "(%(adult)s) given by the birth date part."
            )
            % {"tmt": appointment.strftime("%m/%Y"), "adult": adult.strftime("%d/%m/%Y")},
            code="nip_appointment_underage",
        )

    sex_digit = value[14]
    if sex_digit not in "12":
        raise ValidationError(
            _("The sex digit (digit 15) must be 1 (male) or 2 (female), not %(digit)s.")
            % {"digit": sex_digit},
            code="nip_sex_digit",
        )
    nip_sex = Sex.MALE if sex_digit == "1" else Sex.FEMALE
    if sex and sex != nip_sex:
        raise ValidationError(
            _(
                "The sex digit (digit 15) is %(digit)s (%(nip_sex)s) but the recorded sex "
                "is %(sex)s."
            )
            % {
                "digit": sex_digit,
                "nip_sex": Sex(nip_sex).label,
                "sex": Sex(sex).label,
            },
            code="nip_sex_mismatch",
        )

    sequence = int(value[15:])
    if sequence == 0:
        raise ValidationError(
            _("The sequence number (digits 16–18) cannot be 000."), code="nip_sequence"
        )
    return Nip(
        value=value,
        birth_date=birth_date,
        appointment=appointment,
        sex=nip_sex,
        sequence=sequence,
        is_pppk=is_pppk,
    )


def validate_nip(value: str) -> None:
    """Django field validator (structure only; sex consistency is checked in Employee.clean)."""
    parse_nip(value)
