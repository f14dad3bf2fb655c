"""import_recruitment: the existing recruitment ledger (发展党员台账), one row per person.

Columns 姓名,性别,民族,出生日期,公民身份号码,所在党组织编码,申请日期,谈话日期,确定积极分子日期,确定发展对象日期,
接收预备党员日期; a blank date = that step not reached. The ID number identifies a person: a known candidate
gets the steps the file adds (the dates already recorded must be the same), a new one is created. An
admission date puts the person on the roster as a probationary member from that day, matched by ID number
when already there (members.services.member_admit). All-or-nothing: one bad row and nothing is written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organization
from branches.selectors import Scope
from common.spreadsheets.importing import (
    Column,
    Importer,
    ParsedRow,
    RowError,
    RowsInvalid,
    choice_parser,
    parse_date,
    parse_text,
)
from common.spreadsheets.registry import register
from members import idnumbers
from members.importers import parse_id_number
from members.models import Member
from members.selectors import ID_NUMBER_UNAVAILABLE

from . import procedure, services
from .models import Candidate, Step
from .selectors import rules_get

Kind = Step.Kind
DATE_COLUMNS = {
    Kind.APPLICATION: "applied_on",
    Kind.TALK: "talked_on",
    Kind.ACTIVIST: "activist_on",
    Kind.TARGET: "target_on",
    Kind.ADMISSION: "admitted_on",
}


def _text(max_length: int):
    def parse(value):
        return parse_text(value, max_length=max_length)

    return parse


@register
class RecruitmentImporter(Importer):
    kind = "recruitment"
    label = gettext_lazy("Recruitment ledger")
    description = gettext_lazy(
        "One row per person on the way to membership, identified by the ID number; a blank date means the "
        "step is not reached yet. An admission date puts the person on the roster as a probationary member."
    )
    columns = (
        Column("name", "姓名", required=True, parse=_text(50)),
        Column(
            "gender",
            "性别",
            required=True,
            parse=choice_parser({"男": "male", "女": "female", "male": "male", "female": "female"}),
        ),
        Column("ethnicity", "民族", required=True, parse=_text(20)),
        Column("birth_date", "出生日期", required=True, parse=parse_date),
        Column("id_number", "公民身份号码", required=True, parse=parse_id_number),
        Column("org_code", "所在党组织编码", required=True, parse=_text(50)),
        Column("applied_on", "申请日期", required=True, parse=parse_date),
        Column("talked_on", "谈话日期", required=True, parse=parse_date),
        Column("activist_on", "确定积极分子日期", required=True, parse=parse_date),
        Column("target_on", "确定发展对象日期", required=True, parse=parse_date),
        Column("admitted_on", "接收预备党员日期", required=True, parse=parse_date),
    )

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.is_superuser or bool(scope.write_paths)

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        self.rules = rules_get()
        self.today = timezone.localdate()
        codes = {r["org_code"] for r in rows if r["org_code"]}
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        numbers = [r["id_number"] for r in rows if r["id_number"]]
        self.candidates: dict[str, Candidate] = {}
        self.members: dict[str, Member] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            for c in Candidate.objects.filter(id_number__in=chunk).select_related("organization"):
                self.candidates[c.id_number] = c
            for m in Member.objects.filter(id_number__in=chunk).select_related("organization"):
                self.members[m.id_number] = m
        errors: list[RowError] = []
        first_row: dict[str, int] = {}
        for row in rows:
            errors.extend(RowError(row.number, m) for m in self._check_row(row, first_row))
        return errors

    def _dates(self, row: ParsedRow) -> dict[str, dt.date | None]:
        return {kind: row[key] for kind, key in DATE_COLUMNS.items()}

    def _check_row(self, row: ParsedRow, first_row: dict[str, int]) -> list[str]:
        number = row["id_number"]
        if not number:
            return [_("公民身份号码 (id_number) is required.")]
        if number in first_row:
            return [
                _("The ID number %(number)s appears again (first in row %(row)d).")
                % {"number": idnumbers.mask(number), "row": first_row[number]}
            ]
        first_row[number] = row.number
        messages: list[str] = []
        for key in ("name", "gender", "birth_date", "applied_on"):
            if not row[key]:
                messages.append(_("%(column)s is required.") % {"column": self._label(key)})
        try:
            idnumbers.validate_id_number(number, birth_date=row["birth_date"], gender=row["gender"])
        except ValidationError as e:
            messages.extend(e.messages)
        org = self.orgs.get(row["org_code"] or "")
        if not row["org_code"]:
            messages.append(_("所在党组织编码 (org_code) is required."))
        elif org is None or not self.scope.can_write(org):
            messages.append(
                _("No organization with code “%(code)s” among those you manage.") % {"code": row["org_code"]}
            )
            org = None
        elif not org.is_basic:
            messages.append(
                _(
                    "“%(code)s” is not a basic organization: people apply to a branch, general branch or party committee."
                )
                % {"code": row["org_code"]}
            )
        if row["birth_date"] and row["applied_on"]:
            try:
                procedure.check_age(
                    birth_date=row["birth_date"], applied_on=row["applied_on"], rules=self.rules
                )
            except ValidationError as e:
                messages.extend(e.messages)
        messages.extend(
            services.import_dates_check(dates=self._dates(row), rules=self.rules, today=self.today)
        )
        candidate = self.candidates.get(number)
        if candidate is not None:
            if not self.scope.can_write(candidate.organization):
                messages.append(str(ID_NUMBER_UNAVAILABLE))
            else:
                if org is not None and candidate.organization_id != org.pk:
                    messages.append(
                        _("Already in the pipeline of %(org)s: a move between organizations is not imported.")
                        % {"org": candidate.organization.name}
                    )
                for key in DATE_COLUMNS.values():
                    stored = getattr(candidate, key)
                    if stored is not None and row[key] != stored:
                        messages.append(
                            _("%(column)s: already recorded as %(date)s.")
                            % {"column": self._label(key), "date": stored.isoformat()}
                        )
        member = self.members.get(number)
        if member is not None:
            if not row["admitted_on"]:
                messages.append(_("This person is already on the roster: give the admission date."))
            elif not self.scope.can_write(member.organization):
                messages.append(str(ID_NUMBER_UNAVAILABLE))
        return messages

    def _label(self, key: str) -> str:
        return next(c.label for c in self.columns if c.key == key)

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "admitted": 0}
        document = _("recruitment ledger import")
        for row in rows:
            candidate = self.candidates.get(row["id_number"])
            try:
                candidate, added = services.candidate_import(
                    candidate=candidate,
                    organization=self.orgs[row["org_code"]],
                    person={
                        "name": row["name"],
                        "gender": row["gender"],
                        "ethnicity": row["ethnicity"] or "",
                        "birth_date": row["birth_date"],
                        "id_number": row["id_number"],
                    },
                    dates=self._dates(row),
                    document=document,
                    by=user,
                )
            except ValidationError as e:
                raise RowsInvalid([RowError(row.number, m) for m in e.messages]) from None
            if row["id_number"] not in self.candidates:
                counts["created"] += 1
                self.candidates[row["id_number"]] = candidate
            elif added:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            counts["admitted"] += Kind.ADMISSION in added
        return counts
