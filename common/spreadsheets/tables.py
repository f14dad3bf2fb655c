"""Reading and writing tables: CSV (UTF-8 with or without BOM; GB18030 as Excel in China saves it) and XLSX.

A table is its header row and its data rows, each data row with its spreadsheet row number (header = row 1),
so that every error message can point at the row the user sees in Excel or WPS.

Reading is bounded (settings IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS, IMPORT_MAX_CELL_CHARS,
IMPORT_MAX_UNCOMPRESSED_BYTES): a file past a limit is refused with one message before it is parsed, or as soon
as the limit is reached, so that a crafted file cannot hold a worker for minutes or exhaust memory.

Writing never produces a formula: in XLSX every text is a text cell; in CSV a text that a spreadsheet would run
as a formula (it begins with = + - @, a tab or a carriage return) is written behind an apostrophe, which
reading takes off again, so that export → import gives back the same text (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

Cell = str | dt.date | None

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character


def limits() -> dict[str, int]:
    return {
        "rows": getattr(settings, "IMPORT_MAX_ROWS", 100_000),
        "columns": getattr(settings, "IMPORT_MAX_COLUMNS", 100),
        "cell_chars": getattr(settings, "IMPORT_MAX_CELL_CHARS", 10_000),
        "uncompressed_bytes": getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024),
    }


class TableError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, empty, ...): one message, no row."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)


def _cell(value: Any) -> Cell:
    """A cell as text or a date; numbers written by Excel as floats lose their '.0'."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith(NEUTRALIZER) and text[1:2] and text[1] in FORMULA_STARTS:
        text = text[1:]  # our own CSV export's guard against formulas: the value is what follows it
    return text.strip() or None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_("The file is neither a UTF-8 CSV file nor an XLSX spreadsheet."))


def _too_many_rows(limit: int) -> TableError:
    return TableError(
        _("The file has more than %(n)d rows: split it into smaller files.") % {"n": limit},
    )


def _bounded(rows, limit: dict[str, int]) -> list[list[Cell]]:
    """Rows as cells, refusing the file as soon as it passes the row, column or cell-length limit."""
    out: list[list[Cell]] = []
    for row in rows:
        if len(out) > limit["rows"]:  # the header row is one more than the data rows allowed
            raise _too_many_rows(limit["rows"])
        cells = list(row)
        width = len(cells)
        while width and (cells[width - 1] is None or cells[width - 1] == ""):
            width -= 1
        if width > limit["columns"]:
            raise TableError(_("The file has more than %(n)d columns.") % {"n": limit["columns"]})
        for value in cells:
            if isinstance(value, str) and len(value) > limit["cell_chars"]:
                raise TableError(
                    _("Row %(row)d has a cell longer than %(n)d characters.")
                    % {"row": len(out) + 1, "n": limit["cell_chars"]}
                )
        out.append([_cell(v) for v in cells])
    return out


