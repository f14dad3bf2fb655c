import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from branches.models import RoleAssignment
from branches.selectors import scope_for
from tests.factories import MemberFactory, UserFactory
from tests.spreadsheets.files import csv_bytes, run, write
from users.models import SYSTEM_EMAIL, User
from users.selectors import emails_confirmed
from users.services import user_email_confirm

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
        len([c for c in callbacks if "UserImporter" in getattr(c, "__qualname__", "")]) == 3
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
        # the three officers are 党建辅导员/服务员/联络员; "党建指导员" is no role (issue 15)
        (["a@example.com", "x", "党建指导员", "B-A1", ""], "党建辅导员/党建服务员/党建联络员/党员"),
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


def test_existing_confirmed_account_gains_role_keeps_password_and_is_reported(tmp_path, orgs):
    user = UserFactory(email="old@example.com")
    user_email_confirm(user=user)
    out, _ = run(
        "import_users",
        write(tmp_path, "u.csv", csv_bytes([HEADER, ["old@example.com", "", "officer", "B-A1", ""]])),
    )
    user.refresh_from_db()
    assert user.check_password("pass-word-123")
    assert RoleAssignment.objects.get(user=user).role == "officer"
    assert not mail.outbox
    assert "Row 2: old@example.com is an existing account: the role" in out


def test_existing_unconfirmed_account_gets_no_role_and_is_reported(tmp_path, orgs, branch_a1):
    """issue 13, High 1: a member had set the address the county meant for a new township secretary as their
    own (before the e-mail page required confirmation): the import must not hand them the role."""
    member = UserFactory(email="member@example.com")
    MemberFactory(user=member, organization=branch_a1)
    User.objects.filter(pk=member.pk).update(email="new.ts@example.com")  # the change, never confirmed
    out, _ = run(
        "import_users",
        write(
            tmp_path,
            "u.csv",
            csv_bytes([HEADER, ["new.ts@example.com", "新书记", "township_secretary", "T-A", ""]]),
        ),
    )
    assert not RoleAssignment.objects.filter(user=member).exists()
    assert "Row 2: new.ts@example.com is an existing account whose address was never confirmed" in out
    assert "roles withheld from unconfirmed accounts: 1" in out
    assert "roles added: 0" in out


def test_the_email_page_attack_gives_the_member_nothing(
    client, tmp_path, orgs, branch_a1, django_capture_on_commit_callbacks
):
    """The exact attack of issue 13, High 1: a member adds the coming secretary's address at /accounts/email/
    and makes it primary; the county then imports that address as township secretary."""
    member = UserFactory(email="member@example.com")
    MemberFactory(user=member, organization=branch_a1)
    client.force_login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "new.ts@example.com"})
    client.post(reverse("account_email"), {"action_primary": "", "email": "new.ts@example.com"})
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert EmailAddress.objects.filter(user=member, email="new.ts@example.com", verified=False).exists()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        out, _ = run(
            "import_users",
            write(
                tmp_path,
                "u.csv",
                csv_bytes([HEADER, ["new.ts@example.com", "新书记", "township_secretary", "T-A", ""]]),
            ),
        )
    assert not RoleAssignment.objects.filter(user=member).exists()
    secretary = User.objects.get(email="new.ts@example.com")
    assert secretary != member and RoleAssignment.objects.get(user=secretary).role == "township_secretary"
    assert "invitations sent: 1" in out
    assert "new.ts@example.com" in [m.to[0] for m in mail.outbox]


def test_following_the_invitation_confirms_the_address(
    client, tmp_path, orgs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(
            "import_users",
            write(tmp_path, "u.csv", csv_bytes([HEADER, ["bs@example.com", "书记", "member", "B-A1", ""]])),
        )
    user = User.objects.get(email="bs@example.com")
    assert emails_confirmed(emails=["bs@example.com"]) == set()
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    response = client.get(link.split("/accounts/", 1)[-1].join(["/accounts/", ""]), follow=True)
    client.post(
        response.redirect_chain[-1][0], {"password1": "New-spring-2025", "password2": "New-spring-2025"}
    )
    user.refresh_from_db()
    assert user.check_password("New-spring-2025")
    assert emails_confirmed(emails=["bs@example.com"]) == {"bs@example.com"}
