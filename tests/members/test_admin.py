import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_bob(bob):
    from django.contrib.auth.models import Permission

    bob.is_staff = True
    bob.save()
    bob.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["members", "branches"]))
    return bob


def test_staff_sees_only_scope_in_admin(client, staff_bob, branch_a1, branch_b1):
    mine = MemberFactory(organization=branch_a1, name="甲党员")
    other = MemberFactory(organization=branch_b1, name="乙党员")
    login(client, staff_bob)
    page = client.get(reverse("admin:members_member_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "甲党员" in body and "乙党员" not in body
    assert mine.id_number not in body and mine.masked_id_number in body
    assert (
        client.get(reverse("admin:members_member_change", args=[other.pk])).status_code == 302
    )  # not found → redirect
    orgs = client.get(reverse("admin:branches_organization_changelist")).content.decode()
    assert "甲一村党支部" in orgs and "乙一村党支部" not in orgs


def test_superuser_admin_pages_render(client, db, branch_a1):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    MemberFactory(organization=branch_a1)
    login(client, admin)
    for name in [
        "members_member",
        "members_transfer",
        "members_committeeterm",
        "members_sensitiveaccess",
        "branches_organization",
        "branches_partygroup",
        "branches_roleassignment",
        "spreadsheets_importupload",
    ]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
