"""common.params: the year filter every list page reads from the query string."""

import pytest
from django.test import RequestFactory
from django.utils import timezone

from common.params import id_param, year_or_current, year_param


def get(query: str = ""):
    return RequestFactory().get(f"/list/?{query}")


@pytest.mark.parametrize(("query", "year"), [("year=2026", 2026), ("year=2000", 2000), ("year=2100", 2100)])
def test_a_year_in_range_is_read(query, year):
    assert year_param(get(query)) == year
    assert year_or_current(get(query)) == year


@pytest.mark.parametrize(
    "query", ["", "year=", "year=abc", "year=1999", "year=2101", "year=99999", "year=-5"]
)
def test_anything_else_is_no_year_or_the_current_one(query):
    assert year_param(get(query)) is None
    assert year_or_current(get(query)) == timezone.localdate().year


def test_another_parameter_name():
    assert year_param(get("from=2024&year=2026"), "from") == 2024


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("²", None),
        ("١", None),
        ("9" * 40, None),
        ("9" * 5000, None),
        ("0", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("1 ", None),
    ],
)
def test_id_param_reads_only_ids_a_column_can_hold(value, expected):
    assert id_param(value) == expected
