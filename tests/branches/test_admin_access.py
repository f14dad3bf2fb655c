"""The admin access follows the roles (issue 10, item 4): the seeded group 县委组织部 for county_admin accounts,
the read-only group for township secretaries, is_staff with them; given and taken away by the role services,
the admin's role page and the check command."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from branches.admin_access import COUNTY_OFFICE, TOWNSHIP_READ_ONLY
from branches.models import RoleAssignment
from branches.services import role_assign, role_revoke
from tests.factories import UserFactory, make_role

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def _groups(user):
    return set(user.groups.values_list("name", flat=True))


def _perms(name):
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migration_seeds_both_groups_with_their_permissions():
    county = _perms(COUNTY_OFFICE)
    assert {
        "members.view_member",
        "education.view_meeting",
        "care.view_grant",
        "accountability.view_contract",
        "officers.view_visitlog",
        "users.view_user",
        "members.view_sensitiveaccess",
        # reference data
        "django_celery_beat.change_periodictask",
        "django_celery_beat.add_crontabschedule",
        "care.change_benefitrule",
        "care.change_visitpolicy",
        "accountability.change_gradeband",
        "education.change_studytarget",
        "notifications.change_delivery",  # "Send again"
    } <= county
    # domain rows are never changed there, the sensitive-access log is never edited
    assert (
        not {
            "members.change_member",
            "members.change_sensitiveaccess",
            "members.delete_sensitiveaccess",
            "care.change_grant",
            "users.change_user",
            "branches.change_organization",
        }
        & county
    )
    township = _perms(TOWNSHIP_READ_ONLY)
    assert "members.view_member" in township and "care.view_visit" in township
    assert all(p.split(".")[1].startswith("view_") for p in township)
    assert not {"members.view_sensitiveaccess", "notifications.view_delivery", "users.view_user"} & township


def test_county_role_gives_the_group_and_staff_and_revoking_takes_them_away(county, dora):
    user = UserFactory()
    assignment = role_assign(user=user, organization=county, role=Role.COUNTY_ADMIN)
    assert _groups(user) == {COUNTY_OFFICE} and user.is_staff
    role_revoke(assignment=assignment, by=dora)
    assert _groups(user) == set() and not user.is_staff
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_township_secretary_gets_the_read_only_group_and_keeps_the_other_role(county, township_a, dora):
    user = UserFactory()
    county_role = role_assign(user=user, organization=county, role=Role.COUNTY_ADMIN)
    role_assign(user=user, organization=township_a, role=Role.TOWNSHIP_SECRETARY)
    assert _groups(user) == {COUNTY_OFFICE, TOWNSHIP_READ_ONLY}
    role_revoke(assignment=county_role, by=dora)
    assert _groups(user) == {TOWNSHIP_READ_ONLY} and user.is_staff


def test_branch_secretary_gets_no_admin(branch_a1):
    user = UserFactory()
    role_assign(user=user, organization=branch_a1, role=Role.BRANCH_SECRETARY)
    assert _groups(user) == set() and not user.is_staff


def test_superuser_keeps_staff_when_the_role_goes(county, dora):
    user = UserFactory(is_superuser=True, is_staff=True)
    role_revoke(assignment=role_assign(user=user, organization=county, role=Role.COUNTY_ADMIN), by=dora)
    user.refresh_from_db()
    assert user.is_staff


def test_the_admin_role_page_gives_and_takes_away(admin_client, county):
    user = UserFactory()
    response = admin_client.post(
        reverse("admin:branches_roleassignment_add"),
        {"user": user.pk, "organization": county.pk, "role": Role.COUNTY_ADMIN},
    )
    assert response.status_code == 302
    assert _groups(user) == {COUNTY_OFFICE}
    assignment = RoleAssignment.objects.get(user=user)
    response = admin_client.post(
        reverse("admin:branches_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _groups(user) == set()
    user.refresh_from_db()
    assert not user.is_staff


def test_the_admin_bulk_delete_takes_the_groups_away(admin_client, county, township_a):
    a, b = UserFactory(), UserFactory()
    role_assign(user=a, organization=county, role=Role.COUNTY_ADMIN)
    role_assign(user=b, organization=township_a, role=Role.TOWNSHIP_SECRETARY)
    ids = list(RoleAssignment.objects.filter(user__in=[a, b]).values_list("pk", flat=True))
    admin_client.post(
        reverse("admin:branches_roleassignment_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert _groups(a) == _groups(b) == set()


def test_check_command_finds_and_mends_roles_written_past_the_services(county, township_a):
    user = UserFactory(email="raw@example.com")
    make_role(user, county, Role.COUNTY_ADMIN)  # straight into the table
    staff_without_role = UserFactory(email="stray@example.com", is_staff=True)
    staff_without_role.groups.add(Group.objects.get(name=TOWNSHIP_READ_ONLY))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sync_admin_access", "--check", stdout=out)
    assert f"raw@example.com: + {COUNTY_OFFICE}" in out.getvalue()
    assert _groups(user) == set()  # --check changes nothing
    call_command("sync_admin_access", stdout=StringIO())
    assert _groups(user) == {COUNTY_OFFICE}
    user.refresh_from_db()
    staff_without_role.refresh_from_db()
    assert user.is_staff and not staff_without_role.is_staff and _groups(staff_without_role) == set()
    call_command("sync_admin_access", "--check", stdout=StringIO())  # in step now: no error


def test_check_command_restores_a_groups_permissions():
    group = Group.objects.get(name=COUNTY_OFFICE)
    group.permissions.clear()
    with pytest.raises(CommandError):
        call_command("sync_admin_access", "--check", stdout=StringIO())
    call_command("sync_admin_access", stdout=StringIO())
    assert "care.change_visitpolicy" in _perms(COUNTY_OFFICE)
