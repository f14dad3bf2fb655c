"""import_members: the optional 离开日期 / 离开原因 columns (the reasons in Chinese), and the one-year check on
转正日期 that historical data keeps."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from members.models import Member
from tests.factories import MemberFactory
from tests.members.test_import_members import ENGLISH, HEADER, idn, import_errors, import_file, row
from tests.spreadsheets.files import csv_bytes, write

pytestmark = pytest.mark.django_db

HEADER_OUT = [*HEADER, "离开日期", "离开原因"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(branch_a1, branch_a2, branch_b1):
    return branch_a1, branch_a2, branch_b1


def row_out(n: int, departed_on: str = "", reason: str = "", **kw) -> list:
    return [*row(n, **kw), departed_on, reason]


def test_departures_import_with_chinese_reasons(tmp_path, orgs):
    import_file(
        tmp_path,
        [
            row_out(1, "2024-03-01", "转出"),
            row_out(2, "2024-03-02", "开除党籍"),
            row_out(3, "2024-03-03", "自行脱党"),
            row_out(4),
        ],
        header=HEADER_OUT,
    )
    got = dict(Member.objects.values_list("id_number", "departure_reason"))
    assert got == {idn(1): "transferred_out", idn(2): "expelled", idn(3): "lapsed", idn(4): ""}
    assert Member.objects.get(id_number=idn(1)).departed_on == dt.date(2024, 3, 1)


def test_an_existing_member_departs_by_import_and_a_blank_cell_keeps_it(tmp_path, orgs):
    import_file(tmp_path, [row_out(1)], header=HEADER_OUT)
    import_file(tmp_path, [row_out(1, "2024-03-01", "退党")], header=HEADER_OUT)
    member = Member.objects.get()
    assert (member.departed_on, member.departure_reason) == (dt.date(2024, 3, 1), "left")
    import_file(tmp_path, [row_out(1)], header=HEADER_OUT)
    member.refresh_from_db()
    assert member.departure_reason == "left"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (("1990-01-01", "退党"), "The departure date cannot be before the admission date."),
        (("2024-03-01", ""), "离开日期 (departed_on) and 离开原因 (departure_reason) go together."),
        (("", "除名"), "离开日期 (departed_on) and 离开原因 (departure_reason) go together."),
        (("2024-03-01", "走了"), "离开原因: “走了” is not one of"),
        (("2024-03-01", "取消预备党员资格"), "Only a probationary member's probationary membership"),
        (("2999-01-01", "退党"), "离开日期 is in the future."),
    ],
)
def test_bad_departures_write_nothing(tmp_path, orgs, cells, message):
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_members",
            write(tmp_path, "bad.csv", csv_bytes([HEADER_OUT, row_out(1), row_out(2, *cells)])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert f"Row 3: {message}" in err.getvalue()
    assert not Member.objects.exists()


def test_full_membership_date_earlier_than_a_year_after_admission_is_refused(tmp_path, orgs):
    err = import_errors(tmp_path, [row(1), row(2, admitted_on="1995-07-01", full_member_on="1996-06-30")])
    assert (
        "Row 3: The full-membership date cannot be earlier than the end of the probation year (1996-07-01)."
        in err
    )
    assert not Member.objects.exists()


def test_full_membership_respects_an_extension_on_update(tmp_path, orgs, branch_a1):
    MemberFactory(
        organization=branch_a1,
        id_number=idn(1),
        admitted_on=dt.date(1995, 7, 1),
        full_member_on=None,
        probation_ends_on=dt.date(1997, 1, 1),
    )
    err = import_errors(tmp_path, [row(1, full_member_on="1996-07-01")])
    assert (
        "The full-membership date cannot be earlier than the end of the probation year (1997-01-01)." in err
    )
    import_file(tmp_path, [row(1, full_member_on="1997-01-01")])
    assert Member.objects.get().full_member_on == dt.date(1997, 1, 1)


def test_a_departed_member_cannot_be_transferred_by_import(tmp_path, orgs, branch_a1):
    MemberFactory(
        organization=branch_a1, id_number=idn(1), departed_on=dt.date(2024, 1, 1), departure_reason="left"
    )
    err = import_errors(tmp_path, [row(1, org_code="B-A2")])
    assert "A departed member cannot be transferred." in err


assert ENGLISH[-1] == "died_on"  # the new columns come after it, in export order
