"""The roster as a spreadsheet, in exactly the columns of the member import (MemberImporter.columns), so
that an export imports back into an empty site (after the organizations) as the same roster."""

from __future__ import annotations

from django.db.models import QuerySet

from common.spreadsheets.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, write_csv, write_xlsx

from .importers import DEPARTURE_LABELS, EDUCATION_LABELS, GENDER_LABELS, OCCUPATION_LABELS, MemberImporter
from .models import Member

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

_FIELDS = {
    "name": "name",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "org_code": "organization__code",
    "party_group": "party_group__name",
    "admitted_on": "admitted_on",
    "full_member_on": "full_member_on",
    "phone": "phone",
    "veteran_cadre": "veteran_cadre",
    "hardship": "hardship",
    "died_on": "died_on",
    "departed_on": "departed_on",
    "departure_reason": "departure_reason",
    "education_level": "education_level",
    "occupation": "occupation",
}
# Codes written as the words the import reads (a blank cell: not recorded).
_LABELS = {
    "gender": GENDER_LABELS,
    "departure_reason": DEPARTURE_LABELS,
    "education_level": EDUCATION_LABELS,
    "occupation": OCCUPATION_LABELS,
}


def member_export_rows(*, queryset: QuerySet[Member]) -> list[list]:
    """One query, values only (no model instances): fast for tens of thousands of members."""
    keys = [c.key for c in MemberImporter.columns]
    rows = []
    for values in queryset.order_by("organization__path", "name", "pk").values_list(
        *(_FIELDS[k] for k in keys)
    ):
        row = []
        for key, value in zip(keys, values, strict=True):
            if key in _LABELS:
                value = _LABELS[key].get(value, value)
            elif isinstance(value, bool):
                value = "是" if value else "否"
            row.append(value)
        rows.append(row)
    return rows


def members_export(*, queryset: QuerySet[Member], fmt: str = "csv") -> tuple[bytes, int]:
    rows = member_export_rows(queryset=queryset)
    headers = MemberImporter.headers()
    if fmt == "xlsx":
        return write_xlsx(headers, rows, sheet_title="党员名册"), len(rows)
    return write_csv(headers, rows), len(rows)
