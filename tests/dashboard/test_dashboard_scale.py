"""The dashboard's pages and the study pages above a branch: the same number of queries for 10 and for 1,000
members (issue 14), with attendance and study records, so that every figure has rows to read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from education.models import Attendance, StudyRecord
from members.models import Member
from tests.conftest import login
from tests.education.conftest import held
from tests.factories import MemberFactory, make_branch

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    client.get(url)  # warm per-process caches (rules, kinds) so both sizes are measured alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _branch_with(township, n: int, year: int):
    """A branch of n members, each with a study record, present at a 党课 and absent from a general meeting."""
    branch = make_branch(township)
    Member.objects.bulk_create(MemberFactory.build_batch(n, organization=branch), batch_size=500)
    members = list(Member.objects.filter(organization=branch))
    lecture = held(branch, dt.date(year, 3, 5), "party_lecture")
    meeting = held(branch, dt.date(year, 4, 5), "general_meeting")
    Attendance.objects.bulk_create(
        [Attendance(meeting=lecture, member=m, status=Attendance.Status.PRESENT) for m in members]
        + [Attendance(meeting=meeting, member=m, status=Attendance.Status.ABSENT) for m in members],
        batch_size=500,
    )
    StudyRecord.objects.bulk_create(
        [
            StudyRecord(
                member=m, date=dt.date(year, 5, 5), hours=Decimal("2.5"), channel="remote", content="学"
            )
            for m in members
        ],
        batch_size=500,
    )
    return branch


@pytest.mark.parametrize(
    "page", ["county dashboard", "township dashboard", "branch dashboard", "township study", "county study"]
)
def test_same_query_count_for_10_and_1000_members(client, dora, township_a, page):
    year = timezone.localdate().year
    county = township_a.parent
    login(client, dora)
    counts = []
    for n in (10, 1000):
        branch = _branch_with(township_a, n, year)
        url = {
            "county dashboard": reverse("dashboard:org", args=[county.pk]),
            "township dashboard": reverse("dashboard:org", args=[township_a.pk]),
            "branch dashboard": reverse("dashboard:org", args=[branch.pk]),
            "township study": reverse("education:org_members", args=[township_a.pk]),
            "county study": reverse("education:org_members", args=[county.pk]),
        }[page]
        counts.append(_count(client, url))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 10 members, {counts[1]} for 1,000"
