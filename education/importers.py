"""Historical 三会一课 ledgers (台账) from Excel: one row per meeting, all-or-nothing.

Columns: 组织编码 (org_code), 会议类型 (kind: the code or the Chinese name, several separated by ; or ；),
党小组 (party_group), 日期 (date), 主题 (topic), 应到人数 (expected), 实到人数 (attended), and optionally
缺席人员 (absent) and 请假人员 (leave): names or ID numbers of expected attendees, separated by 、 , or ;.
Imported records count as held. A file with either of the people columns records each row's attendance per
person, exactly as a meeting recorded as held in the browser: the expected attendees by the roster on the
row's date, everyone present but the absent and those on leave; 应到人数/实到人数 may then be blank and, if
given, must agree. A file without them carries the expected/attended numbers instead of attendance rows.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import BooleanField, ExpressionWrapper
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
from members.models import BranchOfficer, Member
from members.selectors import living_on_q

from .models import Attendance, Meeting, MeetingKind
from .selectors import expected_attendees_on

# Expected attendees are worked out per distinct date, this many dates per query.
DATES_PER_QUERY = 60


def parse_count(value) -> int:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdecimal():  # isdigit() also takes "²", which int() refuses
        raise CellError(_("“%(value)s” is not a whole number") % {"value": value})
    if len(text) > 6:  # no meeting has a million people (and int() refuses over 4,300 digits)
        raise CellError(_("“%(value)s” is too large for a head count") % {"value": text[:20] + "…"})
    return int(text)


def parse_kinds(value) -> list[str]:
    return [p.strip() for p in re.split(r"[;；,，、]", str(value)) if p.strip()]


def parse_people(value) -> list[str]:
    """Names or ID numbers separated by 、 , or ; (full-width forms too)."""
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
        Column("absent", "缺席人员", parse=parse_people),
        Column("leave", "请假人员", parse=parse_people),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.with_people = False  # the file has 缺席人员 or 请假人员: attendance is recorded per person

    def parse_row(self, number, cells):
        # A column present in the file is a key of `cells` (its blank cells are None).
        if "absent" in cells or "leave" in cells:
            self.with_people = True
        return super().parse_row(number, cells)

    def _expected_by_row(self, rows: list[ParsedRow]) -> dict[int, list[Member]]:
        """Each valid row's expected attendees (selectors.expected_attendees_on, the rule of a meeting held
        in the browser). One query per distinct (organization, group, kinds, date) would grow with the
        file; instead the members of the file's organizations are read once per DATES_PER_QUERY dates,
        each date's membership an annotation of members.selectors.living_on_q (the one definition), and
        the committee rows once."""
        keys = {}
        for row in rows:
            r = self._resolved.get(row.number)
            if r and r["org"] is not None and row["date"] and r["kinds"]:
                codes = frozenset(k.code for k in r["kinds"])
                keys[row.number] = (r["org"].pk, r["group"].pk if r["group"] else None, codes, row["date"])
        if not keys:
            return {}
        if len({k[3] for k in keys.values()}) == 1 and len(set(keys.values())) == 1:
            org_id, group_id, codes, date = next(iter(keys.values()))
            members = list(
                expected_attendees_on(
                    organization_id=org_id, party_group_id=group_id, kind_codes=set(codes), date=date
                )
            )
            return dict.fromkeys(keys, members)
        org_ids = {k[0] for k in keys.values()}
        dates = sorted({k[3] for k in keys.values()})
        on: dict[dt.date, set[int]] = {d: set() for d in dates}
        members: dict[int, Member] = {}
        for start in range(0, len(dates), DATES_PER_QUERY):
            chunk = dates[start : start + DATES_PER_QUERY]
            flags = {
                f"on_{i}": ExpressionWrapper(living_on_q(d), output_field=BooleanField())
                for i, d in enumerate(chunk)
            }
            for m in Member.objects.filter(organization_id__in=org_ids).annotate(**flags):
                members[m.pk] = m
                for i, d in enumerate(chunk):
                    if getattr(m, f"on_{i}"):
                        on[d].add(m.pk)
        committee_keys = {k for k in keys.values() if not k[1] and k[2] == {MeetingKind.COMMITTEE_MEETING}}
        officers = []
        if committee_keys:
            officers = list(
                BranchOfficer.objects.filter(term__organization_id__in=org_ids).values_list(
                    "term__organization_id", "term__elected_on", "term__ends_on", "member_id"
                )
            )
        out = {}
        for number, (org_id, group_id, codes, date) in keys.items():
            people = [members[pk] for pk in on[date]]
            if group_id:
                people = [m for m in people if m.party_group_id == group_id]
            elif codes == {MeetingKind.COMMITTEE_MEETING}:
                sitting = {mid for o, e, end, mid in officers if o == org_id and e <= date < end}
                people = [m for m in people if m.organization_id == org_id and m.pk in sitting]
            else:
                people = [m for m in people if m.organization_id == org_id]
            out[number] = people
        return out

    def _people_errors(self, rows: list[ParsedRow]) -> list[RowError]:
        """Resolve 缺席人员 / 请假人员 against each row's expected attendees; a name that is not among them
        (with the reason when it is a member of the organization on another footing) or that is ambiguous
        is a row error."""
        errors: list[RowError] = []
        expected = self._expected_by_row(rows)
        org_ids = {r["org"].pk for r in self._resolved.values() if r["org"] is not None}
        known: dict[tuple[int, str], list[Member]] = {}
        for m in Member.objects.filter(organization_id__in=org_ids).only(
            "pk", "name", "id_number", "organization_id"
        ):
            known.setdefault((m.organization_id, m.name), []).append(m)
            known.setdefault((m.organization_id, m.id_number), []).append(m)
        for row in rows:
            n = row.number
            resolved = self._resolved.get(n)
            if resolved is None or n not in expected:
                continue
            people = expected[n]
            by_key: dict[str, list[Member]] = {}
            for m in people:
                by_key.setdefault(m.name, []).append(m)
                by_key.setdefault(m.id_number, []).append(m)
            statuses: dict[int, str] = {}
            for column, header, status in (
                ("absent", "缺席人员", Attendance.Status.ABSENT),
                ("leave", "请假人员", Attendance.Status.EXCUSED),
            ):
                for token in row[column] or []:
                    key = token.upper() if len(token) == 18 else token
                    found = by_key.get(key, [])
                    if len(found) > 1:
                        errors.append(
                            RowError(
                                n,
                                _(
                                    "%(column)s: two expected attendees are named “%(name)s”: give the ID number."
                                )
                                % {"column": header, "name": token},
                            )
                        )
                    elif not found:
                        org = resolved["org"]
                        if known.get((org.pk, key)):
                            message = _(
                                "%(column)s: “%(name)s” was not among the expected attendees on %(date)s "
                                "(not a member of %(org)s that day, or not of this party group or committee)."
                            )
                        else:
                            message = _(
                                "%(column)s: “%(name)s” is not among the expected attendees on %(date)s."
                            )
                        errors.append(
                            RowError(
                                n,
                                message
                                % {
                                    "column": header,
                                    "name": token,
                                    "date": row["date"].isoformat(),
                                    "org": org.code,
                                },
                            )
                        )
                    elif found[0].pk in statuses:
                        errors.append(
                            RowError(
                                n,
                                _("“%(name)s” is listed twice (缺席人员 and 请假人员 are exclusive).")
                                % {"name": token},
                            )
                        )
                    else:
                        statuses[found[0].pk] = status
            absent_or_leave = len(statuses)
            if row["expected"] is not None and row["expected"] != len(people):
                errors.append(
                    RowError(
                        n,
                        _("应到人数 is %(given)d but %(count)d members were expected on %(date)s.")
                        % {"given": row["expected"], "count": len(people), "date": row["date"].isoformat()},
                    )
                )
            if row["attended"] is not None and row["attended"] != len(people) - absent_or_leave:
                errors.append(
                    RowError(
                        n,
                        _("实到人数 is %(given)d but the names give %(count)d present.")
                        % {"given": row["attended"], "count": len(people) - absent_or_leave},
                    )
                )
            resolved["attendance"] = [(m.pk, statuses.get(m.pk, Attendance.Status.PRESENT)) for m in people]
        return errors

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
            for column in self.columns:  # a required column's header is there: its cell must be filled too
                if column.required and column.key in row.blank:
                    errors.append(
                        RowError(n, _("%(column)s: this cell is required.") % {"column": column.header})
                    )
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
        if self.with_people:
            errors += self._people_errors(rows)
        return errors

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        meetings = []
        for row in rows:
            r = self._resolved[row.number]
            with_people = "attendance" in r
            meetings.append(
                Meeting(
                    organization=r["org"],
                    party_group=r["group"],
                    date=row["date"],
                    topic=row["topic"],
                    # with names the rows are the record; the numbers only without them
                    expected_count=None if with_people else row["expected"],
                    attended_count=None if with_people else row["attended"],
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
        attendance = [
            Attendance(meeting_id=m.pk, member_id=member_id, status=status)
            for row, m in zip(rows, created, strict=True)
            for member_id, status in self._resolved[row.number].get("attendance", [])
        ]
        Attendance.objects.bulk_create(attendance, batch_size=1000)
        return {"created": len(created)}
