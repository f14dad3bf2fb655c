"""Domain rows with rules are written through their services only: their admin pages are read-only, and
no other admin path (django-simple-history's "revert" form) writes past the services either."""

import pytest
from django.contrib import admin
from django.urls import reverse

from common.admin import ReadOnlyAdminMixin
from members.services import member_update
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

READ_ONLY = sorted(
    (m._meta.label for m, ma in admin.site._registry.items() if isinstance(ma, ReadOnlyAdminMixin)),
)


def test_domain_rows_with_rules_are_read_only_in_the_admin():
    assert {
        "members.Member",
        "members.Transfer",
        "members.CommitteeTerm",
        "education.Meeting",
        "education.MeetingPlan",
        "education.StudyRecord",
        "care.Grant",
        "care.TownshipBudget",
        "care.Visit",
        "care.Pairing",
        "care.Condolence",
        "accountability.Contract",
        "accountability.DutyReport",
    } <= set(READ_ONLY)


@pytest.mark.parametrize("label", READ_ONLY)
def test_read_only_admin_offers_no_add_change_or_delete(admin_client, label):
    app_label, model_name = label.lower().split(".")
    page = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert page.status_code == 200
    assert not page.context["has_add_permission"]
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403


def test_history_revert_of_a_member_is_refused(admin_client, alice, branch_a1):
    member = MemberFactory(organization=branch_a1, address="旧地址")
    member_update(member=member, address="新地址", by=alice)
    old = member.history.order_by("history_id").first()
    url = reverse("admin:members_member_simple_history", args=[member.pk, old.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200  # may be read
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    assert data["address"] == "旧地址"  # (the phone is masked in the admin: not a form field there)
    assert admin_client.post(url, data).status_code == 403  # the old version is not saved back
    member.refresh_from_db()
    assert member.address == "新地址"
