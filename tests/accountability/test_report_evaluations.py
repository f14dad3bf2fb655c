import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from accountability import services
from tests.accountability.conftest import TODAY, YEAR, evaluated

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracts(dora, bob, alice, erin, county, township_a, township_b, branch_a1, branch_a2, library):
    evaluated(township_a, branch_a1, by_parent=bob, by_child=alice, minus=Decimal("5"))
    evaluated(township_a, branch_a2, by_parent=bob, by_child=erin, vetoed=True)
    services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=TODAY)


def _rows(**kwargs):
    out = io.StringIO()
    call_command("report_evaluations", year=YEAR, stdout=out, **kwargs)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_one_row_per_contract_with_exact_columns(contracts):
    header, *rows = _rows()
    assert header == [
        "org_code",
        "parent_code",
        "year",
        "status",
        "self_score",
        "score",
        "vetoed",
        "grade",
        "rank",
    ]
    by_org = {r[0]: r for r in rows}
    assert len(rows) == 4
    assert by_org["B-A1"] == ["B-A1", "T-A", "2026", "evaluated", "", "95.0", "no", "好", "1"]
    assert by_org["B-A2"] == ["B-A2", "T-A", "2026", "evaluated", "", "100.0", "yes", "差", "2"]
    # not evaluated: blank score, grade and rank
    assert by_org["T-A"] == ["T-A", "C001", "2026", "issued", "", "", "no", "", ""]


def test_org_filter_keeps_ranks(contracts, branch_a2):
    header, *rows = _rows(org="B-A2")
    assert rows == [["B-A2", "T-A", "2026", "evaluated", "", "100.0", "yes", "差", "2"]]


def test_xlsx_output(contracts, tmp_path):
    path = tmp_path / "eval.xlsx"
    call_command("report_evaluations", year=YEAR, format="xlsx", output=str(path), stderr=io.StringIO())
    ws = load_workbook(path).active
    values = list(ws.values)
    assert values[0] == (
        "org_code",
        "parent_code",
        "year",
        "status",
        "self_score",
        "score",
        "vetoed",
        "grade",
        "rank",
    )
    assert len(values) == 5


def test_unknown_org(contracts):
    with pytest.raises(CommandError):
        _rows(org="NOPE")
