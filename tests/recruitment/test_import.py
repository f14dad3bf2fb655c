"""import_recruitment: the ledger, all-or-nothing with row-numbered errors; an admission date puts the person
on the roster (matched by ID number)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from members.models import Member
from recruitment.models import Candidate, Step
from tests.factories import MemberFactory
from tests.recruitment.helpers import idn
from tests.spreadsheets.files import csv_bytes, run, write, xlsx_bytes

pytestmark = pytest.mark.django_db
Kind = Step.Kind

HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "所在党组织编码",
    "申请日期",
    "谈话日期",
    "确定积极分子日期",
    "确定发展对象日期",
    "接收预备党员日期",
]
KEYS = [
    "name",
    "gender",
    "ethnicity",
    "birth",
    "id",
    "org",
    "applied",
    "talk",
    "activist",
    "target",
    "admitted",
]


def row(n: int, **kw) -> list:
    values = {
        "name": f"申请人{n}",
        "gender": "男",
        "ethnicity": "汉族",
        "birth": "1995-05-17",
        "id": idn(n),
        "org": "B-A1",
        "applied": "2022-01-10",
        "talk": "2022-01-25",
        "activist": "2022-03-01",
        "target": "2023-03-01",
        "admitted": "",
    }
    values.update(kw)
    return [values[k] for k in KEYS]


@pytest.fixture
def orgs(branch_a1, branch_a2, branch_b1):
    return branch_a1, branch_a2, branch_b1


def import_file(tmp_path, rows, name="r.csv"):
    content = xlsx_bytes([HEADER, *rows]) if name.endswith(".xlsx") else csv_bytes([HEADER, *rows])
    return run("import_recruitment", write(tmp_path, name, content))


def import_errors(tmp_path, rows) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_recruitment",
            write(tmp_path, "bad.csv", csv_bytes([HEADER, *rows])),
            stderr=err,
            stdout=io.StringIO(),
        )
    return err.getvalue()


def test_import_creates_candidates_at_their_stage_and_admits_to_the_roster(tmp_path, orgs):
    out, _ = import_file(
        tmp_path,
        [
            row(1, talk="", activist="", target=""),
            row(2, target=""),
            row(3),
            row(4, admitted="2023-06-01"),
        ],
        name="r.xlsx",
    )
    assert "created: 4" in out
    assert Candidate.objects.count() == 4
    fourth = Candidate.objects.get(id_number=idn(4))
    assert fourth.admitted_on == dt.date(2023, 6, 1)
    assert [s.kind for s in fourth.steps.all()] == [
        Kind.APPLICATION,
        Kind.TALK,
        Kind.ACTIVIST,
        Kind.TARGET,
        Kind.ADMISSION,
    ]
    member = Member.objects.get(id_number=idn(4))
    assert fourth.member == member
    assert member.admitted_on == dt.date(2023, 6, 1) and member.full_member_on is None
    assert Member.objects.count() == 1


def test_an_admitted_person_already_on_the_roster_is_matched_not_duplicated(tmp_path, orgs):
    existing = MemberFactory(
        organization=orgs[0],
        id_number=idn(5),
        birth_date=dt.date(1995, 5, 17),
        admitted_on=dt.date(2023, 6, 1),
    )
    import_file(tmp_path, [row(5, admitted="2023-06-01")])
    assert Member.objects.filter(id_number=idn(5)).count() == 1
    assert Candidate.objects.get().member == existing


def test_reimport_is_idempotent_and_adds_later_steps(tmp_path, orgs):
    import_file(tmp_path, [row(1, target=""), row(2)])
    out, _ = import_file(tmp_path, [row(1, target=""), row(2)])
    assert "unchanged: 2" in out
    out, _ = import_file(tmp_path, [row(1), row(2)])
    assert "updated: 1" in out
    assert Candidate.objects.get(id_number=idn(1)).target_on == dt.date(2023, 3, 1)
    assert Step.objects.filter(kind=Kind.TARGET).count() == 2


def test_one_bad_row_rejects_the_whole_file_and_names_the_row(tmp_path, orgs):
    err = import_errors(tmp_path, [row(1), row(2), row(3, target="2023-02-28")])
    assert "Row 4:" in err and "2023-03-01" in err
    assert "Row 2" not in err and "Row 3" not in err
    assert not Candidate.objects.exists() and not Member.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {
                "birth": "2005-03-01",
                "id": idn(9, dt.date(2005, 3, 1)),
                "applied": "2023-02-28",
                "talk": "",
                "activist": "",
                "target": "",
            },
            "年满十八周岁",
        ),
        ({"talk": "2022-01-05"}, "is before"),
        (
            {"talk": "", "activist": "", "target": "", "admitted": "2023-06-01"},
            "the steps before it are missing",
        ),
        ({"activist": "", "target": ""}, None),
        ({"org": "T-A"}, "not a basic organization"),
        ({"org": "B-B9"}, "among those you manage"),
        ({"birth": "1990-01-01"}, "does not match the ID number"),
        ({"admitted": "2099-01-01"}, "future"),
    ],
)
def test_bad_rows_are_named(tmp_path, orgs, values, message):
    rows = [row(1), row(2, **values)]
    if message is None:  # a good row: the control case
        import_file(tmp_path, rows)
        return
    err = import_errors(tmp_path, rows)
    assert "Row 3:" in err and message in err
    assert not Candidate.objects.exists()


def test_a_roster_member_without_admission_date_is_refused(tmp_path, orgs):
    MemberFactory(organization=orgs[0], id_number=idn(6), birth_date=dt.date(1995, 5, 17))
    err = import_errors(tmp_path, [row(6)])
    assert "Row 2:" in err and "already on the roster" in err


def test_repeated_id_number_names_the_first_row(tmp_path, orgs):
    err = import_errors(tmp_path, [row(1), row(1)])
    assert "Row 3:" in err and "first in row 2" in err


def test_headers_are_the_contract(tmp_path, orgs):
    content = csv_bytes([HEADER[:-1], row(1)[:-1]])
    with pytest.raises(CommandError):
        call_command(
            "import_recruitment",
            write(tmp_path, "h.csv", content),
            stderr=io.StringIO(),
            stdout=io.StringIO(),
        )
    assert not Candidate.objects.exists()
