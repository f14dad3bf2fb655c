"""report_recruitment: the stage of every person on the as-of date."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from recruitment import procedure, services
from recruitment.models import Step
from tests.recruitment.helpers import applicant, full_members, walk

pytestmark = pytest.mark.django_db
Kind = Step.Kind
COLUMNS = ["id_number", "name", "org_code", "stage", "stage_since", "next_step", "due"]


def report(*args) -> list[dict]:
    out = io.StringIO()
    call_command("report_recruitment", *args, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].split(",") == COLUMNS
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.fixture
def person(branch_a1, alice):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.OATH, people=full_members(branch_a1))
    return c


def test_the_stage_on_the_as_of_date(person, alice):
    c = person
    full_on = c.admitted_on.replace(year=c.admitted_on.year + 1)
    services.candidate_confirm(candidate=c, on=full_on, meeting="支部大会", by=alice)
    expected = [
        (c.applied_on - dt.timedelta(days=1), None),
        (c.applied_on, ("applicant", c.applied_on, "talk", procedure.add_months(c.applied_on, 1))),
        (c.talked_on, ("applicant", c.applied_on, "activist", None)),
        (c.activist_on, ("activist", c.activist_on, "check", procedure.add_months(c.activist_on, 6))),
        (
            c.target_on - dt.timedelta(days=1),
            ("activist", c.activist_on, "check", procedure.add_months(c.last_checked_on, 6)),
        ),
        (c.target_on, ("target", c.target_on, "introducers", None)),
        (c.admitted_on, ("probationary", c.admitted_on, "approval", procedure.add_months(c.admitted_on, 3))),
        (c.approved_on, ("probationary", c.admitted_on, "oath", None)),
        (c.oath_on, ("probationary", c.admitted_on, "full", full_on)),
        (full_on, ("full", full_on, "", None)),
    ]
    for day, want in expected:
        rows = report("--as-of", day.isoformat())
        if want is None:
            assert rows == [], day
            continue
        (got,) = rows
        stage, since, step, due = want
        assert (got["stage"], got["stage_since"], got["next_step"], got["due"]) == (
            stage,
            since.isoformat(),
            step,
            due.isoformat() if due else "",
        ), day
        assert (got["id_number"], got["org_code"]) == (c.id_number, "B-A1")


def test_org_filter_and_xlsx(person, branch_b1, charlie, tmp_path):
    applicant(branch_b1, charlie, n=2)
    day = dt.date(2026, 1, 1).isoformat()
    assert len(report("--as-of", day)) == 2
    assert [r["org_code"] for r in report("--as-of", day, "--org", "T-B")] == ["B-B1"]
    path = tmp_path / "r.xlsx"
    call_command(
        "report_recruitment", "--as-of", day, "--format", "xlsx", "--output", str(path), stderr=io.StringIO()
    )
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == COLUMNS and sheet.max_row == 3


def test_bad_options(db):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("report_recruitment", "--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="No organization"):
        call_command("report_recruitment", "--as-of", "2026-01-01", "--org", "NOPE")
