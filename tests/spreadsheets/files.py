"""Write test spreadsheets: CSV (with or without BOM) and XLSX, from a header row and data rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management import call_command


def csv_bytes(rows: list[list], *, bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def run(command: str, path: str) -> tuple[str, str]:
    """Run a command; return (stdout, stderr). Raises CommandError like the command does."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
