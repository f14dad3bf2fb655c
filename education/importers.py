"""Historical 三会一课 ledgers (台账) from Excel: one row per meeting, all-or-nothing.

Columns: 组织编码 (org_code), 会议类型 (kind: the code or the Chinese name, several separated by ; or ；),
党小组 (party_group), 日期 (date), 主题 (topic), 应到人数 (expected), 实到人数 (attended). Imported records
count as held; they carry the expected/attended numbers instead of attendance rows.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organization, PartyGroup, RoleAssignment
from common.spreadsheets.importing import (
    CellError,
    Column,
    Importer,
    ParsedRow,
    RowError,
    parse_date,
    parse_text,
)
from common.spreadsheets.registry import register

from .models import Meeting, MeetingKind


def parse_count(value) -> int:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise CellError(_("“%(value)s” is not a whole number") % {"value": value})
    return int(text)


def parse_kinds(value) -> list[str]:
    return [p.strip() for p in re.split(r"[;；,，、]", str(value)) if p.strip()]


@register
class MeetingImporter(Importer):
    kind = "meetings"
    label = gettext_lazy("三会一课 ledger (meetings)")
    description = gettext_lazy(
        "Historical meetings from a ledger: one row per meeting; imported meetings count as held."
    )
    columns = (
        Column("org_code", "组织编码", required=True, parse=lambda v: parse_text(v, max_length=50)),
        Column("kind", "会议类型", required=True, parse=parse_kinds),
        Column("party_group", "党小组", parse=lambda v: parse_text(v, max_length=100)),
        Column("date", "日期", required=True, parse=parse_date),
        Column("topic", "主题", required=True, parse=lambda v: parse_text(v, max_length=200)),
        Column("expected", "应到人数", parse=parse_count),
        Column("attended", "实到人数", parse=parse_count),
    )

    @classmethod
    def allowed(cls, scope) -> bool:
        return scope.has_role(*RoleAssignment.WRITE_ROLES)

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        """Set-based: the organizations, groups, kinds and existing meetings of the file in four queries."""
        errors: list[RowError] = []
        codes = {r["org_code"] for r in rows if r["org_code"]}
        orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        groups = {
            (g.organization_id, g.name): g for g in PartyGroup.objects.filter(organization__code__in=codes)
        }
        kinds_by_name: dict[str, MeetingKind] = {}
        for k in MeetingKind.objects.all():
            kinds_by_name[k.code.lower()] = k
            kinds_by_name[k.name_zh] = k
        dates = [r["date"] for r in rows if r["date"]]
        existing = set()
        if dates and orgs:
            existing = set(
                Meeting.objects.filter(
                    organization__in=orgs.values(), date__gte=min(dates), date__lte=max(dates)
                ).values_list("organization_id", "date", "topic")
            )
        today = timezone.localdate()
        seen: dict[tuple, int] = {}
        self._resolved: dict[int, dict] = {}
        for row in rows:
            n = row.number
            org = orgs.get(row["org_code"]) if row["org_code"] else None
            if row["org_code"] and org is None:
                errors.append(
                    RowError(n, _("No organization with the code “%(code)s”.") % {"code": row["org_code"]})
                )
            elif org is not None:
                if not org.is_basic:
                    errors.append(
                        RowError(
                            n,
                            _("%(org)s is not a branch: meetings belong to a basic organization.")
                            % {"org": org.code},
                        )
                    )
                elif self.scope is not None and not self.scope.can_write(org):
                    errors.append(
                        RowError(
                            n, _("No organization with the code “%(code)s”.") % {"code": row["org_code"]}
                        )
                    )
            kinds = []
            for name in row["kind"] or []:
                kind = kinds_by_name.get(name.lower()) or kinds_by_name.get(name)
                if kind is None:
                    errors.append(
                        RowError(n, _("会议类型: unknown meeting kind “%(kind)s”.") % {"kind": name})
                    )
                elif kind not in kinds:
                    kinds.append(kind)
            if row["kind"] is not None and not row["kind"]:
                errors.append(RowError(n, _("会议类型: give at least one meeting kind.")))
            group = None
            if row["party_group"] and org is not None:
                group = groups.get((org.pk, row["party_group"]))
                if group is None:
                    errors.append(
                        RowError(
                            n,
                            _("党小组: %(org)s has no party group “%(group)s”.")
                            % {"org": org.code, "group": row["party_group"]},
                        )
                    )
            if any(k.code == MeetingKind.GROUP_MEETING for k in kinds) and not row["party_group"]:
                errors.append(RowError(n, _("党小组: a party group meeting needs a party group.")))
            if row["date"] and row["date"] > today:
                errors.append(RowError(n, _("日期: a meeting in the future cannot be recorded as held.")))
            expected, attended = row["expected"], row["attended"]
            if expected is not None and attended is not None and attended > expected:
                errors.append(RowError(n, _("实到人数 cannot be larger than 应到人数.")))
            if org is not None and row["date"] and row["topic"]:
                key = (org.pk, row["date"], row["topic"])
                if key in existing:
                    errors.append(
                        RowError(n, _("This meeting (organization, date, topic) is already recorded."))
                    )
                elif key in seen:
                    errors.append(
                        RowError(n, _("The same meeting appears on row %(row)d.") % {"row": seen[key]})
                    )
                else:
                    seen[key] = n
            self._resolved[n] = {"org": org, "kinds": kinds, "group": group}
        return errors

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        meetings = []
        for row in rows:
            r = self._resolved[row.number]
            meetings.append(
                Meeting(
                    organization=r["org"],
                    party_group=r["group"],
                    date=row["date"],
                    topic=row["topic"],
                    expected_count=row["expected"],
                    attended_count=row["attended"],
                    status=Meeting.Status.HELD,
                    source=Meeting.Source.IMPORTED,
                    created_by=user,
                )
            )
        created = Meeting.objects.bulk_create(meetings, batch_size=500)
        Through = Meeting.kinds.through
        links = [
            Through(meeting_id=m.pk, meetingkind_id=k.pk)
            for row, m in zip(rows, created, strict=True)
            for k in self._resolved[row.number]["kinds"]
        ]
        Through.objects.bulk_create(links, batch_size=1000)
        return {"created": len(created)}
