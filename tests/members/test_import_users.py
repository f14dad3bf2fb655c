import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from branches.models import RoleAssignment
from branches.selectors import scope_for
from tests.factories import MemberFactory, UserFactory
from tests.spreadsheets.files import csv_bytes, run, write
from users.models import SYSTEM_EMAIL, User

pytestmark = pytest.mark.django_db
HEADER = ["邮箱", "姓名", "角色", "组织编码", "密码"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(county, township_a, branch_a1, branch_b1):
    return county


def test_users_roles_passwords_and_invitations(tmp_path, orgs, django_capture_on_commit_callbacks):
    rows = [
        HEADER,
        ["Office@Example.com", "组织部", "county_admin", "C001", "a-Long-pass-123"],
        ["ts@example.com", "乡镇书记", "township_secretary", "T-A", ""],
        ["bs@example.com", "支部书记", "branch_secretary", "B-A1", ""],
        ["staff@example.com", "干事", "township_staff", "T-A", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out, _ = run("import_users", write(tmp_path, "u.csv", csv_bytes(rows)))
    office = User.objects.get(email="office@example.com")
    assert office.check_password("a-Long-pass-123")
    assert scope_for(office).is_county
    secretary = User.objects.get(email="bs@example.com")
    assert not secretary.has_usable_password()
    assert scope_for(secretary).can_write(RoleAssignment.objects.get(user=secretary).organization)
    assert (
        len([c for c in callbacks if "UserImporter" in c.__qualname__]) == 3
    )  # one invitation per new account without password
    assert {m.to[0] for m in mail.outbox} == {"ts@example.com", "bs@example.com", "staff@example.com"}
    assert "invitations sent: 3" in out


def test_reimport_adds_nothing(tmp_path, orgs):
    rows = [HEADER, ["bs@example.com", "支部书记", "branch_secretary", "B-A1", "a-Long-pass-123"]]
    path = write(tmp_path, "u.csv", csv_bytes(rows))
    run("import_users", path)
    out, _ = run("import_users", path)
    people = User.objects.exclude(email=SYSTEM_EMAIL)  # the command acts as the system account
    assert people.count() == 1 and RoleAssignment.objects.count() == 1
    assert "created: 0" in out


def test_member_role_links_by_unique_name(tmp_path, orgs, branch_a1):
    member = MemberFactory(organization=branch_a1, name="王五")
    MemberFactory(organization=branch_a1, name="同名")
    MemberFactory(organization=branch_a1, name="同名")
    rows = [
        HEADER,
        ["w5@example.com", "王五", "member", "B-A1", "a-Long-pass-123"],
        ["same@example.com", "同名", "member", "B-A1", "a-Long-pass-123"],
        ["nobody@example.com", "查无此人", "member", "B-A1", "a-Long-pass-123"],
    ]
    out, _ = run("import_users", write(tmp_path, "u.csv", csv_bytes(rows)))
    member.refresh_from_db()
    assert member.user.email == "w5@example.com"
    assert "Row 3: same@example.com not linked: 2 members named 同名" in out
    assert "Row 4: nobody@example.com not linked: no member named 查无此人" in out
    assert "linked to member records: 1" in out


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["not-an-email", "x", "member", "B-A1", ""], "“not-an-email” is not a valid e-mail address."),
        (["a@example.com", "x", "boss", "B-A1", ""], "角色: “boss” is not one of"),
        (
            ["a@example.com", "x", "member", "NOPE", ""],
            "No organization with code “NOPE” among those you manage.",
        ),
        (["a@example.com", "x", "county_admin", "B-A1", ""], "is not given at a Branch"),
        (["a@example.com", "x", "member", "B-A1", "123"], "密码 (password): This password is too short."),
    ],
)
def test_bad_rows_write_nothing(tmp_path, orgs, bad, message):
    rows = [HEADER, ["ok@example.com", "好", "branch_secretary", "B-A1", ""], bad]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_users", write(tmp_path, "u.csv", csv_bytes(rows)), stderr=err, stdout=io.StringIO()
        )
    assert "Row 3: " in err.getvalue() and message in err.getvalue()
    assert not User.objects.exclude(email=SYSTEM_EMAIL).exists()


def test_existing_account_gains_role_keeps_password(tmp_path, orgs):
    user = UserFactory(email="old@example.com")
    run(
        "import_users",
        write(tmp_path, "u.csv", csv_bytes([HEADER, ["old@example.com", "", "officer", "B-A1", ""]])),
    )
    user.refresh_from_db()
    assert user.check_password("pass-word-123")
    assert RoleAssignment.objects.get(user=user).role == "officer"
    assert not mail.outbox
