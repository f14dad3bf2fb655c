import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members import idnumbers

VALID = "11010519491231002X"  # the GB 11643 example number


def test_known_valid_number():
    assert idnumbers.validate_id_number(VALID.lower()) == VALID


@pytest.mark.parametrize(
    "bad", ["110105194912310021", "1101051949123100", "11010519491331002X", "A1010519491231002X"]
)
def test_bad_numbers_rejected(bad):
    with pytest.raises(ValidationError):
        idnumbers.validate_id_number(bad)


def test_birth_date_must_match():
    with pytest.raises(ValidationError, match="1949-12-30"):
        idnumbers.validate_id_number(VALID, birth_date=dt.date(1949, 12, 30))


def test_gender_digit():
    assert idnumbers.gender_of(VALID) == "female"
    with pytest.raises(ValidationError):
        idnumbers.validate_id_number(VALID, gender="male")


def test_make_id_number_round_trips():
    n = idnumbers.make_id_number("140502", dt.date(1960, 2, 29), 7, male=True)
    assert idnumbers.validate_id_number(n, birth_date=dt.date(1960, 2, 29), gender="male") == n


def test_mask():
    assert idnumbers.mask(VALID) == "110*************2X"
