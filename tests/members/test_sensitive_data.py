"""issue 13: what a reader (an officer) and a writer see of a member's ID number, birth date and phone, and
what is recorded (members.SensitiveAccess)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from branches.models import RoleAssignment
from members import services
from members.idnumbers import make_id_number
from members.models import SensitiveAccess
from members.selectors import ID_NUMBER_UNAVAILABLE
from spreadsheets.models import ImportUpload
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_role
from tests.members.test_import_members import HEADER, row
from tests.spreadsheets.test_views import upload
from users.services import system_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request with the English cookie leaves English active in this thread: give the next test the
    site's language back."""
    yield
    translation.deactivate()


@pytest.fixture
def officer(branch_a1):
    user = UserFactory(email="officer@example.com")
    make_role(user, branch_a1, Role.OFFICER)
    return user


@pytest.fixture
def member(branch_a1):
    return MemberFactory(organization=branch_a1, name="张三", phone="13912345678")


def _names(response):
    return [m["name"] for m in response.context["page"]]


# -- High 3: exact-ID search -------------------------------------------------------------------------------


def test_reader_cannot_confirm_an_id_number_by_searching_it(client, officer, member):
    login(client, officer)
    response = client.get(reverse("members:list"), {"q": member.id_number})
    assert response.status_code == 200
    assert _names(response) == []
    # nor by its end beyond the two characters the mask shows
    assert _names(client.get(reverse("members:list"), {"q": member.id_number[-6:]})) == []
    assert _names(client.get(reverse("members:list"), {"q": member.id_number[-2:]})) == ["张三"]


def test_writer_finds_by_exact_id_and_the_search_is_recorded(client, alice, member):
    login(client, alice)
    response = client.get(reverse("members:list"), {"q": member.id_number})
    assert _names(response) == ["张三"]
    access = SensitiveAccess.objects.get(field="id_search")
    assert access.user == alice and access.member == member
    assert member.id_number not in access.detail
    assert _names(client.get(reverse("members:list"), {"q": member.id_number[-6:]})) == ["张三"]


def test_every_exact_search_is_recorded_even_without_a_match(client, officer, member):
    login(client, officer)
    client.get(reverse("members:list"), {"q": member.id_number})
    access = SensitiveAccess.objects.get(field="id_search")
    assert access.user == officer and access.member is None


# -- High 3 and Low 16: birth date and phone masked for readers ----------------------------------------------


def test_reader_sees_birth_date_and_phone_masked_on_the_detail_page(client, officer, member):
    body = login(client, officer).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "1970-05-17" not in body and "1970-**-**" in body
    assert "13912345678" not in body and "139******78" in body


def test_reader_sees_no_birth_date_or_phone_in_the_history(client, officer, alice, member):
    services.member_update(member=member, by=alice, phone="13700000001")
    body = login(client, officer).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "13700000001" not in body and "13912345678" not in body


def test_reader_sees_phones_masked_in_the_list(client, officer, member):
    body = login(client, officer).get(reverse("members:list")).content.decode()
    assert "13912345678" not in body and "139******78" in body


def test_writer_and_the_member_see_the_birth_date_and_phone(client, alice, member):
    body = login(client, alice).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "1970-05-17" in body and "13912345678" in body
    assert "13912345678" in client.get(reverse("members:list")).content.decode()
    own = UserFactory()
    member.user = own
    member.save()
    body = login(client, own).get(reverse("members:me")).content.decode()
    assert "1970-05-17" in body and "13912345678" in body


# -- Medium 6: the edit form shows the mask; a plain reveal keeps the number out of the cookie ---------------


def test_edit_form_shows_the_mask_and_keeps_the_number(client, alice, member):
    login(client, alice)
    body = client.get(reverse("members:edit", args=[member.pk])).content.decode()
    assert member.id_number not in body and member.masked_id_number in body
    data = {
        "name": "张三丰",
        "id_number": member.masked_id_number,
        "gender": member.gender,
        "birth_date": "",
        "ethnicity": member.ethnicity,
        "admitted_on": member.admitted_on.isoformat(),
        "full_member_on": member.full_member_on.isoformat(),
        "phone": member.phone,
    }
    response = client.post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 302
    stored = member.id_number
    member.refresh_from_db()
    assert member.name == "张三丰" and member.id_number == stored


