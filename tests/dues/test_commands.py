"""import_dues, import_dues_payments (all-or-nothing, row-numbered errors, registered for /imports/) and
report_dues (its columns exactly)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from common.spreadsheets.registry import get_importer
from dues import services
from dues.models import DuesRecord, Payment
from dues.selectors import member_dues
from members.models import SensitiveAccess, Transfer
from tests.factories import MemberFactory
from users.services import system_user

pytestmark = pytest.mark.django_db
M = dt.date


def _file(tmp_path, text, name="dues.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _error_rows(text: str) -> set[int]:
    """The row numbers of the errors, in either language ("Row 3:" / "第 3 行")."""
    return {int(n) for n in re.findall(r"(?:Row |第 )(\d+)", text)}


def _run(command, path):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def people(branch_a1, branch_b1):
    return (
        MemberFactory(organization=branch_a1, name="甲", admitted_on=M(2000, 1, 1)),
        MemberFactory(organization=branch_a1, name="乙", admitted_on=M(2000, 1, 1)),
        MemberFactory(organization=branch_b1, name="丙", admitted_on=M(2000, 1, 1)),
    )


def test_both_imports_are_registered():
    assert get_importer("dues").headers() == [
        "公民身份号码",
        "党费类别",
        "月工资基数",
        "月缴纳额",
        "起始月份",
    ]
    assert get_importer("dues_payments").headers() == [
        "公民身份号码",
        "缴纳日期",
        "起始月份",
        "结束月份",
        "金额",
    ]


def test_import_dues_creates_history_rows_and_is_idempotent(tmp_path, people):
    a, b, c = people
    text = (
        "公民身份号码,党费类别,月工资基数,月缴纳额,起始月份\n"
        f"{a.id_number},在职,4000,,2025-01\n"
        f"{a.id_number},在职,6000.00,90.00,2026-01\n"
        f"{b.id_number},农民,,0.50,2026-01\n"
        f"{c.id_number},离退休,2999,,2026-03\n"
    )
    path = _file(tmp_path, text)
    out, _err = _run("import_dues", path)
    assert "4" in out
    assert DuesRecord.objects.count() == 4
    assert member_dues(member=c).due(M(2026, 3, 1)) == D("15.00")
    assert member_dues(member=a).due(M(2025, 6, 1)) == D("40.00")
    _run("import_dues", path)
    assert DuesRecord.objects.count() == 4


def test_import_dues_bad_rows_save_nothing_and_name_their_rows(tmp_path, people):
    a, b, c = people
    text = (
        "公民身份号码,党费类别,月工资基数,月缴纳额,起始月份\n"
        f"{a.id_number},在职,4000,,2026-01\n"  # fine
        f"{b.id_number},农民,,1.50,2026-01\n"  # row 3: farmer above 1.00
        f"{c.id_number},在职,-5,,2026-01\n"  # row 4: negative base
        f"{c.id_number},教师,,,2026-02\n"  # row 5: unknown category
        "110101199003070000,学生,,,2026-01\n"  # row 6: unknown ID number
        f"{a.id_number},在职,99999999,,2026-02\n"  # row 7: absurd base
        f"{b.id_number},学生,,,2026-13\n"  # row 8: no such month
    )
    with pytest.raises(CommandError):
        _run("import_dues", _file(tmp_path, text))
    assert not DuesRecord.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dues", _file(tmp_path, text), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue()
    assert _error_rows(lines) == {3, 4, 5, 6, 7, 8}, lines
    assert "0.20" in lines and "1.00" in lines  # the farmer's range is named


def test_import_payments_checks_months_and_amounts(tmp_path, people):
    a, b, _c = people
    by = system_user()
    services.dues_record_set(member=a, category="employed", base=D("4000"), starts_month=M(2026, 1, 1), by=by)
    services.dues_record_set(member=b, category="student", starts_month=M(2026, 1, 1), by=by)
    bad = (
        "公民身份号码,缴纳日期,起始月份,结束月份,金额\n"
        f"{a.id_number},2026-02-01,2025-12,2026-01,80.00\n"  # row 2: before the dues start
        f"{a.id_number},2026-02-01,2026-01,2026-03,119.99\n"  # row 3: below 120.00
        f"{b.id_number},2026-02-01,2026-01,2026-01,0.20\n"  # fine
        f"{b.id_number},2026-02-01,2026-01,2026-02,0.40\n"  # row 5: 2026-01 in row 4 already
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dues_payments", _file(tmp_path, bad), stdout=io.StringIO(), stderr=err)
    assert not Payment.objects.exists()
    text = err.getvalue()
    assert _error_rows(text) == {2, 3, 5}, text
    assert "120.00" in text

    good = (
        "公民身份号码,缴纳日期,起始月份,结束月份,金额\n"
        f"{a.id_number},2026-02-01,2026-01,2026-03,150.00\n"
        f"{b.id_number},2026-02-01,2026-01,2026-01,0.20\n"
        f"{b.id_number},2026-03-01,2026-02,2026-02,0.20\n"
    )
    path = _file(tmp_path, good, "payments.csv")
    _run("import_dues_payments", path)
    payment = Payment.objects.get(member=a)
    assert (payment.due, payment.extra) == (D("120.00"), D("30.00"))
    assert member_dues(member=b).paid_through(M(2026, 2, 1)) == M(2026, 2, 1)
    _run("import_dues_payments", path)  # the same file again changes nothing
    assert Payment.objects.count() == 3


def _report(**kw):
    out = io.StringIO()
    call_command("report_dues", stdout=out, stderr=io.StringIO(), **kw)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_report_dues_columns_and_values(people, township_a):
    a, b, c = people
    by = system_user()
    services.dues_record_set(
        member=a, category="employed", base=D("3000.01"), starts_month=M(2026, 1, 1), by=by
    )
    services.dues_record_set(
        member=b, category="farmer", fixed_amount=D("0.5"), starts_month=M(2026, 2, 1), by=by
    )
    services.dues_record_set(member=c, category="retired", base=D("2999"), starts_month=M(2026, 7, 1), by=by)
    services.payment_record(
        member=a,
        paid_on=M(2026, 2, 1),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 2, 1),
        amount=D("60"),
        by=by,
        today=M(2026, 6, 1),
    )
    services.payment_record(
        member=a,
        paid_on=M(2026, 4, 1),
        first_month=M(2026, 4, 1),
        last_month=M(2026, 4, 1),
        amount=D("30"),
        by=by,
        today=M(2026, 6, 1),
    )
    rows = _report(month="2026-05")
    assert rows[0] == [
        "id_number",
        "name",
        "org_code",
        "category",
        "base",
        "amount",
        "paid_through",
        "months_unpaid",
    ]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"甲", "乙"}  # 丙's dues start in July
    assert by_name["甲"] == [a.id_number, "甲", "B-A1", "在职", "3000.01", "30.00", "2026-02", "2"]
    assert by_name["乙"] == [b.id_number, "乙", "B-A1", "农民", "", "0.50", "", "4"]
    assert len(_report(month="2026-07")) == 4
    assert [r[1] for r in _report(month="2026-07", org="B-B1")[1:]] == ["丙"]
    assert SensitiveAccess.objects.filter(field="export").exists()


def test_report_dues_counts_a_member_where_they_were_that_month(people, branch_b1):
    a, _b, _c = people
    by = system_user()
    services.dues_record_set(member=a, category="student", starts_month=M(2026, 1, 1), by=by)
    Transfer.objects.create(
        member=a, from_organization=a.organization, to_organization=branch_b1, transferred_on=M(2026, 6, 10)
    )
    a.organization = branch_b1
    a.save()
    assert [r[2] for r in _report(month="2026-05")[1:]] == ["B-A1"]
    assert [r[1] for r in _report(month="2026-05", org="B-A1")[1:]] == ["甲"]


def test_report_dues_refuses_a_bad_month_or_org(people):
    with pytest.raises(CommandError):
        _report(month="2026-13")
    with pytest.raises(CommandError):
        _report(month="2026-05", org="NOPE")
    with pytest.raises(CommandError):
        _report(month="2026-05", format="xlsx")


def test_report_dues_xlsx(tmp_path, people):
    services.dues_record_set(
        member=people[0], category="student", starts_month=M(2026, 1, 1), by=system_user()
    )
    out = tmp_path / "r.xlsx"
    call_command(
        "report_dues",
        month="2026-05",
        format="xlsx",
        output=str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == [
        "id_number",
        "name",
        "org_code",
        "category",
        "base",
        "amount",
        "paid_through",
        "months_unpaid",
    ]
    assert sheet.max_row == 2


@pytest.mark.parametrize(
    ("cell", "ok"),
    [
        ("12.5", True),
        ("1,200.00", True),
        ("100.000", True),
        ("0.125", False),
        ("NaN", False),
        ("1e12", False),
        ("abc", False),
    ],
)
def test_money_cells(cell, ok):
    from common.spreadsheets.importing import CellError
    from dues.importers import parse_money

    if ok:
        assert parse_money(cell) == D(cell.replace(",", "")).quantize(D("0.01"))
    else:
        with pytest.raises(CellError):
            parse_money(cell)
