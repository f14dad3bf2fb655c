"""branches 0005_admin_groups on a database with accounts: every county_admin account gets 县委组织部 and staff,
every township secretary the read-only group; the way back removes the groups."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from branches.admin_access import COUNTY_OFFICE, TOWNSHIP_READ_ONLY

BEFORE = [("branches", "0004_visitlog_followup_move_to_officers")]
AFTER = [("branches", "0005_admin_groups")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_get_their_groups():
    old = _migrate(BEFORE)
    User = old.get_model("users", "User")
    Organization = old.get_model("branches", "Organization")
    Role = old.get_model("branches", "RoleAssignment")
    county = Organization.objects.create(code="C", name="县委", kind="county", path="0000001.")
    township = Organization.objects.create(
        code="T", name="甲镇", kind="township", parent=county, path="0000001.0000002.", depth=1
    )
    office = User.objects.create(email="office@example.com", is_staff=True)
    secretary = User.objects.create(email="ts@example.com")
    plain = User.objects.create(email="plain@example.com")
    Role.objects.create(user=office, organization=county, role="county_admin")
    Role.objects.create(user=secretary, organization=township, role="township_secretary")

    new = _migrate(AFTER)
    User = new.get_model("users", "User")
    groups = {u.email: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert groups == {
        "office@example.com": {COUNTY_OFFICE},
        "ts@example.com": {TOWNSHIP_READ_ONLY},
        "plain@example.com": set(),
    }
    assert set(User.objects.filter(is_staff=True).values_list("email", flat=True)) == {
        "office@example.com",
        "ts@example.com",
    }
    county_office = new.get_model("auth", "Group").objects.get(name=COUNTY_OFFICE)
    assert county_office.permissions.filter(codename="change_periodictask").exists()
    assert not county_office.permissions.filter(codename="change_member").exists()
    assert plain.pk

    back = _migrate(BEFORE)
    assert (
        not back.get_model("auth", "Group")
        .objects.filter(name__in=[COUNTY_OFFICE, TOWNSHIP_READ_ONLY])
        .exists()
    )
    _migrate(_latest())
