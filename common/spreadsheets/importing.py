"""The generic import machinery: columns, cell parsers, and the all-or-nothing run.

An importer (see registry.py for how to register one) declares its `columns`, turns each row into a dict
(`parse_row`), checks every row against the database and each other (`validate`, set-based: a few queries
for the whole file, not one per row) and writes (`apply`). `run_import` reads the file, collects EVERY error
with its spreadsheet row number (header = row 1) and only when there is none applies all rows inside one
transaction: a file with one bad row writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from .tables import Cell, TableError, read_table

HEADER_ROW = 1
PREVIEW_ROWS = 20


class CellError(Exception):
    """A cell that cannot be understood; the message names what is wrong."""


class RowsInvalid(Exception):
    """Raised from `apply` when a write finds a problem validation could not see: the transaction is rolled
    back and these errors are reported like any other."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


# -- cell parsers: each takes a non-blank cell (text or date) and returns the value or raises CellError --


def parse_text(value: Cell, *, max_length: int | None = None) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    if max_length and len(text) > max_length:
        raise CellError(_("at most %(n)d characters") % {"n": max_length})
    return text


_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Cell) -> dt.date:
    """A date cell, or text YYYY-MM-DD (a time part after it, as Excel may add, is ignored)."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().split(" ")[0]
    match = _DATE_RE.match(text)
    if not match:
        raise CellError(_("“%(value)s” is not a date in the form YYYY-MM-DD") % {"value": value})
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date") % {"value": value}) from None


_TRUE = {"是", "yes", "y", "true", "1"}
_FALSE = {"否", "no", "n", "false", "0"}


def parse_bool(value: Cell) -> bool:
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s” is not 是 or 否") % {"value": value})


def choice_parser(choices: dict[str, str]) -> Callable[[Cell], str]:
    """Accept a Chinese label or the English code (case-insensitive); `choices` maps accepted text → value."""
    lookup = {k.strip().lower(): v for k, v in choices.items()}

    def parse(value: Cell) -> str:
        text = str(value).strip().lower()
        if text in lookup:
            return lookup[text]
        allowed = "/".join(k for k in choices if not k.isascii())
        raise CellError(_("“%(value)s” is not one of %(allowed)s") % {"value": value, "allowed": allowed})

    return parse


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, the English alias (also the key in parsed rows), whether the header
    must be present, and how a non-blank cell is parsed. A blank cell is None: "not given"."""

    key: str
    header: str
    required: bool = False
    parse: Callable[[Cell], Any] = parse_text
    help: str | Promise = ""

    @property
    def label(self) -> str:
        return f"{self.header} ({self.key})"


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    blank: frozenset[str] = frozenset()  # the columns whose cell was empty (not: could not be read)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value


