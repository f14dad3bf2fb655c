"""Members with accounts in branch_a1 (mia, the member who signs in, and ned, a fellow member) and branch_b1
(olaf), and branch_a1's committee (wen, its secretary on the roster)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from branches.models import RoleAssignment
from members.services import committee_term_save
from tests.factories import MemberFactory, UserFactory, make_role

Role = RoleAssignment.Role
TODAY = timezone.localdate()


def _member_account(org, email: str, name: str, **kw):
    user = UserFactory(email=email, name=name)
    make_role(user, org, Role.MEMBER)
    MemberFactory(organization=org, user=user, name=name, **kw)
    return user


@pytest.fixture
def mia(branch_a1):
    return _member_account(branch_a1, "mia@example.com", "米娅")


@pytest.fixture
def ned(branch_a1):
    return _member_account(branch_a1, "ned@example.com", "内德")


@pytest.fixture
def olaf(branch_b1):
    return _member_account(branch_b1, "olaf@example.com", "奥拉夫")


@pytest.fixture
def committee_a1(branch_a1):
    """branch_a1's committee: wen is its secretary (the leaders a report may be about)."""
    wen = MemberFactory(organization=branch_a1, name="文书记")
    committee_term_save(
        organization=branch_a1, elected_on=TODAY - dt.timedelta(days=300), officers=[(wen, "secretary", "")]
    )
    return wen
