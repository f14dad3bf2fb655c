"""A departed member (转出, 退党, 除名 …) drops out of care from the departure date: no eligibility, no grant,
no pairing, no illness visit; before that date the records of the past stay as they were."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from branches.selectors import scope_for
from care import selectors, services
from care.models import BenefitRule
from members import services as roster
from members.models import Member
from tests.care.factories import make_member

D = dt.date
LEFT_ON = D(2026, 3, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def old_rural(alice, branch_a1):
    """Eligible for subsidy_80 (rural, 80 or more), departs on LEFT_ON."""
    member = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(1970, 1, 1))
    roster.member_depart(member=member, on=LEFT_ON, reason=Member.Departure.TRANSFERRED_OUT, by=alice)
    return member


def codes(member, as_of):
    return sorted(b.rule.code for b in selectors.member_eligibility(member=member, as_of=as_of))


def test_eligible_until_the_day_before_the_departure(old_rural):
    assert "subsidy_80" in codes(old_rural, LEFT_ON - dt.timedelta(days=1))
    assert codes(old_rural, LEFT_ON) == []
    report = selectors.report_rows(members=Member.objects.all(), as_of=LEFT_ON)
    assert old_rural.id_number not in {row[0] for row in report}


def test_no_grant_after_the_departure(alice, dora, old_rural):
    rule = BenefitRule.objects.get(code="subsidy_80")
    with pytest.raises(ValidationError, match="left the roll on 2026-03-01"):
        services.grant_create(
            member=old_rural, rule=rule, granted_on=D(2026, 4, 1), by=dora, override_reason="county decision"
        )


def test_no_pairing_nor_illness_visit_after_the_departure(alice, branch_a1, old_rural):
    helper = make_member(branch_a1, born=D(1980, 1, 1))
    with pytest.raises(ValidationError, match="has left the roll"):
        services.pairing_create(helper=helper, helped=old_rural, starts_on=D(2026, 4, 1), by=alice)
    assert old_rural not in selectors.pairing_helpers(scope=scope_for(alice), helped=helper)
    assert services.member_fell_ill(member=old_rural, since=D(2026, 4, 1), by=alice) is None
