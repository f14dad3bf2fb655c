"""The demo seed: history for the roster that exists, on SQLite and PostgreSQL (COPY) alike."""

import datetime as dt
import random

import pytest

from branches.models import Organization
from education import demo
from education.compliance import compliance_grid
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
