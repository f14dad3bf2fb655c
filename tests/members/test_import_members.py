import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from branches.models import PartyGroup
from members.idnumbers import make_id_number
from members.models import Member, Transfer
from tests.factories import make_org
from tests.spreadsheets.files import csv_bytes, run, write, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "所在党组织编码",
    "党小组",
    "入党日期",
    "转正日期",
    "手机号码",
    "老干部",
    "困难党员",
    "去世日期",
]
ENGLISH = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "org_code",
    "party_group",
    "admitted_on",
    "full_member_on",
    "phone",
    "veteran_cadre",
    "hardship",
    "died_on",
]


def idn(n: int, born=dt.date(1970, 5, 17), male=True) -> str:
    return make_id_number("140502", born, n, male=male)


def row(n: int, **kw) -> list:
    values = {
        "name": f"党员{n}",
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": "1970-05-17",
        "id_number": idn(n),
        "org_code": "B-A1",
        "party_group": "第一党小组",
        "admitted_on": "1995-07-01",
        "full_member_on": "1996-07-01",
        "phone": "13800000000",
        "veteran_cadre": "否",
        "hardship": "否",
        "died_on": "",
    }
    values.update(kw)
    return [values[k] for k in ENGLISH]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(branch_a1, branch_a2, branch_b1):
    return branch_a1, branch_a2, branch_b1


def import_file(tmp_path, rows, name="m.csv", header=HEADER, **kw):
    content = xlsx_bytes([header, *rows]) if name.endswith(".xlsx") else csv_bytes([header, *rows], **kw)
    return run("import_members", write(tmp_path, name, content))


def import_errors(tmp_path, rows, **kw) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_members",
            write(tmp_path, "bad.csv", csv_bytes([HEADER, *rows])),
            stderr=err,
            stdout=io.StringIO(),
        )
    return err.getvalue()


def test_import_creates_members_and_party_groups(tmp_path, orgs):
    import_file(tmp_path, [row(1), row(2, full_member_on="", gender="", birth_date="", veteran_cadre="是")])
    first, second = Member.objects.order_by("name")
    assert first.organization.code == "B-A1"
    assert first.party_group == PartyGroup.objects.get(name="第一党小组")
    assert second.full_member_on is None and second.veteran_cadre
    assert second.birth_date == dt.date(1970, 5, 17) and second.gender == "male"


def test_reimport_is_idempotent(tmp_path, orgs):
    rows = [row(i) for i in range(1, 11)]
    import_file(tmp_path, rows)
    history = Member.history.count()
    out, _ = import_file(tmp_path, rows)
    assert "unchanged: 10" in out
    assert Member.history.count() == history
    assert PartyGroup.objects.count() == 1


def test_changed_row_updates_and_is_recorded(tmp_path, orgs):
    import_file(tmp_path, [row(1), row(2)])
    import_file(tmp_path, [row(1, phone="13911112222", hardship="是"), row(2)])
    member = Member.objects.get(id_number=idn(1))
    assert member.phone == "13911112222" and member.hardship
    latest = member.history.latest()
    assert {c.field for c in latest.diff_against(latest.prev_record).changes} == {"phone", "hardship"}
    assert Member.objects.get(id_number=idn(2)).history.count() == 1


def test_blank_cells_keep_stored_values(tmp_path, orgs):
    import_file(tmp_path, [row(1)])
    import_file(tmp_path, [row(1, phone="", ethnicity="", party_group="", full_member_on="")])
    member = Member.objects.get()
    assert member.phone == "13800000000" and member.party_group is not None and member.full_member_on


def test_org_change_is_a_transfer(tmp_path, orgs):
    import_file(tmp_path, [row(1)])
    out, _ = import_file(tmp_path, [row(1, org_code="B-B1", party_group="")])
    member = Member.objects.get()
    assert member.organization.code == "B-B1" and member.party_group is None
    transfer = Transfer.objects.get()
    assert (transfer.from_organization.code, transfer.to_organization.code) == ("B-A1", "B-B1")
    assert "transferred: 1" in out


def test_xlsx_with_date_cells_and_english_headers(tmp_path, orgs):
    rows = [
        row(
            1,
            birth_date=dt.datetime(1970, 5, 17),
            admitted_on=dt.date(1995, 7, 1),
            full_member_on=None,
            phone=13800000000,
        )
    ]
    import_file(tmp_path, rows, name="m.xlsx", header=ENGLISH)
    member = Member.objects.get()
    assert member.admitted_on == dt.date(1995, 7, 1) and member.phone == "13800000000"


