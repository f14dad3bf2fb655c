"""Reading and writing tables: CSV (UTF-8 with or without BOM; GB18030 as Excel in China saves it) and XLSX.

A table is its header row and its data rows, each data row with its spreadsheet row number (header = row 1),
so that every error message can point at the row the user sees in Excel or WPS.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

Cell = str | dt.date | None

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


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
    text = str(value).strip()
    return text or None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_("The file is neither a UTF-8 CSV file nor an XLSX spreadsheet."))


def _read_csv(data: bytes) -> list[list[Cell]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file: all mean "not a spreadsheet"
        raise TableError(_("The file is not a valid XLSX spreadsheet.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """CSV with a BOM, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


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
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.number_format = "@"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(header) * 3
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
