"""Resident ID numbers (公民身份号码, GB 11643-1999): 18 characters, check digit by ISO 7064 MOD 11-2."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def birth_date_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_of(id_number: str) -> str:
    """'male' when the 17th digit is odd, 'female' when even."""
    return "male" if int(id_number[16]) % 2 else "female"


def validate_id_number(value: str, *, birth_date: dt.date | None = None, gender: str | None = None) -> str:
    """Return the normalized number or raise ValidationError with a message the user can act on."""
    number = normalize(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a digit or X."), code="format")
    try:
        born = birth_date_of(number)
    except ValueError:
        raise ValidationError(
            _("The ID number contains an impossible birth date."), code="birth_date"
        ) from None
    if number[17] != check_digit(number[:17]):
        raise ValidationError(
            _("The ID number's check digit is wrong: please check for a typing error."), code="check_digit"
        )
    if birth_date is not None and born != birth_date:
        raise ValidationError(
            _("The birth date %(given)s does not match the ID number (%(born)s).")
            % {"given": birth_date.isoformat(), "born": born.isoformat()},
            code="birth_mismatch",
        )
    if gender is not None and gender != gender_of(number):
        raise ValidationError(_("The gender does not match the ID number."), code="gender_mismatch")
    return number


def make_id_number(region: str, birth: dt.date, sequence: int, *, male: bool) -> str:
    """Build a valid number (for demo data and tests): region 6 digits, sequence 0-99."""
    seq = (sequence % 100) * 10 + (1 if male else 2)  # the 17th digit: odd for men, even for women
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def mask_birth_date(born: dt.date | None) -> str:
    """The year only: wherever the ID number is masked the birth date is too, or the two together leave only
    the sequence digits to guess (issue 13, High 3)."""
    return f"{born:%Y}-**-**" if born else ""


def mask_phone(phone: str) -> str:
    """For those who only read the roster (officers): the first 3 and last 2 digits (138******00)."""
    phone = (phone or "").strip()
    if len(phone) <= 5:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


def mask(id_number: str) -> str:
    """Shown outside the record itself: first 3 and last 2 characters (110***********123X style)."""
    if not id_number:
        return ""
    return id_number[:3] + "*" * (len(id_number) - 5) + id_number[-2:]