def test_edit_form_corrects_the_number_with_a_whole_new_one(client, alice, member):
    new = make_id_number("140502", member.birth_date, 7, male=True)
    data = {
        "name": member.name,
        "id_number": new,
        "gender": "",
        "birth_date": "",
        "ethnicity": member.ethnicity,
        "admitted_on": member.admitted_on.isoformat(),
        "full_member_on": member.full_member_on.isoformat(),
        "phone": member.phone,
    }
    assert login(client, alice).post(reverse("members:edit", args=[member.pk]), data).status_code == 302
    member.refresh_from_db()
    assert member.id_number == new


def test_plain_reveal_shows_the_page_and_sets_no_messages_cookie(client, alice, member):
    response = login(client, alice).post(reverse("members:reveal_id", args=[member.pk]))
    assert response.status_code == 200
    assert member.id_number in response.content.decode()
    assert "messages" not in response.cookies
    assert SensitiveAccess.objects.filter(user=alice, member=member, field="id_number").count() == 1


# -- Medium 7: no oracle for an ID number elsewhere -----------------------------------------------------------


def test_create_form_does_not_say_the_number_exists_elsewhere(client, alice, branch_b1):
    elsewhere = MemberFactory(organization=branch_b1)
    login(client, alice)
    client.cookies.load({"django_language": "en"})
    data = {
        "name": "赵六",
        "id_number": elsewhere.id_number,
        "ethnicity": "汉族",
        "organization": alice.roles.get().organization_id,
        "admitted_on": "2005-06-01",
        "full_member_on": "2006-06-01",
    }
    response = client.post(reverse("members:create"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["id_number"])
    assert errors == str(ID_NUMBER_UNAVAILABLE)
    assert "exist" not in errors and "已存在" not in response.content.decode()


def test_create_form_names_a_duplicate_the_writer_can_see(client, alice, member):
    login(client, alice)
    client.cookies.load({"django_language": "en"})
    data = {
        "name": "赵六",
        "id_number": member.id_number,
        "ethnicity": "汉族",
        "organization": member.organization_id,
        "admitted_on": "2005-06-01",
        "full_member_on": "2006-06-01",
    }
    response = client.post(reverse("members:create"), data)
    assert "张三" in " ".join(response.context["form"].errors["id_number"])


def test_import_preview_does_not_say_the_number_belongs_elsewhere(client, alice, branch_a1, branch_b1):
    elsewhere = MemberFactory(organization=branch_b1)
    login(client, alice)
    client.cookies.load({"django_language": "en"})
    upload(client, "members", [HEADER, row(1, id_number=elsewhere.id_number, birth_date="", gender="")])
    the_upload = ImportUpload.objects.get()
    preview = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    with translation.override("en"):
        errors = " ".join(preview.context["preview"]["errors"])
        assert str(ID_NUMBER_UNAVAILABLE) in errors
    assert "do not manage" not in errors and "不管理" not in preview.content.decode()


# -- Low 20: the command-line exports are recorded -------------------------------------------------------------


def test_export_members_command_is_recorded(tmp_path, member):
    call_command("export_members", "--output", str(tmp_path / "m.csv"), stderr=io.StringIO())
    access = SensitiveAccess.objects.get(field="export")
    assert access.user == system_user() and "export_members" in access.detail and "1" in access.detail


def test_report_benefits_command_is_recorded(tmp_path, member, dora):
    call_command(
        "report_benefits", "--as-of", "2026-06-01", "--output", str(tmp_path / "b.csv"), stderr=io.StringIO()
    )
    call_command(
        "report_benefits",
        "--as-of",
        "2026-06-01",
        "--user",
        dora.email,
        "--output",
        str(tmp_path / "c.csv"),
        stderr=io.StringIO(),
    )
    accesses = list(SensitiveAccess.objects.filter(field="export").order_by("pk"))
    assert [a.user for a in accesses] == [system_user(), dora]
    assert all("report_benefits" in a.detail for a in accesses)
