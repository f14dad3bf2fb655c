"""import_meetings with 缺席人员 / 请假人员, and export_attendance (exact rows, stable over roster changes)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from education.models import Attendance, Meeting
from members.models import SensitiveAccess
from members.services import member_record_death, member_transfer
from tests.conftest import login
from tests.factories import make_party_group
from users.services import system_user

from .conftest import member

pytestmark = pytest.mark.django_db
HEADERS = ["组织编码", "会议类型", "党小组", "日期", "主题", "应到人数", "实到人数", "缺席人员", "请假人员"]


def xlsx(tmp_path, rows, headers=HEADERS, name="ledger.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return str(path)


def export(org_code="B-A1", year=2025, *extra):
    out = io.StringIO()
    call_command("export_attendance", "--org", org_code, "--year", str(year), *extra, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.fixture
def roster(branch_a1):
    group = make_party_group(branch_a1, "东组")
    people = {
        "张三": member(branch_a1, name="张三", admitted_on=dt.date(2010, 1, 1), party_group=group),
        "李四": member(branch_a1, name="李四", admitted_on=dt.date(2010, 1, 1), party_group=group),
        "王五": member(branch_a1, name="王五", admitted_on=dt.date(2010, 1, 1)),
        "赵六": member(branch_a1, name="赵六", admitted_on=dt.date(2025, 3, 10), probationary=True),
    }
    return group, people


def test_import_with_people_records_attendance_and_export_gives_exact_rows(
    tmp_path, branch_a1, branch_a2, roster
):
    group, p = roster
    path = xlsx(
        tmp_path,
        [
            ["B-A1", "主题党日", None, dt.date(2025, 3, 5), "学习党章", None, None, "王五", "李四"],
            ["B-A1", "支部党员大会;党课", None, "2025-04-02", "党课", 4, 3, p["张三"].id_number, None],
            ["B-A1", "党小组会", "东组", "2025-04-10", "小组学习", None, 2, None, None],
        ],
    )
    call_command("import_meetings", path, stdout=io.StringIO())
    first = Meeting.objects.get(topic="学习党章")
    assert (first.expected_count, first.attended_count) == (None, None)
    assert dict(first.attendances.values_list("member__name", "status")) == {
        "张三": "present",
        "李四": "excused",
        "王五": "absent",
    }
    expected = [
        ["date", "kinds", "party_group", "id_number", "name", "status"],
        ["2025-03-05", "themed_day", "", p["张三"].id_number, "张三", "present"],
        ["2025-03-05", "themed_day", "", p["李四"].id_number, "李四", "leave"],
        ["2025-03-05", "themed_day", "", p["王五"].id_number, "王五", "absent"],
        ["2025-04-02", "general_meeting;party_lecture", "", p["张三"].id_number, "张三", "absent"],
        ["2025-04-02", "general_meeting;party_lecture", "", p["李四"].id_number, "李四", "present"],
        ["2025-04-02", "general_meeting;party_lecture", "", p["王五"].id_number, "王五", "present"],
        ["2025-04-02", "general_meeting;party_lecture", "", p["赵六"].id_number, "赵六", "present"],
        ["2025-04-10", "group_meeting", "东组", p["张三"].id_number, "张三", "present"],
        ["2025-04-10", "group_meeting", "东组", p["李四"].id_number, "李四", "present"],
    ]
    rows = export()
    assert rows == expected  # names in code-point order (张 < 李 < 王 < 赵), as the database sorts them

    # a later transfer, a new member and a death change nothing in the exported record
    member_transfer(member=p["王五"], to_organization=branch_a2, on=dt.date(2025, 6, 1), by=system_user())
    member(branch_a1, name="新人", admitted_on=dt.date(2024, 1, 1))
    member_record_death(member=p["张三"], died_on=dt.date(2025, 7, 1), by=system_user())
    assert export() == rows
    # the subtree of the township holds it too; the other branch has none
    assert export("T-A")[1:] == rows[1:]
    assert export("B-A2") == [expected[0]]


def test_export_xlsx_and_unknown_org(tmp_path, branch_a1, roster):
    path = xlsx(tmp_path, [["B-A1", "主题党日", None, "2025-03-05", "学习", None, None, "王五", None]])
    call_command("import_meetings", path, stdout=io.StringIO())
    out = tmp_path / "a.xlsx"
    call_command(
        "export_attendance",
        "--org",
        "B-A1",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--output",
        str(out),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["date", "kinds", "party_group", "id_number", "name", "status"]
    assert len(values) == 4
    with pytest.raises(CommandError):
        export("NOPE")


def test_import_people_errors_write_nothing(tmp_path, branch_a1, roster):
    group, p = roster
    member(branch_a1, name="王五", admitted_on=dt.date(2012, 1, 1))  # a second 王五
    path = xlsx(
        tmp_path,
        [
            ["B-A1", "主题党日", None, "2025-03-05", "好行", None, None, "李四", None],
            ["B-A1", "主题党日", None, "2025-03-06", "重名", None, None, "王五", None],
            ["B-A1", "主题党日", None, "2025-03-07", "还不是党员", None, None, "赵六", None],
            ["B-A1", "主题党日", None, "2025-03-08", "查无此人", None, None, "无名氏", None],
            ["B-A1", "主题党日", None, "2025-03-09", "人数不符", 9, None, None, None],
            ["B-A1", "主题党日", None, "2025-03-11", "实到不符", None, 5, "李四", None],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_meetings", path, stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    for row in (3, 4, 5, 6, 7):
        assert f"{row}" in text
    assert "王五" in text and "赵六" in text and "无名氏" in text
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    # with the ID number the ambiguous name is resolved
    path = xlsx(
        tmp_path,
        [["B-A1", "主题党日", None, "2025-03-06", "重名", None, None, p["王五"].id_number, None]],
        name="ok.xlsx",
    )
    call_command("import_meetings", path, stdout=io.StringIO())
    m = Meeting.objects.get()
    assert m.attendances.get(status="absent").member == p["王五"]


def test_ledger_download_is_scoped_and_recorded(client, alice, charlie, bob, tmp_path, branch_a1, roster):
    path = xlsx(tmp_path, [["B-A1", "主题党日", None, "2025-03-05", "学习", None, None, "王五", "李四"]])
    call_command("import_meetings", path, stdout=io.StringIO())
    url = reverse("education:ledger_attendance", args=[branch_a1.pk, 2025])
    login(client, charlie)
    assert client.get(url).status_code == 404
    login(client, alice)
    r = client.get(url)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows == export()
    assert SensitiveAccess.objects.filter(user=alice, field="export").exists()
    r = client.get(url + "?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    ledger = client.get(reverse("education:ledger", args=[branch_a1.pk, 2025])).content.decode()
    assert url in ledger
