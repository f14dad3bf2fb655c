import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import RoleAssignment
from notifications.models import Delivery
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_role

URL = reverse("dashboard:home")


def _summaries(response):
    return {s.organization.code: s for s in response.context["summaries"]}


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_branch_secretary_sees_only_their_branch_with_counts(client, alice, branch_a1, branch_b1):
    today = timezone.localdate()
    MemberFactory.create_batch(3, organization=branch_a1)
    MemberFactory(
        organization=branch_a1, probationary=True, admitted_on=today - dt.timedelta(days=350)
    )  # due soon
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=today - dt.timedelta(days=100))
    MemberFactory(organization=branch_a1, died_on=today - dt.timedelta(days=1))  # not counted
    MemberFactory.create_batch(2, organization=branch_b1)
    response = login(client, alice).get(URL)
    assert response.status_code == 200
    summaries = _summaries(response)
    assert list(summaries) == ["B-A1"]
    s = summaries["B-A1"]
    assert (s.members, s.probationary, s.probation_due, s.organizations) == (5, 2, 1, 1)
    assert "乙一村党支部" not in response.content.decode()


def test_township_secretary_home_is_the_township_dashboard(client, bob, branch_a1, branch_a2, branch_b1):
    MemberFactory(organization=branch_a1)
    MemberFactory(organization=branch_a2)
    MemberFactory(organization=branch_b1)
    d = login(client, bob).get(URL).context["d"]
    assert d.org.code == "T-A"
    assert (d.total.members.members, sorted(c.code for c in d.children)) == (2, ["B-A1", "B-A2"])


def test_county_office_home_is_the_county_dashboard(client, dora, branch_a1, branch_b1):
    MemberFactory(organization=branch_a1)
    MemberFactory(organization=branch_b1)
    response = login(client, dora).get(URL)
    assert (
        "summaries" not in response.context
    )  # the branch part is not drawn (tests/dashboard/test_county_dashboard.py)
    assert response.context["d"].org.code == "C001"
    assert response.context["d"].total.members.members == 2


def test_officer_sees_assigned_branches(client, branch_a2, branch_b1):
    from branches.models import OfficerAssignment

    officer = UserFactory()
    for org in (branch_a2, branch_b1):
        OfficerAssignment.objects.create(
            officer=officer, organization=org, kind="liaison", starts_on=dt.date(2020, 1, 1)
        )
    assert set(_summaries(login(client, officer).get(URL))) == {"B-A2", "B-B1"}


def test_member_sees_a_link_to_their_record_and_no_organization(client, branch_a1):
    user = UserFactory()
    make_role(user, branch_a1, RoleAssignment.Role.MEMBER)
    MemberFactory(organization=branch_a1, user=user)
    response = login(client, user).get(URL)
    assert response.context["summaries"] == []
    assert reverse("members:me") in response.content.decode()


def test_user_without_role_is_told_so(client, db):
    response = login(client, UserFactory()).get(URL)
    assert response.context["summaries"] == []
    assert response.context["member_id"] is None


def test_unread_notifications_are_the_users_own(client, alice, charlie):
    Delivery.objects.create(key="a", kind="t", user=alice, subject="给Alice的提醒", body_text="x")
    Delivery.objects.create(key="c", kind="t", user=charlie, subject="给Charlie的提醒", body_text="x")
    response = login(client, alice).get(URL)
    assert response.context["unread_count"] == 1
    body = response.content.decode()
    assert "给Alice的提醒" in body and "给Charlie的提醒" not in body


@pytest.mark.parametrize("rows", [2, 40])
def test_query_count_does_not_grow(client, alice, branch_a1, branch_b1, rows, django_assert_num_queries):
    for i in range(rows):
        MemberFactory(organization=branch_a1 if i % 2 else branch_b1)
        Delivery.objects.create(key=f"k{i}", kind="t", user=alice, subject=f"s{i}", body_text="x")
    login(client, alice)
    # session, user, roles, officer assignments, top orgs, member counts, org counts, own member, unread count, recent,
    # then the branch secretary's part (13: see tests/dashboard/test_branch_home.py)
    with django_assert_num_queries(23):
        assert client.get(URL).status_code == 200
