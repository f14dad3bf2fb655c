"""A new app's models reach the managed admin groups after migrate, without a migration of ours."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from branches.admin_access import COUNTY_OFFICE, TOWNSHIP_READ_ONLY


@pytest.mark.django_db
def test_the_county_office_reads_and_the_township_reads_the_dues_after_migrate():
    county = Group.objects.get(name=COUNTY_OFFICE)
    county.permissions.remove(*Permission.objects.filter(content_type__app_label="dues"))
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    assert county.permissions.filter(codename="view_payment", content_type__app_label="dues").exists()
    assert not county.permissions.filter(codename="change_payment").exists()
    township = Group.objects.get(name=TOWNSHIP_READ_ONLY)
    assert township.permissions.filter(codename="view_duesrecord").exists()