def _read_csv(data: bytes) -> list[list[Cell]]:
    text = _decode(data)
    if "\x00" in text:
        raise TableError(_("The file contains NUL characters: it is not a text CSV file."))
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed: a guessed quote character (an apostrophe in a name, or our formula
    # guard) would split quoted cells apart.
    dialect = csv.excel
    limit = limits()
    # The csv module's own field limit (131,072) would raise mid-file with no row: lift it to the size of the
    # text (already in memory) and let `_bounded` refuse a long cell with its row number.
    csv.field_size_limit(max(len(text) + 1, 131_072))
    try:
        return _bounded(csv.reader(io.StringIO(text), dialect, delimiter=delimiter), limit)
    except csv.Error as error:
        raise TableError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from openpyxl import load_workbook

    limit = limits()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > limit["uncompressed_bytes"]:
            raise TableError(
                _(
                    "The spreadsheet is too large once unpacked (more than %(n)d MB): split it into smaller files."
                )
                % {"n": limit["uncompressed_bytes"] // (1024 * 1024)}
            )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file: all mean "not a spreadsheet"
        raise TableError(_("The file is not a valid XLSX spreadsheet.")) from None
    try:
        sheet = workbook.worksheets[0]
        # max_col: a sheet whose dimension claims 16,384 columns would otherwise give rows that wide.
        width = sheet.max_column
        if width is None or width > limit["columns"] + 1:
            width = limit["columns"] + 1
        return _bounded(sheet.iter_rows(values_only=True, max_col=width), limit)
    finally:
        workbook.close()


def read_table(file: IO[bytes], name: str = "") -> Table:
    """Read the first sheet (XLSX) or the whole file (CSV). Blank rows are skipped; blank cells are None."""
    data = file.read()
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise TableError(_("The file is empty."))
    lowered = name.lower()
    if data[:4] == b"PK\x03\x04" or lowered.endswith((".xlsx", ".xlsm")):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise TableError(_("The file is not a valid XLSX spreadsheet."))
        raw = _read_xlsx(data)
    elif lowered.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(_("Old .xls files are not supported: please save the file as .xlsx or CSV."))
    else:
        raw = _read_csv(data)
    numbered = [(n, row) for n, row in enumerate(raw, start=1) if any(c is not None for c in row)]
    if not numbered:
        raise TableError(_("The file is empty."))
    header_number, header = numbered[0]
    headers = [str(h).strip().lstrip("\ufeff") if h is not None else "" for h in header]
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers=headers, rows=numbered[1:])


# -- writing ------------------------------------------------------------------------------------------


def csv_value(value: Any) -> str:
    """One CSV cell: dates as YYYY-MM-DD, a text that would run as a formula behind an apostrophe. (Called
    for every cell of a report, hundreds of thousands: the common types are tested first, by exact type.)"""
    kind = type(value)
    if kind is str:
        return NEUTRALIZER + value if value[:1] in _FORMULA_FIRST else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return NEUTRALIZER + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def csv_writer(stream: IO[str], *, lineterminator: str = "\r\n"):
    """A csv.writer whose rows go through `csv_value` (no formula can reach a spreadsheet)."""
    writer = csv.writer(stream, lineterminator=lineterminator)

    class _Safe:
        def writerow(self, row):
            return writer.writerow([csv_value(v) for v in row])

        def writerows(self, rows):
            for row in rows:
                self.writerow(row)

    return _Safe()


def write_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """CSV with a BOM, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_row(sheet, values: list[Any]) -> list:
    """Cells for a write-only sheet: text always a text cell (never a formula), dates as date cells."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value="" if value is None else value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
            cell.number_format = "@"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    return cells


def write_xlsx(headers: list[str], rows: list[list[Any]], *, sheet_title: str = "Sheet1") -> bytes:
    """XLSX with text cells stored as text (ID numbers keep all 18 digits) and real date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value="" if value is None else value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=1+1" is not run as a formula
                cell.number_format = "@"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(header) * 3
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stream_csv(stream: IO[str], headers: list[str], rows, *, lineterminator: str = "\n") -> int:
    """Write a header and rows (any iterable, consumed once) to an open text stream; returns the row count.

    Every cell goes through csv_value, a column of a few thousand rows at a time: a report's columns hold one
    type and repeat their values (codes, labels, small numbers), so each distinct text is made safe once; when
    no cell of the rows needs quoting they are joined as they are, else the csv module writes them (the same
    bytes either way: a county's 40,000-row compliance report, 120 ms of Python → 35 ms)."""
    writer = csv.writer(stream, lineterminator=lineterminator)
    writer.writerow([csv_value(v) for v in headers])
    count = 0
    for chunk in _chunks(rows):
        _write_chunk(stream, writer, chunk, lineterminator)
        count += len(chunk)
    return count


def _chunks(rows):
    """`rows` a few thousand at a time (slices of a list, else collected as they come)."""
    if isinstance(rows, list):
        for start in range(0, len(rows), _CHUNK_ROWS):
            yield rows[start : start + _CHUNK_ROWS]
        return
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_CHUNK_ROWS = 4096
_SEQUENCES = frozenset({tuple, list})
_NUMBERS = frozenset({int, type(None)})  # csv_value writes them as str(n) and ""
_DECIMALS = frozenset({Decimal, type(None)})  # and these as str(d) and ""
# a cell with one of these is quoted by the csv module (excel dialect); NUL is left to the csv module too
_QUOTED = (",", '"', "\r", "\n", "\x00")


def _write_chunk(stream: IO[str], writer, chunk: list, lineterminator: str) -> None:
    """`chunk`'s rows as `writer` writes them after csv_value, worked out a column at a time."""
    try:
        if not set(map(type, chunk)) <= _SEQUENCES:
            raise ValueError("rows of another type")
        columns = list(zip(*chunk, strict=True))  # ValueError: rows of different lengths
    except ValueError:
        columns = []
    if not columns:  # and empty rows
        writer.writerows([csv_value(v) for v in row] for row in chunk)
        return
    texts: list[Sequence[str]] = []
    for column in columns:
        types = set(map(type, column))
        if types == {str} and _FORMULA_FIRST.isdisjoint([v[:1] for v in set(column)]):
            texts.append(column)  # texts, none of them a formula: as they are
        elif types <= _NUMBERS or types == {str}:
            # each distinct value made safe once (exact types only: no True among the 1s)
            safe = {v: csv_value(v) for v in set(column)}
            texts.append(list(map(safe.__getitem__, column)))
        elif types <= _DECIMALS:  # str(d), as csv_value writes it; not deduplicated: 2.5 == 2.50
            texts.append(["" if v is None else str(v) for v in column])
        else:
            texts.append(list(map(csv_value, column)))
    # a row of one empty cell is written '""'; a comma, a quote or a line break is quoted
    specials = set(_QUOTED) | set(lineterminator)
    # every cell in one text (joining creates no character of its own), searched in C: a sixth of the time of
    # a set of each column's texts
    every = "".join(map("".join, texts))
    if len(texts) > 1 and not any(c in every for c in specials):
        stream.write(lineterminator.join(map(",".join, zip(*texts, strict=True))) + lineterminator)
    else:
        writer.writerows(zip(*texts, strict=True))


def stream_xlsx(target, headers: list[str], rows, *, sheet_title: str = "Sheet1") -> int:
    """Write a header and rows to `target` (a path or a binary stream) with a write-only workbook: constant
    memory for a large report, text as text cells; returns the row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(xlsx_row(sheet, list(headers)))
    count = 0
    for row in rows:
        sheet.append(xlsx_row(sheet, list(row)))
        count += 1
    workbook.save(target)
    return count
