from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dues import services
from tests.factories import MemberFactory
from users.services import system_user


@pytest.fixture
def today():
    return dt.date(2026, 6, 15)


@pytest.fixture
def frozen_today(monkeypatch, today):
    """timezone.localdate() is `today` in the dues pages and services."""
    monkeypatch.setattr("dues.views.timezone.localdate", lambda *a, **k: today)
    return today


@pytest.fixture
def worker(branch_a1):
    """A member of branch_a1 in work with a 4,000.00 base from 2026-01 (40.00 a month)."""
    member = MemberFactory(organization=branch_a1, name="李四", admitted_on=dt.date(2000, 1, 1))
    services.dues_record_set(
        member=member,
        category="employed",
        base=Decimal("4000.00"),
        starts_month=dt.date(2026, 1, 1),
        by=system_user(),
    )
    return member
