"""Fixtures for targets: a complete indicator library and helpers to walk a contract through its states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accountability import services
from accountability.models import Contract
from branches.models import RoleAssignment
from tests.factories import UserFactory, make_branch, make_role

YEAR = 2026
TODAY = dt.date(2026, 11, 27)
Role = RoleAssignment.Role


@pytest.fixture
def library(db):
    """Two groups, four indicators: 30 + 20 + 25 + 25 = 100."""
    org = services.indicator_group_create(year=YEAR, name="组织建设", position=1)
    edu = services.indicator_group_create(year=YEAR, name="教育管理", position=2)
    services.indicator_save(
        group=org, name="三会一课", check_standard="每季度支部党员大会不少于1次", weight=Decimal("30")
    )
    services.indicator_save(group=org, name="换届选举", check_standard="按期换届", weight=Decimal("20"))
    services.indicator_save(
        group=edu, name="党员学习", check_standard="每人每年集中学习不少于32学时", weight=Decimal("25")
    )
    services.indicator_save(group=edu, name="党费收缴", check_standard="按月足额收缴", weight=Decimal("25"))
    return [org, edu]


@pytest.fixture
def erin(branch_a2):
    """Secretary of branch_a2."""
    user = UserFactory(email="erin@example.com", name="Erin")
    make_role(user, branch_a2, Role.BRANCH_SECRETARY)
    return user


def full_scores(contract: Contract, *, minus: Decimal = Decimal("0"), reason: str = "扣分原因"):
    """Reviewer scores: each line at its weight, the first one `minus` lower (with a reason)."""
    lines = list(contract.lines.order_by("position"))
    scores = {line.pk: (line.weight, "") for line in lines}
    if minus:
        first = lines[0]
        scores[first.pk] = (first.weight - minus, reason)
    return scores


def evaluated(parent, child, *, by_parent, by_child, minus=Decimal("0"), vetoed=False) -> Contract:
    """A contract walked to `evaluated` through the services."""
    contract = services.contract_create(parent=parent, organization=child, year=YEAR, by=by_parent)
    services.contract_issue(contract=contract, by=by_parent, on=TODAY)
    services.contract_sign(contract=contract, by=by_child, on=TODAY)
    return services.contract_evaluate(
        contract=contract,
        by=by_parent,
        on=TODAY,
        scores=full_scores(contract, minus=minus),
        vetoed=vetoed,
        veto_reason="发生严重违纪问题" if vetoed else "",
    )


def many_branches(township, n: int, *, secretary_of_township) -> list:
    """n evaluated contracts under a township (for query-count tests)."""
    out = []
    for i in range(n):
        branch = make_branch(township, name=f"村{i}")
        user = UserFactory()
        make_role(user, branch, Role.BRANCH_SECRETARY)
        out.append(
            evaluated(
                township, branch, by_parent=secretary_of_township, by_child=user, minus=Decimal(i % 7 + 1)
            )
        )
    return out
