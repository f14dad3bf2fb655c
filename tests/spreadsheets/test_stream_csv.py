"""stream_csv writes a column at a time (issue 14): the same bytes as csv_value cell by cell, whatever the rows."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy

from common.spreadsheets.tables import csv_value, stream_csv

HEADERS = ["code", "=name", "n"]


def cell_by_cell(headers, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_value(v) for v in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return out.getvalue()


def streamed(headers, rows) -> tuple[str, int]:
    out = io.StringIO()
    count = stream_csv(out, headers, rows)
    return out.getvalue(), count


def test_every_kind_of_cell_is_written_as_csv_value_writes_it():
    rows = [
        ("B-1", "=SUM(A1)", 1),
        ("B-1", "+1", 0),
        ("-2", "@x", None),
        ("B-2", "\tTab", 12),
        ("B-3", "plain", True),  # a bool among ints: not the int's text
        ("B-3", "", False),
        ("B-4", None, 1.5),
        ("B-4", "a,b", Decimal("2.50")),
        ("B-5", 'say "hi"', dt.date(2026, 3, 1)),
        ("B-5", "line\nbreak", dt.datetime(2026, 3, 1, 8, 30)),
        ("B-6", gettext_lazy("ok"), -3),
    ]
    assert streamed(HEADERS, rows) == (cell_by_cell(HEADERS, rows), len(rows))


def test_columns_of_one_type_and_repeated_values_over_several_chunks():
    rows = [(f"B-{i % 7}", ["ok", "missing", "=due"][i % 3], i % 5, None) for i in range(10_000)]
    assert streamed(["a", "b", "c", "d"], rows) == (cell_by_cell(["a", "b", "c", "d"], rows), 10_000)


def test_columns_of_decimals_and_of_texts_none_of_them_a_formula():
    # decimals are written as str() writes them, each: 2.5 and 2.50 are equal, their texts are not
    rows = [
        (f"B-{i}", Decimal("2.5") if i % 3 else Decimal("2.50"), None if i % 4 else Decimal(i))
        for i in range(50)
    ]
    assert streamed(["a", "b", "c"], rows) == (cell_by_cell(["a", "b", "c"], rows), 50)
    formula_last = [*rows, ("=B-9", Decimal("-1.0"), Decimal("1E+1"))]
    assert streamed(["a", "b", "c"], formula_last) == (cell_by_cell(["a", "b", "c"], formula_last), 51)


def test_ragged_rows_lists_generators_and_empty_rows():
    rows = [["a", 1], ("b", 2, "=c"), (), ["-d"], ("e", 5)]
    assert streamed(HEADERS, iter(rows)) == (cell_by_cell(HEADERS, rows), len(rows))
    assert streamed(HEADERS, [()] * 3) == (cell_by_cell(HEADERS, [()] * 3), 3)
    as_generators = (iter(row) for row in rows)
    assert streamed(HEADERS, as_generators) == (cell_by_cell(HEADERS, rows), len(rows))


def test_no_rows():
    assert streamed(HEADERS, []) == ("code,'=name,n\n", 0)


def test_plain_chunks_and_chunks_that_need_quotes_give_the_csv_modules_bytes():
    plain = [(f"B-{i}", "ok", i, None) for i in range(5000)]  # a chunk joined as it is, then part of one
    quoted = [("B,1", 'say "hi"', 1, None), ("B-2", "a\rb", 2, None), ("B-3", "nul\x00", 3, None)]
    rows = plain + quoted + plain
    assert streamed(["a", "b", "c", "d"], rows) == (cell_by_cell(["a", "b", "c", "d"], rows), len(rows))
    single = [("",), ("x",), (None,), (1,)]  # a row of one empty cell is written '""'
    assert streamed(["a"], single) == (cell_by_cell(["a"], single), 4)
    crlf = io.StringIO()
    stream_csv(crlf, ["a", "b"], [("x", 1), ("y", 2)], lineterminator="\r\n")
    reference = io.StringIO()
    writer = csv.writer(reference, lineterminator="\r\n")
    writer.writerows([["a", "b"], ["x", 1], ["y", 2]])
    assert crlf.getvalue() == reference.getvalue()
