"""The county / township dashboard (issue 10, item 1): headline figures, league tables with drill-down
county → township → organization → member, the heat map of 三会一课 and its cells' missing meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import RoleAssignment
from tests.conftest import login
from tests.education.conftest import full_members, held
from tests.factories import MemberFactory, UserFactory, make_role

Role = RoleAssignment.Role
HOME = reverse("dashboard:home")


def org_url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboard:org", args=[org.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def last_year():
    return timezone.localdate().year - 1


@pytest.fixture
def diana(township_b):
    """Township B's secretary: an outsider to township A."""
    user = UserFactory(email="diana@example.com", name="Diana")
    make_role(user, township_b, Role.TOWNSHIP_SECRETARY)
    return user


@pytest.fixture
def county_data(branch_a1, branch_a2, branch_b1, last_year):
    """branch_a1 holds every general meeting of last year, branch_a2 none, branch_b1 half of them."""
    for org in (branch_a1, branch_a2, branch_b1):
        full_members(org, 3)
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=dt.date(last_year, 3, 1))
    for q in range(4):
        held(
            branch_a1, dt.date(last_year, 3 * q + 1, 10), "general_meeting", "party_lecture", "member_review"
        )
        held(branch_a1, dt.date(last_year, 3 * q + 1, 10), "life_meeting")
        if q < 2:
            held(branch_b1, dt.date(last_year, 3 * q + 1, 10), "general_meeting")
    return {"a1": branch_a1, "a2": branch_a2, "b1": branch_b1}


def test_county_office_sees_the_dashboard_with_its_townships(
    client, dora, county_data, township_a, last_year
):
    response = login(client, dora).get(HOME + f"?year={last_year}")
    assert response.status_code == 200
    d = response.context["d"]
    assert [c.code for c in d.children][:2] and {c.code for c in d.children} == {"T-A", "T-B"}
    assert d.total.members.members == 10 and d.total.members.probationary == 1
