import pytest

from common.spreadsheets.importing import CellError
from education.importers import parse_count


def test_a_head_count_is_a_whole_number():
    assert parse_count("42") == 42
    assert parse_count("42.0") == 42
    with pytest.raises(CellError):
        parse_count("4.5")


def test_a_head_count_with_thousands_of_digits_is_a_cell_error_not_a_crash():
    # found by the import fuzzer: int() refuses a string of more than 4,300 digits with a ValueError
    with pytest.raises(CellError):
        parse_count("9" * 4301)
