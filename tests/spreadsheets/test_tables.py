import datetime as dt
import io

import pytest

from common.spreadsheets.importing import CellError, parse_bool, parse_date
from common.spreadsheets.tables import TableError, read_table, write_csv, write_xlsx
from tests.spreadsheets.files import csv_bytes, xlsx_bytes


def test_csv_with_and_without_bom_read_the_same():
    rows = [["姓名", "日期"], ["张三", "2020-01-02"]]
    for bom in (False, True):
        table = read_table(io.BytesIO(csv_bytes(rows, bom=bom)), "a.csv")
        assert table.headers == ["姓名", "日期"]
        assert table.rows == [(2, ["张三", "2020-01-02"])]


def test_gb18030_csv_is_read():
    data = "姓名\n张三\n".encode("gb18030")
    assert read_table(io.BytesIO(data), "a.csv").rows == [(2, ["张三"])]


def test_xlsx_dates_numbers_and_blank_rows():
    data = xlsx_bytes(
        [["a", "b", "c"], [dt.datetime(2020, 5, 6), 13800000000, None], [None, None, None], ["x", 1.5, "y"]]
    )
    table = read_table(io.BytesIO(data), "a.xlsx")
    assert table.rows == [(2, [dt.date(2020, 5, 6), "13800000000", None]), (4, ["x", "1.5", "y"])]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\xef\xbb\xbf\r\n  \n", "a.csv", "empty"),
        (b"this is not a zip file", "a.xlsx", "not a valid XLSX"),
        (b"PK\x03\x04garbage", "a.xlsx", "not a valid XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", ".xls"),
    ],
)
def test_unreadable_files(content, name, message, settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(TableError, match=message):
        read_table(io.BytesIO(content), name)


def test_writers_round_trip():
    headers = ["姓名", "日期", "号码"]
    rows = [["张三", dt.date(2020, 1, 2), "11010519491231002X"]]
    csv_data = write_csv(headers, rows)
    assert csv_data.startswith(b"\xef\xbb\xbf")
    assert read_table(io.BytesIO(csv_data), "x.csv").rows == [
        (2, ["张三", "2020-01-02", "11010519491231002X"])
    ]
    table = read_table(io.BytesIO(write_xlsx(headers, rows)), "x.xlsx")
    assert table.rows == [(2, ["张三", dt.date(2020, 1, 2), "11010519491231002X"])]


def test_cell_parsers():
    assert parse_date("2020-1-2") == dt.date(2020, 1, 2)
    assert parse_date("2020-01-02 00:00:00") == dt.date(2020, 1, 2)
    assert parse_bool("是") is True and parse_bool("否") is False
    for bad in ["2020/01/02", "2020-02-30", "yesterday"]:
        with pytest.raises(CellError):
            parse_date(bad)
    with pytest.raises(CellError):
        parse_bool("maybe")
