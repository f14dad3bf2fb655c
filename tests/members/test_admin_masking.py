"""The member admin (read-only for everyone) shows the ID number, birth date and phone masked, in the list and on
the member's page, as the roster does for whoever does not edit the member."""

import datetime as dt

import pytest
from django.urls import reverse

from members import idnumbers
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_county_office_sees_personal_data_masked_in_the_admin(client, dora, branch_a1):
    from branches.services import admin_access_sync

    admin_access_sync(user_ids=[dora.pk])
    member = MemberFactory(organization=branch_a1, phone="13912345678", birth_date=dt.date(1970, 5, 17))
    login(client, dora)
    for url in (
        reverse("admin:members_member_changelist"),
        reverse("admin:members_member_change", args=[member.pk]),
    ):
        body = client.get(url).content.decode()
        assert member.name in body
        assert member.id_number not in body and "13912345678" not in body
        assert idnumbers.mask(member.id_number) in body
    assert "1970-05-17" not in body and "1970年5月17日" not in body
