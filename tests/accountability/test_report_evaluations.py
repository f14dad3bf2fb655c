import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Case, F, IntegerField, When, Window
from django.db.models.functions import Rank
from openpyxl import load_workbook

from accountability import services
from accountability.models import Contract, GradeBand
from accountability.selectors import RANK_ORDER, evaluation_report_rows
from branches.paths import is_within
from tests.accountability.conftest import TODAY, YEAR, evaluated
from tests.factories import make_branch

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


def orm_reference(*, year, organization=None) -> list[tuple]:
    """The report's rows as the ORM built them before the statement was written out (issue 14): the rank a
    window over the parent's evaluated contracts in _with_ranks' RANK_ORDER, the subtree kept after ranking."""
    qs = Contract.objects.filter(year=year).annotate(
        rank_in_parent=Case(
            When(
                status=Contract.Status.EVALUATED,
                then=Window(Rank(), partition_by=[F("parent_id"), F("status")], order_by=RANK_ORDER),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )
    rows = qs.order_by("parent__path", "organization__code").values_list(
        "organization__code",
        "parent__code",
        "year",
        "status",
        "self_score",
        "score",
        "vetoed",
        "grade__label",
        "rank_in_parent",
        "organization__path",
    )
    return [
        (org, parent, y, status, self_score, score, "yes" if vetoed else "no", grade or "", rank)
        for org, parent, y, status, self_score, score, vetoed, grade, rank, path in rows
        if organization is None or is_within(path, organization)
    ]


def test_the_written_out_statement_gives_the_orm_ranking(
    contracts, county, township_a, township_b, branch_a1, branch_a2, dora
):
    # more of the cases the rank orders: a tie, a vetoed contract with the highest score, scores missing,
    # an evaluated contract without a grade, drafts and self-scores of unevaluated contracts
    grade = GradeBand.objects.order_by("-min_score").first()
    branches = [make_branch(township_b, code=f"B-B{i}") for i in range(6)]
    cases = [
        (Contract.Status.EVALUATED, Decimal("90.0"), False, grade),
        (Contract.Status.EVALUATED, Decimal("90.0"), False, grade),  # tied with the one above
        (Contract.Status.EVALUATED, Decimal("99.5"), True, None),  # vetoed: after every other
        (Contract.Status.EVALUATED, None, False, None),  # no score: last among the not vetoed
        (Contract.Status.DRAFT, None, False, None),
        (Contract.Status.SIGNED, None, False, None),
    ]
    for i, (branch, (status, score, vetoed, band)) in enumerate(zip(branches, cases, strict=True)):
        Contract.objects.create(
            parent=township_b,
            organization=branch,
            year=YEAR,
            status=status,
            score=score,
            self_score=Decimal(f"8{i}.5") if i % 2 else None,
            vetoed=vetoed,
            veto_reason="一票否决" if vetoed else "",
            grade=band,
        )
    everything = evaluation_report_rows(year=YEAR)
    assert everything == orm_reference(year=YEAR)
    assert [r[8] for r in everything if r[1] == "T-B"] == [1, 1, 4, 3, None, None]
    for org in (county, township_a, township_b, branch_a2, branches[2]):
        assert evaluation_report_rows(year=YEAR, organization=org) == orm_reference(
            year=YEAR, organization=org
        )
    assert evaluation_report_rows(year=YEAR + 1) == []
