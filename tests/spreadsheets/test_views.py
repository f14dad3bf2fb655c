import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from branches.models import Organization, RoleAssignment
from common.spreadsheets.importing import SUMMARY_LABELS
from members.models import Member
from spreadsheets.models import ImportUpload
from tests.conftest import login
from tests.factories import UserFactory, make_role
from tests.members.test_import_members import HEADER, row
from tests.spreadsheets.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(client, kind, rows, name="m.csv"):
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return client.post(
        reverse("spreadsheets:upload", args=[kind]), {"file": SimpleUploadedFile(name, content)}
    )


def test_upload_preview_confirm(client, alice, branch_a1):
    login(client, alice)
    response = upload(client, "members", [HEADER, row(1), row(2)])
    assert response.status_code == 302
    the_upload = ImportUpload.objects.get()
    assert response.url == reverse("spreadsheets:preview", args=[the_upload.pk])
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert preview.context["preview"]["errors"] == []
    assert "党员1" in preview.content.decode()
    assert not Member.objects.exists()  # preview writes nothing
    confirmed = client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    assert confirmed.status_code == 302
    assert Member.objects.count() == 2
    assert Member.objects.get(name="党员1").history.get().history_user == alice
    the_upload.refresh_from_db()
    assert the_upload.applied_at and the_upload.result["summary"]["created"] == 2
    # A second confirm (double click) applies nothing.
    applied_at = the_upload.applied_at
    client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    assert Member.objects.count() == 2
    the_upload.refresh_from_db()
    assert the_upload.applied_at == applied_at
    result = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    assert "spreadsheets/result.html" in [t.name for t in result.templates]
    with translation.override(result.wsgi_request.LANGUAGE_CODE):
        created = str(SUMMARY_LABELS["created"])
    assert dict(result.context["summary"])[created] == 2  # what the first confirm did
    assert f"<li>{created}：2</li>" in result.content.decode()  # 新增：2


def test_preview_lists_every_error_and_confirm_writes_nothing(client, bob, branch_a1, branch_b1):
    login(client, bob)
    client.cookies.load({"django_language": "en"})
    rows = [HEADER, row(1), row(2, org_code="B-B1"), row(3, birth_date="1970-01-01"), row(4)]
    upload(client, "members", rows)
    the_upload = ImportUpload.objects.get()
    preview = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    with translation.override("en"):
        errors = preview.context["preview"]["errors"]
    assert errors[0] == "Row 3: No organization with code “B-B1” among those you manage."
    assert errors[1].startswith("Row 4: The birth date 1970-01-01 does not match")
    client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    assert not Member.objects.exists()
    the_upload.refresh_from_db()
    assert the_upload.applied_at is None


def test_xlsx_upload(client, alice, branch_a1):
    login(client, alice)
    upload(client, "members", [HEADER, row(1)], name="m.xlsx")
    the_upload = ImportUpload.objects.get()
    client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    assert Member.objects.count() == 1


def test_not_a_spreadsheet(client, alice, branch_a1):
    login(client, alice)
    client.cookies.load({"django_language": "en"})
    client.post(
        reverse("spreadsheets:upload", args=["members"]), {"file": SimpleUploadedFile("m.xlsx", b"hello")}
    )
    preview = client.get(reverse("spreadsheets:preview", args=[ImportUpload.objects.get().pk]))
    assert "not a valid XLSX" in preview.content.decode()


def test_kinds_by_role(client, alice, bob, dora, branch_a1):
    def kinds(user):
        client.force_login(user)
        return [i.kind for i in client.get(reverse("spreadsheets:index")).context["kinds"]]

    for user in (alice, bob):
        assert "members" in kinds(user)
        assert not {"orgs", "users"} & set(kinds(user))
    assert set(kinds(dora)) >= {"orgs", "members", "users"}
    login(client, alice)
    assert client.get(reverse("spreadsheets:upload", args=["orgs"])).status_code == 404
    assert client.get(reverse("spreadsheets:upload", args=["users"])).status_code == 404


def test_officer_and_member_have_no_imports(client, branch_a1):
    for role in (RoleAssignment.Role.OFFICER, RoleAssignment.Role.MEMBER):
        user = UserFactory()
        make_role(user, branch_a1, role)
        client.force_login(user)
        assert client.get(reverse("spreadsheets:index")).status_code == 404
        assert client.get(reverse("spreadsheets:upload", args=["members"])).status_code == 404


def test_someone_elses_upload_is_404(client, alice, charlie, branch_a1):
    login(client, alice)
    upload(client, "members", [HEADER, row(1)])
    the_upload = ImportUpload.objects.get()
    client.force_login(charlie)
    assert client.get(reverse("spreadsheets:preview", args=[the_upload.pk])).status_code == 404
    assert client.post(reverse("spreadsheets:confirm", args=[the_upload.pk])).status_code == 404
    assert not Member.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_templates_have_the_headers(client, dora, fmt):
    from common.spreadsheets.tables import read_table

    login(client, dora)
    response = client.get(reverse("spreadsheets:template", args=["orgs", fmt]))
    assert response.status_code == 200
    table = read_table(io.BytesIO(response.content), f"t.{fmt}")
    assert table.headers == ["组织编码", "组织名称", "上级组织编码", "组织类别", "领域"]


def test_county_imports_orgs_in_browser(client, dora, county):
    login(client, dora)
    upload(
        client,
        "orgs",
        [
            ["组织编码", "组织名称", "上级组织编码", "组织类别", "领域"],
            ["NEW", "新镇", "C001", "乡镇党委", "农村"],
        ],
    )
    client.post(reverse("spreadsheets:confirm", args=[ImportUpload.objects.get().pk]))
    assert Organization.objects.get(code="NEW").parent == county
