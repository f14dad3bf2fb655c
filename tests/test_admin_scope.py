"""The admin is the county office's tool; any other staff account sees only its own scope there too."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from branches.admin import ScopedAdminMixin
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
