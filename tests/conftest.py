"""Shared fixtures: a small county and the alice/bob/charlie trio of every view test.

county ─ township_a ─ branch_a1 (alice: branch secretary; members)
       │            └ branch_a2
       └ township_b ─ branch_b1 (charlie: the outsider, secretary of another township's branch)
bob: township_a secretary; dora: county office.
"""

from __future__ import annotations

import os
import socket

import pytest
from django.core.cache import cache

from branches.models import RoleAssignment
from tests.factories import MemberFactory, UserFactory, make_branch, make_county, make_role, make_township

Role = RoleAssignment.Role
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(name: str, url: str) -> None:
    """Skip a test that needs a real service when it is absent; under CI=true, fail instead."""
    from urllib.parse import urlparse

    parsed = urlparse(url or "")
    ok = False
    if parsed.hostname:
        try:
            with socket.create_connection((parsed.hostname, parsed.port or 0), timeout=1):
                ok = True
        except OSError:
            ok = False
    if not ok:
        if IN_CI:
            pytest.fail(f"{name} is required under CI=true but is not reachable at {url!r}")
        pytest.skip(f"{name} not available ({url!r})")


@pytest.fixture
def empty_cache():
    """The cache empty before and after: the exact caches' tests (common.table_versions) start from nothing."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(db):
    return make_county(code="C001")


@pytest.fixture
def township_a(county):
    return make_township(county, code="T-A", name="甲镇")


@pytest.fixture
def township_b(county):
    return make_township(county, code="T-B", name="乙镇")


@pytest.fixture
def branch_a1(township_a):
    return make_branch(township_a, code="B-A1", name="甲一村党支部")


@pytest.fixture
def branch_a2(township_a):
    return make_branch(township_a, code="B-A2", name="甲二村党支部")


@pytest.fixture
def branch_b1(township_b):
    return make_branch(township_b, code="B-B1", name="乙一村党支部")


@pytest.fixture
def alice(branch_a1):
    """Secretary of branch_a1."""
    user = UserFactory(email="alice@example.com", name="Alice")
    make_role(user, branch_a1, Role.BRANCH_SECRETARY)
    return user


@pytest.fixture
def bob(township_a):
    """Secretary of township_a (sees branch_a1 and branch_a2)."""
    user = UserFactory(email="bob@example.com", name="Bob")
    make_role(user, township_a, Role.TOWNSHIP_SECRETARY)
    return user


@pytest.fixture
def charlie(branch_b1):
    """The outsider: secretary of a branch in another township."""
    user = UserFactory(email="charlie@example.com", name="Charlie")
    make_role(user, branch_b1, Role.BRANCH_SECRETARY)
    return user


@pytest.fixture
def dora(county):
    """The county organization department."""
    user = UserFactory(email="dora@example.com", name="Dora")
    make_role(user, county, Role.COUNTY_ADMIN)
    return user


@pytest.fixture
def member_a1(branch_a1):
    return MemberFactory(organization=branch_a1, name="张三")


def login(client, user):
    client.force_login(user)
    return client
