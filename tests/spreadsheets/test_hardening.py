"""Issue 13: formula injection in exports (5), uploaded rosters served to anyone (4), import denial of service
(11) and a CSV field over 131,072 characters (13)."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse
from openpyxl import load_workbook

from common.spreadsheets.importing import Column, Importer, RowError, run_import
from common.spreadsheets.tables import TableError, read_table, write_csv, write_xlsx
from members.models import Member
from spreadsheets import services
from spreadsheets.models import ImportUpload
from tests.conftest import login
from tests.members.test_import_members import HEADER, row
from tests.spreadsheets.files import csv_bytes, xlsx_bytes
from tests.spreadsheets.test_views import upload


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "@SUM(1)", "+1+1", "-2+3", "\t=1", "plain", "'quoted"]


def test_csv_export_neutralizes_every_formula_and_import_takes_the_guard_off():
    data = write_csv(["name"], [[v] for v in FORMULAS])
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    assert [line[0] for line in lines] == [
        '\'=HYPERLINK("http://x","y")',
        "'=1+1",
        "'@SUM(1)",
        "'+1+1",
        "'-2+3",
        "'\t=1",
        "plain",
        "'quoted",
    ]
    table = read_table(io.BytesIO(data), "x.csv")
    assert [cells[0] for _n, cells in table.rows] == [v.strip() for v in FORMULAS]


def test_csv_export_keeps_numbers_and_dates_as_they_are():
    data = write_csv(["a", "b", "c"], [[-5, dt.date(2020, 1, 2), None]]).decode("utf-8-sig")
    assert data.splitlines()[1] == "-5,2020-01-02,"


def test_xlsx_export_writes_text_cells_never_formulas():
    data = write_xlsx(["name"], [[v] for v in FORMULAS])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    cells = [c for c in load_workbook(io.BytesIO(data)).active["A"]][1:]
    assert [(c.value, c.data_type) for c in cells] == [(v, "s") for v in FORMULAS]


@pytest.mark.django_db
def test_export_members_round_trips_a_name_that_looks_like_a_formula(tmp_path, member_a1):
    Member.objects.filter(pk=member_a1.pk).update(name="=1+1")
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"m.{fmt}"
        call_command("export_members", "--format", fmt, "--output", str(out), stdout=io.StringIO())
        if fmt == "csv":
            assert "'=1+1" in out.read_text(encoding="utf-8-sig")
        else:
            names = [c for c in load_workbook(out).active["A"]]
            assert {(c.value, c.data_type) for c in names if c.value == "=1+1"} == {("=1+1", "s")}
        table = read_table(out.open("rb"), out.name)
        assert [cells[0] for _n, cells in table.rows] == ["=1+1"]


@pytest.mark.django_db
def test_report_exports_write_formula_names_as_text(tmp_path, member_a1):
    from accountability.exports import csv_text, xlsx_bytes

    assert csv_text(["a"], [["=cmd"]]).splitlines()[1] == "'=cmd"
    cell = load_workbook(io.BytesIO(xlsx_bytes(["a"], [["=cmd"]]))).active["A2"]
    assert (cell.value, cell.data_type) == ("=cmd", "s")


# -- reading is bounded ----------------------------------------------------------------------------------


def test_a_csv_cell_over_the_csv_modules_limit_is_a_message_not_a_crash(settings):
    settings.IMPORT_MAX_CELL_CHARS = 200_000
    data = b"name\n" + b"x" * 140_000 + b"\n"
    table = read_table(
        io.BytesIO(data), "big.csv"
    )  # Python's csv would raise "field larger than field limit"
    assert len(table.rows[0][1][0]) == 140_000
    settings.IMPORT_MAX_CELL_CHARS = 10_000
    with pytest.raises(TableError, match="10000"):
        read_table(io.BytesIO(data), "big.csv")


def test_too_many_rows_is_refused_as_soon_as_the_limit_is_passed(settings):
    settings.IMPORT_MAX_ROWS = 5
    assert len(read_table(io.BytesIO(csv_bytes([["a"]] + [[str(i)] for i in range(5)])), "a.csv").rows) == 5
    with pytest.raises(TableError, match="more than 5 rows"):
        read_table(io.BytesIO(csv_bytes([["a"]] + [[str(i)] for i in range(6)])), "a.csv")
    with pytest.raises(TableError, match="more than 5 rows"):
        read_table(io.BytesIO(xlsx_bytes([["a"]] + [[str(i)] for i in range(50)])), "a.xlsx")


def test_too_many_columns_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    with pytest.raises(TableError, match="more than 3 columns"):
        read_table(io.BytesIO(xlsx_bytes([["a", "b", "c", "d"], ["1", "2", "3", "4"]])), "a.xlsx")
    # trailing blank cells do not count
    read_table(io.BytesIO(csv_bytes([["a", "b", "c", "", ""], ["1", "2", "3", "", ""]])), "a.csv")


def test_an_xlsx_that_unpacks_too_large_is_refused_before_parsing(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000
    data = xlsx_bytes([["a"]] + [["x" * 100] for _ in range(300)])
    with pytest.raises(TableError, match="too large once unpacked"):
        read_table(io.BytesIO(data), "a.xlsx")


def test_nul_in_a_csv_is_a_message():
    with pytest.raises(TableError, match="NUL"):
        read_table(io.BytesIO(b"name\nab\x00c\n"), "a.csv")


class _AlwaysWrong(Importer):
    kind = "always_wrong"
    columns = (Column("name", "姓名", required=True),)

    def validate(self, rows):
        return [RowError(r.number, "wrong") for r in rows]

    def apply(self, rows, *, user, scope):  # pragma: no cover - never reached
        raise AssertionError


def test_errors_stop_after_the_limit_with_a_closing_line(settings):
    settings.IMPORT_MAX_ERRORS = 10
    data = csv_bytes([["姓名"]] + [[f"p{i}"] for i in range(50)])
    report = run_import(_AlwaysWrong(), io.BytesIO(data), name="a.csv", commit=True)
    assert len(report.errors) == 11
    assert report.errors[-1].row == 12 and "More errors follow" in report.errors[-1].message
    assert not report.applied


# -- uploads ------------------------------------------------------------------------------------------


def test_media_is_not_a_url_of_this_site():
    with pytest.raises(Resolver404):
        resolve("/media/imports/2026/12/roster.csv")


@pytest.mark.django_db
def test_upload_is_stored_under_a_random_name_and_deleted_once_applied(
    client, alice, branch_a1, django_capture_on_commit_callbacks
):
    login(client, alice)
    upload(client, "members", [HEADER, row(1)], name="张三的花名册.csv")
    the_upload = ImportUpload.objects.get()
    stored = the_upload.file.name
    assert "花名册" not in stored and stored.startswith("imports/") and stored.endswith(".csv")
    assert default_storage.exists(stored)
    client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    the_upload.refresh_from_db()
    assert the_upload.applied_at and not the_upload.file
    assert not default_storage.exists(stored)
    assert Member.objects.filter(name="党员1").exists()
    page = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))  # the result page needs no file
    assert page.status_code == 200


@pytest.mark.django_db
def test_preview_is_read_once_and_kept(client, alice, branch_a1):
    login(client, alice)
    upload(client, "members", [HEADER, row(1), row(2, birth_date="1970-01-01")])
    the_upload = ImportUpload.objects.get()
    first = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    default_storage.delete(the_upload.file.name)  # a reload must not read the file again
    again = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    assert again.status_code == 200
    assert again.context["preview"]["errors"] == first.context["preview"]["errors"]
    assert len(again.context["preview"]["errors"]) == 1


@pytest.mark.django_db
def test_abandoned_uploads_lose_their_file(client, alice, branch_a1, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    login(client, alice)
    upload(client, "members", [HEADER, row(1)])
    the_upload = ImportUpload.objects.get()
    stored = the_upload.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_purge() == 0  # younger than a day: kept
        assert services.uploads_purge(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    assert not default_storage.exists(stored)
    response = client.get(reverse("spreadsheets:preview", args=[the_upload.pk]))
    assert response.status_code == 302 and response.url == reverse("spreadsheets:upload", args=["members"])
    client.post(reverse("spreadsheets:confirm", args=[the_upload.pk]))
    assert not Member.objects.filter(name="党员1").exists()
