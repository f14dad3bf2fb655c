"""import_meetings (all-or-nothing with row numbers) and report_compliance (exact rows)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from common.spreadsheets.registry import get_importer
from education.models import Meeting
from tests.factories import make_party_group

from .conftest import full_members, held

pytestmark = pytest.mark.django_db
HEADERS = ["组织编码", "会议类型", "党小组", "日期", "主题", "应到人数", "实到人数"]


def xlsx(tmp_path, rows, name="ledger.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return str(path)


def test_meetings_importer_is_registered():
    assert get_importer("meetings") is not None


def test_import_writes_every_row(tmp_path, branch_a1):
    make_party_group(branch_a1, "东组")
    path = xlsx(
        tmp_path,
        [
            ["B-A1", "支部党员大会;主题党日", None, dt.date(2025, 3, 5), "学习党章", 20, 18],
            ["B-A1", "group_meeting", "东组", "2025-03-06", "小组学习", 8, 8],
        ],
    )
    out = io.StringIO()
    call_command("import_meetings", path, stdout=out)
    assert Meeting.objects.filter(status="held", source="imported").count() == 2
    m = Meeting.objects.get(topic="学习党章")
    assert sorted(m.kinds.values_list("code", flat=True)) == ["general_meeting", "themed_day"]
    assert (m.expected_count, m.attended_count) == (20, 18)


def test_a_bad_row_writes_nothing_and_names_the_row(tmp_path, branch_a1):
    path = xlsx(
        tmp_path,
        [
            ["B-A1", "主题党日", None, "2025-03-05", "好的一行", 20, 18],
            ["B-A1", "党小组会", None, "2025-03-06", "缺小组", 8, 8],
            ["NOPE", "茶话会", None, "2025-13-01", "坏行", 5, 9],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_meetings", path, stderr=err)
    text = err.getvalue()
    # rows 3 and 4 (the header is row 1), each error on its own line
    assert [line.split("：")[0] for line in text.splitlines()] == ["第 3 行"] + ["第 4 行"] * 4
    assert "NOPE" in text and "茶话会" in text
    assert not Meeting.objects.exists()


def test_duplicate_rows_are_refused(tmp_path, branch_a1):
    row = ["B-A1", "主题党日", None, "2025-03-05", "同一次会议", 20, 18]
    with pytest.raises(CommandError):
        call_command("import_meetings", xlsx(tmp_path, [row, row]), stderr=io.StringIO())
    assert not Meeting.objects.exists()


def report(*args):
    out = io.StringIO()
    call_command("report_compliance", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_report_exact_rows(township_a, branch_a1, branch_a2, branch_b1):
    full_members(branch_a1, 7)  # has a committee
    full_members(branch_a2, 6)  # has none
    g1 = make_party_group(branch_a2, "一组")
    make_party_group(branch_a2, "二组")
    held(branch_a1, dt.date(2025, 3, 31), "general_meeting", "themed_day")
    held(branch_a1, dt.date(2025, 4, 1), "committee_meeting")
    held(branch_a2, dt.date(2025, 1, 1), "group_meeting", group=g1)
    rows = report("--year", "2025", "--org", "T-A", "--as-of", "2026-01-10")
    assert rows[0] == ["org_code", "kind", "party_group", "period", "required", "held", "status"]
    body = rows[1:]
    assert not [r for r in body if r[0] not in ("B-A1", "B-A2")]
    a1 = [r for r in body if r[0] == "B-A1"]
    a2 = [r for r in body if r[0] == "B-A2"]
    assert ["B-A1", "general_meeting", "", "2025-Q1", "1", "1", "ok"] in a1
    assert ["B-A1", "general_meeting", "", "2025-Q2", "1", "0", "missing"] in a1
    assert ["B-A1", "themed_day", "", "2025-03", "1", "1", "ok"] in a1
    assert ["B-A1", "committee_meeting", "", "2025-03", "1", "0", "missing"] in a1
    assert ["B-A1", "committee_meeting", "", "2025-04", "1", "1", "ok"] in a1
    assert ["B-A1", "life_meeting", "", "2025", "1", "0", "missing"] in a1
    assert len(a1) == 12 + 12 + 4 + 4 + 1 + 1  # themed, committee, general, lecture, life, review
    assert not [r for r in a2 if r[1] == "committee_meeting"]
    assert ["B-A2", "group_meeting", "一组", "2025-01", "1", "1", "ok"] in a2
    assert ["B-A2", "group_meeting", "二组", "2025-01", "1", "0", "missing"] in a2
    assert len([r for r in a2 if r[1] == "group_meeting"]) == 24
    assert len(a2) == 12 + 24 + 4 + 4 + 1 + 1


def test_report_xlsx_and_unknown_org(tmp_path, branch_a1):
    path = tmp_path / "r.xlsx"
    call_command(
        "report_compliance", "--year", "2025", "--format", "xlsx", "--output", str(path), stderr=io.StringIO()
    )
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("org_code", "kind", "party_group", "period", "required", "held", "status")
    assert len(rows) == 1 + 22
    with pytest.raises(CommandError):
        call_command("report_compliance", "--year", "2025", "--org", "NOPE")


def test_browser_upload_preview_confirm_scoped(client, alice, branch_a1, branch_b1, tmp_path):
    from django.urls import reverse

    from tests.conftest import login

    login(client, alice)
    bad = xlsx(
        tmp_path,
        [
            ["B-A1", "主题党日", None, "2025-03-05", "本支部", 10, 9],
            ["B-B1", "主题党日", None, "2025-03-05", "别的支部", 10, 9],
        ],
        "bad.xlsx",
    )
    with open(bad, "rb") as fh:
        r = client.post(reverse("spreadsheets:upload", args=["meetings"]), {"file": fh})
    preview = client.get(r.url)
    assert "B-B1" in preview.content.decode()  # row 3: no such organization for alice
    client.post(reverse("spreadsheets:confirm", args=[int(r.url.rstrip("/").split("/")[-1])]))
    assert not Meeting.objects.exists()
    good = xlsx(tmp_path, [["B-A1", "主题党日", None, "2025-03-05", "本支部", 10, 9]], "good.xlsx")
    with open(good, "rb") as fh:
        r = client.post(reverse("spreadsheets:upload", args=["meetings"]), {"file": fh})
    pk = int(r.url.rstrip("/").split("/")[-1])
    assert client.get(r.url).status_code == 200
    client.post(reverse("spreadsheets:confirm", args=[pk]))
    assert Meeting.objects.get().topic == "本支部"


def test_outsider_cannot_import_into_another_branch(client, charlie, branch_a1, tmp_path):
    from branches.selectors import scope_for
    from common.spreadsheets.importing import run_import

    importer = get_importer("meetings")(user=charlie, scope=scope_for(charlie))
    path = xlsx(tmp_path, [["B-A1", "主题党日", None, "2025-03-05", "越权", 10, 9]])
    with open(path, "rb") as fh:
        report = run_import(importer, fh, name="x.xlsx", commit=True)
    assert not report.applied and report.errors[0].row == 2
    assert not Meeting.objects.exists()


def test_a_blank_required_cell_is_a_row_error_not_a_crash(tmp_path, branch_a1):
    """Found by the fuzzer: a row without 日期 or 组织编码 passed validation and failed on insert."""
    path = xlsx(
        tmp_path,
        [
            ["B-A1", "主题党日", None, "2025-03-05", "好的一行", 20, 18],
            ["B-A1", "主题党日", None, None, "没有日期", 20, 18],
            [None, "主题党日", None, "2025-03-07", "没有组织", 20, 18],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_meetings", path, stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split("：")[0] for line in lines] == ["第 3 行", "第 4 行"]
    assert "日期" in lines[0] and "组织编码" in lines[1]
    assert not Meeting.objects.exists()
