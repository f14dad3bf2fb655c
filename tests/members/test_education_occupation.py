"""学历 and 职业 on the roster (issue 10, item 2): the import's optional columns, the export, the member form."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from members.idnumbers import make_id_number
from members.models import Member
from tests.conftest import login
from tests.factories import MemberFactory
from tests.spreadsheets.files import csv_bytes, run, write, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "公民身份号码", "所在党组织编码", "入党日期", "学历", "职业"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def idn(n: int) -> str:
    return make_id_number("140502", dt.date(1970, 5, 17), n, male=True)


def row(n: int, education: str = "", occupation: str = "") -> list:
    return [f"党员{n}", idn(n), "B-A1", "1995-07-01", education, occupation]


def import_rows(tmp_path, rows, *, header=HEADER, name="m.csv"):
    content = xlsx_bytes([header, *rows]) if name.endswith(".xlsx") else csv_bytes([header, *rows])
    return run("import_members", write(tmp_path, name, content))


def import_errors(tmp_path, rows) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_members",
            write(tmp_path, "bad.csv", csv_bytes([HEADER, *rows])),
            stderr=err,
            stdout=io.StringIO(),
        )
    return err.getvalue()


def stored(n: int) -> tuple[str, str]:
    member = Member.objects.get(id_number=idn(n))
    return member.education_level, member.occupation


def test_import_reads_the_words_of_the_statistics(tmp_path, branch_a1):
    words = [
        ("研究生", "工人"),
        ("大学本科", "农牧渔民"),
        ("大学专科", "专业技术人员"),
        ("高中", "管理人员"),
        ("中专", "党政机关工作人员"),
        ("中技", "学生"),
        ("初中及以下", "离退休人员"),
        ("", "其他"),
        ("undergraduate", "civil_servant"),  # the codes are accepted too
    ]
    import_rows(tmp_path, [row(i, e, o) for i, (e, o) in enumerate(words, start=1)])
    assert [stored(i) for i in range(1, len(words) + 1)] == [
        ("postgraduate", "worker"),
        ("undergraduate", "farmer"),
        ("college", "professional"),
        ("secondary", "manager"),
        ("secondary", "civil_servant"),
        ("secondary", "student"),
        ("junior_or_below", "retired"),
        ("", "other"),
        ("undergraduate", "civil_servant"),
    ]


def test_columns_are_optional_and_blank_is_unknown(tmp_path, branch_a1):
    import_rows(tmp_path, [row(1)[:4]], header=HEADER[:4])
    import_rows(tmp_path, [row(2)])
    assert stored(1) == ("", "") and stored(2) == ("", "")


def test_blank_keeps_what_is_recorded_like_every_other_column(tmp_path, branch_a1):
    import_rows(tmp_path, [row(1, "大学本科", "工人")])
    import_rows(tmp_path, [row(1)])
    assert stored(1) == ("undergraduate", "worker")
    import_rows(tmp_path, [row(1, "研究生", "")])
    assert stored(1) == ("postgraduate", "worker")
    change = Member.objects.get().history.latest()
    assert {c.field for c in change.diff_against(change.prev_record).changes} == {"education_level"}


@pytest.mark.parametrize(
    ("education", "occupation", "message"),
    [
        ("小学", "", "学历: “小学” is not one of 研究生/大学本科/大学专科/高中/初中及以下/中专/中技"),
        (
            "",
            "农民",
            "职业: “农民” is not one of 工人/农牧渔民/专业技术人员/管理人员/党政机关工作人员/学生/离退休人员/其他",
        ),
    ],
)
def test_unknown_word_is_a_row_error_and_nothing_is_saved(
    tmp_path, branch_a1, education, occupation, message
):
    err = import_errors(tmp_path, [row(1, "研究生", "工人"), row(2, education, occupation), row(3)])
    assert f"Row 3: {message}" in err
    assert not Member.objects.exists()


def test_xlsx_with_english_headers(tmp_path, branch_a1):
    header = ["name", "id_number", "org_code", "admitted_on", "education_level", "occupation"]
    import_rows(tmp_path, [row(1, "大学专科", "学生")], header=header, name="m.xlsx")
    assert stored(1) == ("college", "student")


def test_export_writes_the_words_at_the_end(branch_a1):
    MemberFactory(
        organization=branch_a1,
        name="甲",
        education_level=Member.Education.SECONDARY,
        occupation=Member.Occupation.CIVIL_SERVANT,
    )
    MemberFactory(organization=branch_a1, name="乙")
    out = io.StringIO()
    call_command("export_members", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("姓名,性别,民族,出生日期,公民身份号码,所在党组织编码,党小组,入党日期,转正日期")
    assert lines[0].endswith(",去世日期,离开日期,离开原因,学历,职业")
    rows = {r["姓名"]: r for r in csv.DictReader(io.StringIO("\n".join(lines)))}
    assert (rows["甲"]["学历"], rows["甲"]["职业"]) == ("高中", "党政机关工作人员")
    assert (rows["乙"]["学历"], rows["乙"]["职业"]) == ("", "")


def test_member_form_edits_both(client, alice, member_a1):
    login(client, alice)
    url = reverse("members:edit", args=[member_a1.pk])
    page = client.get(url)
    assert 'name="education_level"' in page.content.decode() and 'name="occupation"' in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if not form.fields[name].disabled}
    data.update(education_level="undergraduate", occupation="manager")
    for name, value in list(data.items()):
        if isinstance(value, bool):
            data[name] = "on" if value else ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
    response = client.post(url, {k: v for k, v in data.items() if v not in ("", None)})
    assert response.status_code == 302, response.context["form"].errors
    member_a1.refresh_from_db()
    assert (member_a1.education_level, member_a1.occupation) == ("undergraduate", "manager")
    detail = client.get(reverse("members:detail", args=[member_a1.pk])).content.decode()
    assert "大学本科" in detail and "管理人员" in detail  # the page speaks the user's language
