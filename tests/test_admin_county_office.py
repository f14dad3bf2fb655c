"""The admin for the county office (issue 10, item 4): the county account works there without being a
superuser; a township secretary reads only the township's rows; the sensitive-access log is never editable."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from branches.models import RoleAssignment
from branches.services import admin_access_sync, organization_update, role_assign
from care.models import VisitPolicy
from members.models import Member, SensitiveAccess
from notifications.models import Delivery
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def county_office(county):
    user = UserFactory(email="office@example.com", name="组织部")
    role_assign(user=user, organization=county, role=Role.COUNTY_ADMIN)
    assert user.is_staff and not user.is_superuser
    return user


@pytest.fixture
def township_secretary(township_a):
    user = UserFactory(email="ts@example.com")
    role_assign(user=user, organization=township_a, role=Role.TOWNSHIP_SECRETARY)
    return user


@pytest.fixture
def rows(branch_a1, branch_b1):
    return MemberFactory(organization=branch_a1, name="本镇党员"), MemberFactory(
        organization=branch_b1, name="外镇党员"
    )


def _changelist(client, label):
    app, model = label.split(".")
    return client.get(reverse(f"admin:{app}_{model}_changelist"))


def test_county_office_opens_the_admin_and_its_lists(client, county_office, rows, branch_a1):
    SensitiveAccess.objects.create(user=county_office, member=rows[0], field="id_number", detail="reveal")
    login(client, county_office)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    for link in (
        "django_celery_beat_periodictask",
        "notifications_delivery",
        "care_visitpolicy",
        "members_member",
    ):
        assert reverse(f"admin:{link}_changelist") in index.content.decode(), link
    for label in (
        "members.member",
        "branches.organization",
        "branches.roleassignment",
        "members.sensitiveaccess",
    ):
        response = _changelist(client, label)
        assert response.status_code == 200, label
        assert response.context["cl"].result_count > 0, label
    body = _changelist(client, "members.member").content.decode()
    assert "本镇党员" in body and "外镇党员" in body  # the whole county
    for label in (
        "django_celery_beat.periodictask",
        "notifications.delivery",
        "care.visitpolicy",
        "users.user",
    ):
        assert _changelist(client, label).status_code == 200, label


def test_county_office_changes_reference_data(client, county_office, branch_a1):
    login(client, county_office)
    policy = VisitPolicy.objects.first()
    page = client.get(reverse("admin:care_visitpolicy_change", args=[policy.pk]))
    assert page.status_code == 200 and page.context["has_change_permission"]
    schedule = CrontabSchedule.objects.create(minute="30", hour="6")
    task = PeriodicTask.objects.create(
        name="daily-jobs", task="notifications.tasks.run_daily_jobs", crontab=schedule
    )
    response = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    assert response.status_code == 200 and response.context["has_change_permission"]
    # domain rows stay read-only for the county office as for everyone
    member = MemberFactory(organization=branch_a1)
    page = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_county_office_sends_a_failed_delivery_again(client, county_office, alice):
    delivery = Delivery.objects.create(
        user=alice, key="x:1", kind="x", subject="s", status=Delivery.Status.FAILED
    )
    login(client, county_office)
    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status != Delivery.Status.FAILED


def test_sensitive_access_page_has_no_save_button(client, county_office, rows):
    access = SensitiveAccess.objects.create(user=county_office, member=rows[0], field="id_number")
    login(client, county_office)
    url = reverse("admin:members_sensitiveaccess_change", args=[access.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"field": "changed"}).status_code == 403
    assert client.get(reverse("admin:members_sensitiveaccess_add")).status_code == 403
    access.refresh_from_db()
    assert access.field == "id_number"


def test_township_secretary_reads_only_the_township(
    client, township_secretary, rows, django_assert_max_num_queries
):
    login(client, township_secretary)
    assert client.get(reverse("admin:index")).status_code == 200
    with django_assert_max_num_queries(20):
        body = _changelist(client, "members.member").content.decode()
    assert "本镇党员" in body and "外镇党员" not in body
    orgs = _changelist(client, "branches.organization").context["cl"].result_list
    assert {o.code for o in orgs} and all(
        o.path.startswith(township_secretary.roles.get().organization.path) for o in orgs
    )
    # read-only: no save, no add
    page = client.get(reverse("admin:members_member_change", args=[rows[0].pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:branches_organization_add")).status_code == 403
    # another township's member: not there
    assert client.get(reverse("admin:members_member_change", args=[rows[1].pk])).status_code == 302
    # nothing county-wide
    for label in (
        "members.sensitiveaccess",
        "notifications.delivery",
        "django_celery_beat.periodictask",
        "users.user",
        "care.visitpolicy",
    ):
        assert _changelist(client, label).status_code == 403, label


def test_branch_secretary_has_no_admin(client, alice):
    login(client, alice)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's sign-in


@pytest.fixture
def demo_county():
    """The demo county (every app's seed) and its county office account."""
    call_command("seed_demo", "--seed", "3", "--as-of", "2025-03-03", stdout=StringIO())
    return User.objects.get(email="county@demo.local")


def test_the_demo_county_account_works_in_the_admin_without_being_superuser(client, demo_county):
    assert not demo_county.is_superuser and demo_county.is_staff
    login(client, demo_county)
    assert client.get(reverse("admin:index")).status_code == 200
    for label in (
        "members.member",
        "branches.organization",
        "branches.roleassignment",
        "education.meeting",
        "care.visit",
        "care.benefitrule",
        "accountability.gradeband",
    ):
        response = _changelist(client, label)
        assert response.status_code == 200, label
        assert response.context["cl"].result_count > 0, label
    assert _changelist(client, "django_celery_beat.periodictask").status_code == 200
    assert admin_access_sync(apply=False) == []  # the seeding left the roles and groups in step
    township = RoleAssignment.objects.filter(user__email="township@demo.local").select_related("user").get()
    login(client, township.user)
    members = _changelist(client, "members.member")
    assert members.status_code == 200
    assert all(
        m.organization.path.startswith(township.organization.path) for m in members.context["cl"].result_list
    )
    assert members.context["cl"].result_count < Member.objects.count()


def test_reading_the_admin_never_writes_through_an_old_version(client, township_secretary, township_a):
    """django-simple-history's history form saves on POST for anyone who may view: refused without change."""
    organization_update(org=township_a, name="甲镇（新名）")
    old = township_a.history.order_by("history_id").first()
    login(client, township_secretary)
    url = reverse("admin:branches_organization_simple_history", args=[township_a.pk, old.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": old.name, "code": old.code, "kind": old.kind}).status_code == 403
    township_a.refresh_from_db()
    assert township_a.name == "甲镇（新名）"
