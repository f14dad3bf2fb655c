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


# -- a departure ends what was planned, as a death does (issue 9, left over; issue 15) ----------------------
def test_departure_cancels_open_grants_and_planned_visits_and_ends_pairings(alice, dora, branch_a1):
    from care.models import Grant, Pairing, Visit
    from notifications.models import Delivery

    today = timezone_today()
    member = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(1970, 1, 1), name="将转出")
    helper = make_member(branch_a1, born=D(1980, 1, 1), name="帮扶人")
    rule = BenefitRule.objects.get(code="subsidy_80")
    planned = services.grant_create(member=member, rule=rule, granted_on=today, by=alice)
    illness = services.member_record_illness(member=member, illness="骨折", since=today, by=alice)
    pairing = services.pairing_create(helped=member, helper=helper, starts_on=today, by=alice)
    # a reminder about the visit still waiting for a digest
    Delivery.objects.create(
        key=f"care_visit_due:{illness.pk}:{alice.pk}:x",
        kind="care_visit_due",
        user=alice,
        subject="s",
        body_text="b",
        status=Delivery.Status.DIGEST,
    )

    roster.member_depart(member=member, on=today, reason=Member.Departure.TRANSFERRED_OUT, by=alice)

    planned.refresh_from_db()
    assert planned.status == Grant.Status.CANCELLED and str(today) in planned.cancel_reason
    assert Visit.objects.get(pk=illness.pk).status == Visit.Status.CANCELLED
    assert Pairing.objects.get(pk=pairing.pk).ends_on == today
    assert (
        Delivery.objects.get(key=f"care_visit_due:{illness.pk}:{alice.pk}:x").status
        == Delivery.Status.SKIPPED
    )


def test_a_paid_grant_stays_paid_after_a_departure(alice, bob, branch_a1):
    from care.models import Grant

    today = timezone_today()
    member = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(1970, 1, 1))
    grant = services.grant_create(
        member=member, rule=BenefitRule.objects.get(code="subsidy_80"), granted_on=today, by=alice
    )
    services.grants_approve(grants=[grant], by=bob)
    services.grant_mark_paid(
        grant=grant, paid_on=today, amount=None, method="cash", handed_over_by="张", by=alice
    )
    roster.member_depart(member=member, on=today, reason=Member.Departure.LEFT, by=alice)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.PAID


def test_a_departure_by_import_ends_the_plans_too(alice, branch_a1):
    from care.models import Visit

    today = timezone_today()
    member = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(1970, 1, 1))
    visit = services.member_record_illness(member=member, illness="病", since=today, by=alice)
    roster.member_update(
        member=member, by=alice, departed_on=today, departure_reason=Member.Departure.REMOVED
    )
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.CANCELLED


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
