"""The admin is the county office's tool; any other staff account sees only its own scope there too. Every
admin list is scoped or county-wide reference data, with columns and search or filters (issue 10)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from branches.admin import ScopedAdminMixin
from branches.admin_access import DOMAIN_APPS, TOWNSHIP_MODELS
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SCOPED = sorted(
    ((m._meta.label, ma) for m, ma in admin.site._registry.items() if isinstance(ma, ScopedAdminMixin)),
    key=lambda pair: pair[0],
)


def test_models_with_organization_data_are_scoped():
    labels = {label for label, _ma in SCOPED}
    assert {
        "members.Member",
        "education.Meeting",
        "education.StudyRecord",
        "care.Grant",
        "care.Visit",
        "accountability.Contract",
        "accountability.DutyReport",
    } <= labels


@pytest.mark.parametrize(("label", "model_admin"), SCOPED, ids=[label for label, _ in SCOPED])
def test_staff_queryset_is_limited_to_scope(label, model_admin, bob):
    request = RequestFactory().get("/")
    request.user = bob
    qs = model_admin.get_queryset(request)
    list(qs[:1])  # the scope field path is valid
    assert "path" in str(qs.query)


def test_township_staff_sees_only_township_members_in_admin(client, bob, branch_a1, branch_b1):
    bob.is_staff = True
    bob.save()
    bob.user_permissions.add(Permission.objects.get(codename="view_member"))
    mine = MemberFactory(organization=branch_a1, name="本镇党员")
    MemberFactory(organization=branch_b1, name="外镇党员")
    login(client, bob)
    body = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert mine.name in body and "外镇党员" not in body


OUR_APPS = set(DOMAIN_APPS)  # every app of ours with an admin (branches.admin_access)
REGISTERED = {
    m._meta.label_lower: ma for m, ma in admin.site._registry.items() if m._meta.app_label in OUR_APPS
}
# County-wide lists: accounts, the outbox, reference data; the county office's group reads them, the township's
# read-only group does not. The sensitive-access log and the uploads narrow their rows themselves.
COUNTY_WIDE = {
    "users.user",
    "notifications.delivery",
    "notifications.jobrun",
    "spreadsheets.importupload",
    "members.sensitiveaccess",
    "care.benefitrule",
    "care.ruleversion",
    "care.visitpolicy",
    "care.lunarnewyear",
    "accountability.yeardeadlines",
    "accountability.gradeband",
    "accountability.indicatorgroup",
    "education.meetingkind",
    "education.meetingrequirement",
    "education.studytarget",
    "recruitment.recruitmentrule",
}
# A handful of rows each: nothing to search or filter.
SMALL = {
    "care.lunarnewyear",
    "accountability.yeardeadlines",
    "accountability.gradeband",
    "education.meetingkind",
    "education.studytarget",
    "recruitment.recruitmentrule",
}


def test_every_admin_list_is_scoped_or_county_wide():
    scoped = {label for label, ma in REGISTERED.items() if isinstance(ma, ScopedAdminMixin)}
    assert set(REGISTERED) == scoped | COUNTY_WIDE
    assert not scoped & COUNTY_WIDE


def test_the_township_group_reads_only_scoped_lists():
    assert set(TOWNSHIP_MODELS) <= {
        label for label, ma in REGISTERED.items() if isinstance(ma, ScopedAdminMixin)
    }


@pytest.mark.parametrize("label", sorted(set(REGISTERED) - SMALL))
def test_every_admin_list_has_columns_and_search_or_filters(label):
    ma = REGISTERED[label]
    assert list(ma.list_display) != ["__str__"] and len(ma.list_display) >= 3
    assert ma.search_fields or ma.list_filter