@dataclass
class ImportReport:
    """What a run found (and, when applied, did). `summary` is filled by `apply`."""

    headers: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    raw_preview: list[tuple[int, list[Cell]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    summary: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {
            "rows": len(self.rows),
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
            "applied": self.applied,
            "summary": self.summary,
            "messages": self.messages,
        }


class Importer:
    """Base class. Subclasses set `kind`, `label`, `columns`, and implement `validate` and `apply`.

    `__init__(user=, scope=)`: the acting user (`users.services.system_user()` for a command) and their scope
    (county scope for commands). `validate(rows)` returns RowErrors; `apply(rows, *, user, scope)` writes and
    returns a summary dict of counts (e.g. {"created": 3, "updated": 1, "unchanged": 6}); it may append to `self.messages`.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str | Promise] = ""
    description: ClassVar[str | Promise] = ""
    columns: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, *, user=None, scope=None):
        self.user = user
        self.scope = scope
        self.messages: list[str] = []

    # -- who may use it (browser); commands run with full county scope -------------------------------
    @classmethod
    def allowed(cls, scope) -> bool:
        return scope.is_county

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    # -- steps ------------------------------------------------------------------------------------------
    def parse_row(self, number: int, cells: dict[str, Cell]) -> tuple[ParsedRow, list[RowError]]:
        """Parse each given cell with its column's parser; collect every cell's error."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        blank = set()
        for column in self.columns:
            raw = cells.get(column.key)
            if raw is None:
                values[column.key] = None
                blank.add(column.key)
                continue
            try:
                values[column.key] = column.parse(raw)
            except CellError as e:
                # "性别：…" in Chinese (the colon of the reader's language), "性别: …" in English
                errors.append(RowError(number, f"{column.header}{pgettext('label separator', ': ')}{e}"))
                values[column.key] = None
        return ParsedRow(number, values, frozenset(blank)), errors

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        raise NotImplementedError

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        raise NotImplementedError


def _normalize_header(text: str) -> str:
    return re.sub(r"[\s_]+", "", text).lower()


def map_headers(importer: Importer, headers: list[str]) -> tuple[dict[int, str], list[RowError]]:
    """Column index → column key, by Chinese header or English alias; errors for missing or repeated ones."""
    by_name: dict[str, Column] = {}
    for known in importer.columns:
        by_name[_normalize_header(known.header)] = known
        by_name[_normalize_header(known.key)] = known
    index: dict[int, str] = {}
    seen: dict[str, int] = {}
    errors: list[RowError] = []
    for i, header in enumerate(headers):
        column = by_name.get(_normalize_header(header)) if header else None
        if column is None:
            continue  # extra columns (notes, numbering) are ignored
        if column.key in seen:
            errors.append(
                RowError(HEADER_ROW, _("The column %(column)s appears twice.") % {"column": column.label})
            )
            continue
        seen[column.key] = i
        index[i] = column.key
    missing = [c for c in importer.columns if c.required and c.key not in seen]
    if missing:
        errors.append(
            RowError(
                HEADER_ROW,
                _("Required columns are missing: %(columns)s.")
                % {"columns": ", ".join(c.label for c in missing)},
            )
        )
    return index, errors


def run_import(importer: Importer, file: IO[bytes], *, name: str = "", commit: bool) -> ImportReport:
    """Read, parse, validate every row; when `commit` and nothing is wrong, apply in one transaction."""
    report = ImportReport()
    try:
        table = read_table(file, name)
    except TableError as e:
        report.errors.append(RowError(HEADER_ROW, str(e)))
        return report
    report.headers = table.headers
    report.raw_preview = table.rows[:PREVIEW_ROWS]
    index, header_errors = map_headers(importer, table.headers)
    if header_errors:
        report.errors.extend(header_errors)
        return report
    if not table.rows:
        report.errors.append(RowError(HEADER_ROW, _("The file has a header row but no data rows.")))
        return report
    for number, cells in table.rows:
        by_key = {key: cells[i] if i < len(cells) else None for i, key in index.items()}
        row, errors = importer.parse_row(number, by_key)
        report.rows.append(row)
        report.errors.extend(errors)
    report.errors.extend(importer.validate(report.rows))
    report.errors.sort(key=lambda e: e.row)
    most = getattr(settings, "IMPORT_MAX_ERRORS", 200)
    if len(report.errors) > most:
        cut = report.errors[most].row
        report.errors = report.errors[:most] + [
            RowError(
                cut, _("More errors follow from this row on; fix the ones above and check the file again.")
            )
        ]
    if commit and report.ok:
        try:
            with transaction.atomic():
                report.summary = importer.apply(report.rows, user=importer.user, scope=importer.scope)
        except RowsInvalid as e:  # a rule only the write could see: nothing was written
            report.errors.extend(e.errors)
            report.summary = {}
        except ValidationError as e:
            report.errors.append(RowError(HEADER_ROW, "; ".join(e.messages)))
            report.summary = {}
        else:
            report.applied = True
        report.messages = importer.messages
    return report


def format_errors(errors: Iterable[RowError]) -> list[str]:
    return [str(e) for e in errors]


SUMMARY_LABELS = {
    "created": pgettext_lazy("import count", "created"),  # how many rows were new (新增), not a time
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "transferred": gettext_lazy("transferred"),
    "roles": gettext_lazy("roles added"),
    "linked": gettext_lazy("linked to member records"),
    "invited": gettext_lazy("invitations sent"),
    "withheld": gettext_lazy("roles withheld from unconfirmed accounts"),
}
