import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.models import OfficerAssignment, Organization
from branches.selectors import scope_for
from officers.models import FollowUp, VisitLog
from officers.services import follow_up_complete, officer_assign, visit_log_create
from tests.conftest import login
from tests.factories import UserFactory, make_branch

pytestmark = pytest.mark.django_db
Kind = OfficerAssignment.Kind
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=60)


@pytest.fixture
def organ_branch(township_a):
    return make_branch(township_a, code="B-ORG", name="镇政府机关党支部", sector=Organization.Sector.ORGAN)


@pytest.fixture
def olga(dora, branch_a1):
    """A liaison officer assigned to branch_a1 only."""
    user = UserFactory(email="olga@example.com", name="Olga")
    officer_assign(officer=user, organization=branch_a1, kind=Kind.LIAISON, starts_on=START, by=dora)
    return user


@pytest.fixture
def visit(olga, branch_a1):
    return visit_log_create(
        officer=olga,
        organization=branch_a1,
        visited_on=TODAY - dt.timedelta(days=20),
        purpose="检查三会一课台账",
        findings="党小组会记录缺两个月",
        follow_ups=[
            {"description": "补齐党小组会记录", "due_on": TODAY - dt.timedelta(days=5)},
            {"description": "召开组织生活会", "due_on": TODAY + dt.timedelta(days=10)},
        ],
        today=TODAY,
    )


def test_kind_must_match_sector(dora, branch_a1, organ_branch):
    officer = UserFactory()
    with pytest.raises(ValidationError, match="kind|农村|机关") as e:
        officer_assign(officer=officer, organization=branch_a1, kind=Kind.COUNSELOR, starts_on=START, by=dora)
    assert "kind" in e.value.message_dict
    with pytest.raises(ValidationError):
        officer_assign(
            officer=officer, organization=organ_branch, kind=Kind.LIAISON, starts_on=START, by=dora
        )
    assert not OfficerAssignment.objects.exists()
    officer_assign(officer=officer, organization=organ_branch, kind=Kind.COUNSELOR, starts_on=START, by=dora)


def test_period_cannot_end_before_it_starts(dora, branch_a1):
    with pytest.raises(ValidationError) as e:
        officer_assign(
            officer=UserFactory(),
            organization=branch_a1,
            kind=Kind.LIAISON,
            starts_on=START,
            ends_on=START - dt.timedelta(days=1),
            by=dora,
        )
    assert "ends_on" in e.value.message_dict
    assert not OfficerAssignment.objects.exists()