def test_csv_with_bom(tmp_path, orgs):
    import_file(tmp_path, [row(1)], bom=True)
    assert Member.objects.count() == 1


def test_one_bad_row_among_ten_writes_nothing(tmp_path, orgs):
    rows = [row(i) for i in range(1, 11)]
    rows[6] = row(7, id_number=idn(7)[:-1] + ("0" if idn(7)[-1] != "0" else "1"))
    err = import_errors(tmp_path, rows)
    assert "Row 8: The ID number's check digit is wrong" in err
    assert not Member.objects.exists()
    assert not PartyGroup.objects.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"id_number": "12345"}, "An ID number has 18 characters"),
        (
            {"birth_date": "1970-05-18"},
            "The birth date 1970-05-18 does not match the ID number (1970-05-17).",
        ),
        ({"gender": "女"}, "The gender does not match the ID number."),
        ({"full_member_on": "1995-01-01"}, "The full-membership date cannot be before the admission date."),
        ({"org_code": "NOPE"}, "No organization with code “NOPE” among those you manage."),
        ({"org_code": "T-A"}, "“T-A” is not a basic organization"),
        ({"admitted_on": "1995/07/01"}, "入党日期: “1995/07/01” is not a date in the form YYYY-MM-DD"),
        ({"admitted_on": ""}, "入党日期 (admitted_on) is required for a new member."),
        ({"veteran_cadre": "maybe"}, "老干部: “maybe” is not 是 or 否"),
        ({"gender": "X"}, "性别: “X” is not one of 男/女"),
        ({"name": ""}, "姓名 (name) is required."),
        ({"admitted_on": "1960-01-01"}, "The admission date must be after the birth date."),
    ],
)
def test_bad_input(tmp_path, orgs, bad, message):
    err = import_errors(tmp_path, [row(1), row(2, **bad)])
    assert f"Row 3: {message}" in err
    assert not Member.objects.exists()


def test_duplicate_id_number_in_file(tmp_path, orgs):
    err = import_errors(tmp_path, [row(1), row(2), row(1, name="又一个")])
    assert "Row 4: The ID number 140***********" in err and "appears again (first in row 2)." in err


def test_missing_columns_and_empty_file(tmp_path, orgs):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_members",
            write(tmp_path, "m.csv", csv_bytes([["姓名"], ["张三"]])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert (
        "Row 1: Required columns are missing: 公民身份号码 (id_number), 所在党组织编码 (org_code), 入党日期 (admitted_on)."
        in err.getvalue()
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_members",
            write(tmp_path, "m.xlsx", b"PK\x03\x04 not really"),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "not a valid XLSX" in err.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_members", write(tmp_path, "m.csv", csv_bytes([HEADER])), stderr=err, stdout=io.StringIO()
        )
    assert "no data rows" in err.getvalue()


def test_messages_in_chinese_by_default(tmp_path, orgs):
    err = io.StringIO()
    with translation.override("zh-hans"), pytest.raises(CommandError):
        call_command(
            "import_members",
            write(tmp_path, "m.csv", csv_bytes([HEADER, row(1, org_code="NOPE")])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "第 2 行" in err.getvalue()


def test_member_in_party_committee_is_allowed(tmp_path, county):
    make_org("party_committee", parent=county, code="P1")
    import_file(tmp_path, [row(1, org_code="P1", party_group="")])
    assert Member.objects.get().organization.code == "P1"


def test_import_queries_are_set_based(tmp_path, orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [
        row(
            i,
            party_group=f"组{i % 3}",
            birth_date=f"{1960 + i // 100}-05-17",
            id_number=idn(i, born=dt.date(1960 + i // 100, 5, 17)),
        )
        for i in range(200)
    ]
    path = write(tmp_path, "many.csv", csv_bytes([HEADER, *rows]))
    with CaptureQueriesContext(connection) as first:
        call_command("import_members", path, stdout=io.StringIO())
    assert Member.objects.count() == 200 and Member.history.count() == 200
    assert len(first) < 60  # bulk inserts, not several queries per member
    with CaptureQueriesContext(connection) as again:
        call_command("import_members", path, stdout=io.StringIO())
    assert len(again) <= 10
