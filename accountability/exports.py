"""Tables as csv or xlsx bytes (the 实绩考核 export and `report_evaluations`), through the shared writers
(text cells as text, no formula reaches a spreadsheet)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from common.spreadsheets.tables import stream_csv, stream_xlsx


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def xlsx_bytes(header: list[str], rows: Sequence[Sequence]) -> bytes:
    buf = io.BytesIO()
    stream_xlsx(buf, header, ([_cell(v) for v in row] for row in rows))
    return buf.getvalue()


def csv_text(header: list[str], rows: Sequence[Sequence]) -> str:
    buf = io.StringIO()
    stream_csv(buf, header, rows)
    return buf.getvalue()
