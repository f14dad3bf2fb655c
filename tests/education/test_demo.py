"""The demo seed: history for the roster that exists, on SQLite and PostgreSQL (COPY) alike."""

import datetime as dt
import random

import pytest

from branches.models import Organization
from education import demo
from education.compliance import compliance_grid, compliance_tally
from education.models import Attendance, Meeting, StudyRecord
from tests.factories import make_party_group

from .conftest import full_members

pytestmark = pytest.mark.django_db


def test_seed_builds_a_year_of_history(branch_a1, branch_a2):
    g = make_party_group(branch_a1, "东组")
    full_members(branch_a1, 8, party_group=g)
    full_members(branch_a2, 4)
    as_of = dt.date(2026, 11, 27)
    demo.seed(rng=random.Random(3), as_of=as_of, scale="demo")
    assert Meeting.objects.filter(status="held").count() > 30
    assert Meeting.objects.filter(date__lt=dt.date(2025, 11, 1)).exists()  # more than a year back
    assert not Meeting.objects.filter(status="held", date__gt=as_of).exists()
    assert Attendance.objects.count() > 200
    assert StudyRecord.objects.filter(date__year=2026).exists()
    row = StudyRecord.objects.order_by("pk").first()
    assert row.hours > 0 and row.created_at is not None
    rows = compliance_grid(Organization.objects.all(), year=2026, as_of=as_of)
    assert {r.status for r in rows} >= {"ok"}
    assert any(r.kind == "group_meeting" for r in rows)

    # the county pages' per-unit tally counts the same cells as the grid, and names the same missing kinds
    expected: dict[int, dict] = {}
    for r in rows:
        e = expected.setdefault(r.organization_id, {"ok": 0, "missing": 0, "due": 0, "kinds": []})
        e[r.status] += 1
        if r.status == "missing" and r.kind_label not in e["kinds"]:
            e["kinds"].append(r.kind_label)
    tallies = compliance_tally(Organization.objects.all(), year=2026, as_of=as_of)
    assert {
        t.organization_id: {"ok": t.ok, "missing": t.missing, "due": t.due, "kinds": t.missing_kinds}
        for t in tallies
    } == expected
    assert any(t.missing for t in tallies) and any(t.ok for t in tallies)
