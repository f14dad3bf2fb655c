"""common.commands: the --as-of date option of report_benefits, report_compliance and run_jobs."""

import datetime as dt

import pytest
from django.core.management import CommandError

from common.commands import date_option


def test_an_iso_date_or_a_date_is_read():
    assert date_option("2026-02-28") == dt.date(2026, 2, 28)
    assert date_option(dt.date(2026, 2, 28)) == dt.date(2026, 2, 28)


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "yesterday", "", None])
def test_anything_else_is_an_error_naming_the_option(value):
    with pytest.raises(CommandError, match=r"^--as-of must be a date YYYY-MM-DD"):
        date_option(value)
    with pytest.raises(CommandError, match=r"^--on must be a date"):
        date_option(value, option="--on")