def test_assignment_form_shows_clear_messages(client, dora, branch_a1):
    login(client, dora)
    officer = UserFactory()
    data = {
        "officer": officer.pk,
        "kind": Kind.COUNSELOR,
        "organization": branch_a1.pk,
        "starts_on": START,
        "ends_on": START - dt.timedelta(days=3),
    }
    response = client.post(reverse("officers:assignment_new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kind" in errors or "ends_on" in errors
    assert not OfficerAssignment.objects.exists()


def test_only_writers_of_the_organization_assign(charlie, branch_a1):
    with pytest.raises(PermissionDenied):
        officer_assign(
            officer=UserFactory(), organization=branch_a1, kind=Kind.LIAISON, starts_on=START, by=charlie
        )


def test_officer_sees_only_assigned_orgs(client, olga, visit, branch_a1, branch_a2, branch_b1):
    scope = scope_for(olga)
    assert set(scope.organizations()) == {branch_a1}
    assert not scope.can_write(branch_a1)
    login(client, olga)
    response = client.get(reverse("officers:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert [row.organization for row in response.context["rows"]] == [branch_a1]
    assert response.context["rows"][0].open_follow_ups == 2
    assert response.context["rows"][0].overdue_follow_ups == 1
    assert client.get(reverse("officers:visits"), {"organization": branch_a2.pk}).status_code == 404
    assert client.get(reverse("accountability:contracts")).status_code == 200
    # read-only: no assignment writes, no contract or report for the branch
    assert client.get(reverse("officers:assignment_new")).status_code == 404


def test_officer_logs_only_own_assigned_visits(olga, branch_a2):
    with pytest.raises(ValidationError):
        visit_log_create(officer=olga, organization=branch_a2, visited_on=TODAY, purpose="x", today=TODAY)
    with pytest.raises(ValidationError):
        visit_log_create(
            officer=olga,
            organization=branch_a2,
            visited_on=TODAY + dt.timedelta(days=1),
            purpose="x",
            today=TODAY,
        )


def test_visit_log_view(client, olga, branch_a1):
    login(client, olga)
    response = client.post(
        reverse("officers:visit_new"),
        {
            "organization": branch_a1.pk,
            "visited_on": TODAY,
            "purpose": "指导主题党日",
            "findings": "活动记录规范",
            "fu-TOTAL_FORMS": "3",
            "fu-INITIAL_FORMS": "0",
            "fu-0-description": "整理活动照片",
            "fu-0-due_on": TODAY + dt.timedelta(days=7),
        },
    )
    assert response.status_code == 302
    v = VisitLog.objects.get()
    assert v.officer == olga and v.follow_ups.count() == 1


def test_follow_up_done_by_officer_or_secretary(olga, alice, charlie, visit):
    fu = visit.follow_ups.first()
    with pytest.raises(PermissionDenied):
        follow_up_complete(follow_up=fu, by=charlie, on=TODAY)
    follow_up_complete(follow_up=fu, by=alice, on=TODAY, note="已补齐")
    assert FollowUp.objects.filter(done_on__isnull=True).count() == 1


def test_outsider_gets_404_on_every_officer_page(client, charlie, olga, visit):
    login(client, charlie)
    fu = visit.follow_ups.first()
    assignment = OfficerAssignment.objects.get()
    assert client.get(reverse("officers:officer", args=[olga.pk])).status_code == 404
    assert client.get(reverse("officers:visit_detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("officers:assignment_edit", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("officers:follow_up_add", args=[visit.pk])).status_code == 404
    assert client.post(reverse("officers:follow_up_done", args=[fu.pk])).status_code == 404
    assert client.get(reverse("officers:visit_new")).status_code == 404
    assert list(client.get(reverse("officers:visits")).context["page"]) == []
    assert [o for o in client.get(reverse("officers:coverage")).context["page"]] == [
        charlie.roles.get().organization
    ]
    assert list(client.get(reverse("officers:index")).context["page"]) == []


def test_coverage(client, dora, olga, branch_a1, branch_a2, organ_branch, township_a):
    login(client, dora)
    response = client.get(reverse("officers:coverage"), {"uncovered": "1"})
    uncovered = {o.pk for o in response.context["page"]}
    assert branch_a2.pk in uncovered and organ_branch.pk in uncovered and branch_a1.pk not in uncovered
    assert township_a.pk not in uncovered  # townships are not basic organizations
    summary = {s["sector"]: s for s in response.context["summary"]}
    assert summary["rural"]["covered"] == 1 and summary["organ"]["uncovered"] == 1


def test_expired_assignment_no_longer_covers_or_scopes(dora, branch_a1):
    user = UserFactory()
    officer_assign(
        officer=user,
        organization=branch_a1,
        kind=Kind.LIAISON,
        starts_on=START,
        ends_on=TODAY - dt.timedelta(days=1),
        by=dora,
    )
    assert not scope_for(user).sees_anything


def _many(dora, township, n, officer):
    for i in range(n):
        org = make_branch(township, name=f"联络村{i}")
        officer_assign(officer=officer, organization=org, kind=Kind.LIAISON, starts_on=START, by=dora)
        visit_log_create(
            officer=officer,
            organization=org,
            visited_on=TODAY,
            purpose="走访",
            today=TODAY,
            follow_ups=[{"description": "跟进", "due_on": TODAY}],
        )


@pytest.mark.parametrize("page", ["officer", "visits", "coverage", "index"])
def test_officer_pages_query_count_does_not_grow(client, dora, township_a, page, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = UserFactory()
    _many(dora, township_a, 3, officer)
    login(client, dora)
    url = reverse("officers:officer", args=[officer.pk]) if page == "officer" else reverse(f"officers:{page}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(dora, township_a, 30, officer)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_branch_secretary_gets_no_officer_picker(client, alice, branch_a1):
    """issue 13, Low 17: the picker lists every officer's name and e-mail; it is for townships and the county."""
    UserFactory(email="someone.far.away@example.com", name="远方辅导员")
    login(client, alice)
    assert client.get(reverse("officers:assignment_new")).status_code == 404
    index = client.get(reverse("officers:index"))
    assert index.status_code == 200
    assert reverse("officers:assignment_new") not in index.content.decode()
