"""Reads for 三会一课 and study. Every read that starts from a user goes through `scope_for`."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractMinute
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from branches.models import Organization, RoleAssignment
from branches.paths import path_at_depth, subtree_q
from branches.selectors import Scope
from common import lapses, statements
from common.links import id_url
from common.table_versions import cached_exactly
from members.models import BranchOfficer, Member
from members.selectors import living_on as members_living_on
from members.selectors import on_roll_q
from notifications.services import Escalation, recipients_above, recipients_for

from .compliance import (
    DUE,
    MISSING,
    ComplianceRow,
    UnitTally,
    YearCells,
    compliance_grid,
    compliance_row,
    compliance_tally,
    county_cells,
    grid_order,
    living_on,
    load_rules,
)
from .compliance import (
    TABLES as COMPLIANCE_TABLES,
)
from .compliance_cache import subtree_cells, subtree_tally, units_grid
from .models import (
    DEFAULT_STUDY_CHANNELS,
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingPlan,
    MeetingRequirement,
    Period,
    StudyRecord,
    StudyTarget,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def compliance_counts(*, organization_ids: list[int], year: int, as_of: dt.date) -> dict[int, dict[str, int]]:
    """Per organization: how many (kind, period[, group]) cells of `year` are ok / missing / due on `as_of`.

    Organizations that are not measured (townships, the county, a 党委 without direct members) get zeros.
    A fixed number of queries for any number of organizations.
    """
    tallies = compliance_tally(Organization.objects.filter(pk__in=organization_ids), year=year, as_of=as_of)
    counts = {t.organization_id: {"ok": t.ok, "missing": t.missing, "due": t.due} for t in tallies}
    return {oid: counts.get(oid, {"ok": 0, "missing": 0, "due": 0}) for oid in organization_ids}


def _count_of(attendances: QuerySet[Attendance]) -> Coalesce:
    """count(*) of `attendances` (correlated to the outer row) as a scalar subquery: no GROUP BY."""
    counted = attendances.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0), output_field=IntegerField())


# -- meetings ----------------------------------------------------------------------------------------------


def expected_attendees_on(
    *, organization_id: int, party_group_id: int | None, kind_codes: set[str], date: dt.date
) -> QuerySet[Member]:
    """Who should attend a sitting by the roster on `date` (members.selectors.living_on: admitted by then,
    still a member then), among the organization's own members (not its subtree's): the party group's
    members for a group meeting; the committee (支委) in office that day for a committee meeting alone;
    otherwise every member of the organization. Probationary members attend (they have no vote)."""
    base = members_living_on(on=date)
    if party_group_id:
        return base.filter(party_group_id=party_group_id)
    if kind_codes == {MeetingKind.COMMITTEE_MEETING}:
        committee = BranchOfficer.objects.filter(
            term__organization_id=organization_id, term__elected_on__lte=date, term__ends_on__gt=date
        ).values("member_id")
        return base.filter(organization_id=organization_id, pk__in=committee)
    return base.filter(organization_id=organization_id)


def expected_attendees(*, meeting: Meeting) -> QuerySet[Member]:
    """The roster's expected attendees of a meeting (computed): what a planned meeting shows and what is
    recorded when it is held. A held meeting's record is its Attendance rows, never this."""
    return expected_attendees_on(
        organization_id=meeting.organization_id,
        party_group_id=meeting.party_group_id,
        kind_codes={k.code for k in meeting.kinds.all()},
        date=meeting.date,
    )


def attendance_addable(*, meeting: Meeting) -> QuerySet[Member]:
    """Whom a correction may add to a held meeting's expected attendees: members on the meeting's date who
    belong to its organization now or were transferred out of it after that date, not yet recorded."""
    return (
        members_living_on(on=meeting.date)
        .filter(
            Q(organization_id=meeting.organization_id)
            | Q(
                transfers__from_organization_id=meeting.organization_id,
                transfers__transferred_on__gt=meeting.date,
            )
        )
        .exclude(pk__in=Attendance.objects.filter(meeting=meeting).values("member_id"))
        .distinct()
        .order_by("name", "pk")
    )


# What the number of meetings_visible's meetings depends on, the meetings list's count cached exactly under
# these tables (common.pagination): not the attendance, which the counted query leaves out.
MEETINGS_COUNT_TABLES = (
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "branches_organization",
    "branches_partygroup",
)


# The columns the meetings list shows (not the minutes, a text of any length).
MEETING_LIST_COLUMNS = (
    "date",
    "start_time",
    "status",
    "topic",
    "attended_count",
    "expected_count",
    "organization__name",
    "party_group__name",
)


def meetings_visible(
    scope,
    *,
    organization: Organization | None = None,
    year: int | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[Meeting]:
    """Meetings the user may read, newest first, with attendance counts and the columns the list shows (one
    query; a page's kinds with meeting_kind_ids)."""
    qs = scope.filter(Meeting.objects.all(), "organization")
    if organization is not None:
        qs = qs.filter(subtree_q(organization))
    if year:
        qs = qs.filter(date__year=year)
    if kind:
        qs = qs.filter(kinds__code=kind)
    if status:
        qs = qs.filter(status=status)
    attendances = Attendance.objects.filter(meeting=OuterRef("pk"))
    return (
        qs.select_related("organization", "party_group")
        .only(*MEETING_LIST_COLUMNS)
        .annotate(
            # Scalar subqueries, not a join with GROUP BY: PostgreSQL evaluates them after ORDER BY and LIMIT,
            # for the page's rows only, and the paginator's COUNT leaves them out (issue 14: grouped, the
            # county's list aggregated all its ~1M attendance rows before taking 50).
            n_present=_count_of(attendances.filter(status=Attendance.Status.PRESENT)),
            n_excused=_count_of(attendances.filter(status=Attendance.Status.EXCUSED)),
            n_absent=_count_of(attendances.filter(status=Attendance.Status.ABSENT)),
        )
        .order_by("-date", "-start_time", "-pk")
    )


def meeting_kind_ids(*, meetings: list[Meeting]) -> dict[int, list[int]]:
    """{meeting id: the ids of its kinds} of a page of meetings, in one query of the link table (name the kinds
    with meeting_kinds(), which the page reads anyway: prefetch_related built a queryset per meeting, a third of
    the county's meetings list)."""
    if not meetings:
        return {}
    kind_ids: dict[int, list[int]] = {m.pk: [] for m in meetings}
    links = Meeting.kinds.through.objects.filter(meeting_id__in=kind_ids).values_list(
        "meeting_id", "meetingkind_id"
    )
    for meeting_id, kind_id in links:
        kind_ids[meeting_id].append(kind_id)
    return kind_ids


def meeting_attachments(*, meeting: Meeting) -> list[MeetingAttachment]:
    return list(meeting.attachments.all())


def meeting_kinds() -> QuerySet[MeetingKind]:
    return MeetingKind.objects.all()


def meeting_get_stored(*, meeting: Meeting) -> Meeting:
    """The meeting as stored (a bound form writes its values onto the instance it edits; a service compares
    the change with this)."""
    return Meeting.objects.select_related("organization").get(pk=meeting.pk)


def meetings_upcoming(*, organization: Organization, as_of: dt.date, limit: int = 20) -> list[Meeting]:
    """The organization's planned meetings from `as_of` on, soonest first."""
    return list(
        Meeting.objects.filter(organization=organization, status=Meeting.Status.PLANNED, date__gte=as_of)
        .select_related("party_group")
        .prefetch_related("kinds")
        .order_by("date", "start_time")[:limit]
    )


def plans_of(*, organization: Organization) -> QuerySet[MeetingPlan]:
    """The organization's regular schedules (kinds prefetched)."""
    return (
        MeetingPlan.objects.filter(organization=organization)
        .select_related("party_group")
        .prefetch_related("kinds")
    )


def plan_get_stored(*, plan: MeetingPlan) -> MeetingPlan:
    """The plan as stored (see meeting_get_stored)."""
    return MeetingPlan.objects.get(pk=plan.pk)


def calendar_feed_active(*, organization: Organization) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(organization=organization, revoked_at__isnull=True).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The live feed behind a secret calendar URL (the token is the only credential)."""
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("organization")
        .first()
    )


def requirement_history() -> QuerySet[MeetingRequirement]:
    """Every version of every meeting rule, by kind, newest first."""
    return MeetingRequirement.objects.select_related("kind", "created_by").order_by(
        "kind__order", "-effective_from"
    )


def attendance_recorded_members(*, meeting: Meeting) -> QuerySet[Member]:
    """The members recorded as expected at a held meeting."""
    return Member.objects.filter(attendances__meeting=meeting).order_by("name", "pk")


EXPECTED = "expected"  # a planned meeting's attendee with no exception marked: expected, not present


@dataclass(frozen=True)
class SheetLine:
    member: Member
    status: str  # an Attendance.Status, or EXPECTED on a meeting not yet held
    reason: str

    @property
    def is_full(self) -> bool:
        return self.member.full_member_on is not None and self.member.full_member_on <= self.on

    on: dt.date = dt.date.min


def attendance_sheet(*, meeting: Meeting) -> list[SheetLine]:
    """A held meeting: its recorded attendance, exactly (one query): the roster changes nothing in it.
    A planned meeting: who is expected by the roster on its date (computed), each EXPECTED unless an
    exception (absent, excused) was marked ahead; nobody is present before the meeting is held.
    A cancelled meeting has no attendance."""
    if meeting.status == Meeting.Status.HELD:
        rows = meeting.attendances.select_related("member", "member__party_group").order_by(
            F("member__party_group__name").asc(nulls_first=True), "member__name", "member_id"
        )
        return [SheetLine(member=a.member, status=a.status, reason=a.reason, on=meeting.date) for a in rows]
    if meeting.status == Meeting.Status.CANCELLED:
        return []
    marked = {a.member_id: a for a in meeting.attendances.all()}
    expected = (
        expected_attendees(meeting=meeting)
        .select_related("party_group")
        .order_by(
            F("party_group__name").asc(nulls_first=True), "name", "pk"
        )  # the ungrouped first, everywhere
    )
    return [
        SheetLine(
            member=m,
            status=marked[m.pk].status if m.pk in marked else EXPECTED,
            reason=marked[m.pk].reason if m.pk in marked else "",
            on=meeting.date,
        )
        for m in expected
    ]


@dataclass(frozen=True)
class Quorum:
    rule: str  # "general" or "committee"
    eligible: int
    present: int
    projected: bool = False  # a meeting not yet held: counting everyone not marked absent or excused

    @property
    def needed(self) -> int:
        return self.eligible // 2 + 1

    @property
    def ok(self) -> bool:
        return self.present * 2 > self.eligible


def meeting_quorum(*, meeting: Meeting, sheet: list[SheetLine]) -> Quorum | None:
    """A general meeting that votes needs more than half of the members with a vote (full members;
    probationary members have none) present; a committee meeting more than half of the committee.
    Before the meeting is held the quorum is projected: everyone not marked absent or excused comes."""
    codes = {k.code for k in meeting.kinds.all()}
    projected = meeting.status != Meeting.Status.HELD
    coming = {Attendance.Status.PRESENT, EXPECTED} if projected else {Attendance.Status.PRESENT}
    present = [line for line in sheet if line.status in coming]
    if MeetingKind.GENERAL_MEETING in codes and meeting.votes:
        voters = [line for line in sheet if line.is_full]
        return Quorum("general", len(voters), sum(1 for line in present if line.is_full), projected)
    if codes == {MeetingKind.COMMITTEE_MEETING} and sheet:
        return Quorum("committee", len(sheet), len(present), projected)
    return None


def attendance_totals(sheet: list[SheetLine]) -> dict[str, int]:
    """present / excused / absent / unmarked (a planned meeting's EXPECTED lines) and `expected`, the
    number of expected attendees."""
    totals = dict.fromkeys([*Attendance.Status.values, EXPECTED], 0)
    for line in sheet:
        totals[line.status] += 1
    totals["unmarked"] = totals.pop(EXPECTED)
    totals["expected"] = len(sheet)
    return totals


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: str
    what: str
    reason: str


HISTORY_LIMIT = 100


def meeting_history(*, meeting: Meeting) -> list[HistoryEntry]:
    """Who changed what and when, newest first: the meeting's fields and its attendance (two queries).
    The rows recorded when the meeting is held are its baseline (the meeting's own entry "held"); every
    later correction of the attendance is an entry of its own, with its reason."""
    fields = [f for f in Meeting._meta.concrete_fields if f.attname not in {"id", "updated_at", "created_at"}]
    entries: list[HistoryEntry] = []
    previous = None
    for record in meeting.history.select_related("history_user").order_by("history_date", "history_id"):
        if previous is None or record.history_type == "+":
            what = _("recorded the meeting")
        else:
            changed = [
                str(f.verbose_name)
                for f in fields
                if getattr(record, f.attname) != getattr(previous, f.attname)
            ]
            if not changed:
                previous = record
                continue
            what = _("changed: %(fields)s") % {"fields": ", ".join(changed)}
        entries.append(
            HistoryEntry(
                record.history_date, str(record.history_user or ""), what, record.history_change_reason or ""
            )
        )
        previous = record
    labels = dict(Attendance.Status.choices)
    for record in (
        Attendance.history.filter(meeting_id=meeting.pk)
        .select_related("history_user", "member")
        .order_by("history_date", "history_id")
    ):
        name = record.member.name if record.member else str(record.member_id)
        status = labels.get(record.status, record.status)
        if record.history_type == "+":
            what = _("%(name)s added: %(status)s") % {"name": name, "status": status}
        elif record.history_type == "-":
            what = _("%(name)s removed from the expected attendees") % {"name": name}
        else:
            what = _("%(name)s: %(status)s") % {"name": name, "status": status}
        if record.reason and record.history_type != "-":
            what += f"（{record.reason}）"
        entries.append(
            HistoryEntry(
                record.history_date, str(record.history_user or ""), what, record.history_change_reason or ""
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:HISTORY_LIMIT]


class AttendanceLists(TypedDict):
    present: list[Attendance]
    excused: list[Attendance]
    absent: list[Attendance]


def ledger_meetings(
    *, organization: Organization, year: int
) -> list[WithAnnotations[Meeting, AttendanceLists]]:
    """The held meetings of a year for the ledger (台账), each with `present`/`excused`/`absent` lists
    (three queries: meetings, kinds, attendance with members)."""
    meetings = cast(
        "list[WithAnnotations[Meeting, AttendanceLists]]",
        list(
            Meeting.objects.filter(organization=organization, date__year=year, status=Meeting.Status.HELD)
            .select_related("party_group")
            .prefetch_related(
                "kinds",
                Prefetch(
                    "attendances",
                    queryset=Attendance.objects.select_related("member").order_by("member__name", "pk"),
                ),
            )
            .order_by("date", "start_time", "pk")
        ),
    )
    for m in meetings:
        rows = list(m.attendances.all())
        m.present = [a for a in rows if a.status == Attendance.Status.PRESENT]
        m.excused = [a for a in rows if a.status == Attendance.Status.EXCUSED]
        m.absent = [a for a in rows if a.status == Attendance.Status.ABSENT]
    return meetings


EXPORT_STATUS: dict[str, str] = {
    Attendance.Status.PRESENT: "present",
    Attendance.Status.ABSENT: "absent",
    Attendance.Status.EXCUSED: "leave",
}
EXPORT_COLUMNS = ["date", "kinds", "party_group", "id_number", "name", "status"]


def attendance_export_rows(*, organization: Organization, year: int):
    """One row per expected attendee of every held meeting with recorded attendance in the organization's
    subtree in `year` (EXPORT_COLUMNS), by date, meeting, name: two queries, rows streamed."""
    meetings = Meeting.objects.filter(subtree_q(organization), status=Meeting.Status.HELD, date__year=year)
    kinds: dict[int, list[str]] = {}
    for meeting_id, code in (
        Meeting.kinds.through.objects.filter(meeting__in=meetings)
        .order_by("meeting_id", "meetingkind__order", "meetingkind__code")
        .values_list("meeting_id", "meetingkind__code")
    ):
        kinds.setdefault(meeting_id, []).append(code)
    rows = (
        Attendance.objects.filter(meeting__in=meetings)
        .order_by("meeting__date", "meeting_id", "member__name", "member_id")
        .values_list(
            "meeting_id",
            "meeting__date",
            "meeting__party_group__name",
            "member__id_number",
            "member__name",
            "status",
        )
    )
    for meeting_id, date, group, id_number, name, status in rows.iterator(chunk_size=2000):
        yield [
            date.isoformat(),
            ";".join(kinds.get(meeting_id, [])),
            group or "",
            id_number,
            name,
            EXPORT_STATUS[status],
        ]


# -- members: attendance history and absence streaks ------------------------------------------------------


def months_before(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - n
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def with_absence(members: QuerySet[Member], *, as_of: dt.date) -> QuerySet[Member]:
    """Annotate each member (one query for any number):
    - `last_present`: the date of the last held meeting they attended;
    - `absence_streak`: unexcused absences since then (an excused absence neither breaks nor extends it);
    - `present_6m` / `excused_6m` / `absent_6m`: attendance in the six months up to `as_of`;
    - `no_life_6m` (Party Constitution art. 9, six months in a row without organizational life): a member for
      six whole months before `as_of` who missed every meeting they were expected at in those months without
      leave (请假 is not a miss; at least one such meeting). A member admitted within the window is not
      flagged.
    Each figure is a correlated subquery on the member's attendance (index member, status), not a join and
    GROUP BY: grouped, PostgreSQL evaluated every other subquery annotation (with_study_hours) once per
    joined attendance row instead of once per member (issue 14)."""
    since = months_before(as_of, 6)
    held = Attendance.objects.filter(
        member=OuterRef("pk"), meeting__status=Meeting.Status.HELD, meeting__date__lte=as_of
    )
    last_present = (
        held.filter(status=Attendance.Status.PRESENT)
        .order_by()
        .annotate(d=Func(F("meeting__date"), function="MAX"))
        .values("d")
    )
    in_window = held.filter(meeting__date__gt=since)
    return members.annotate(
        last_present=Subquery(last_present, output_field=DateField()),
        absence_streak=_count_of(
            held.filter(
                status=Attendance.Status.ABSENT,
                meeting__date__gt=Coalesce(
                    OuterRef("last_present"), Value(dt.date.min), output_field=DateField()
                ),
            )
        ),
        present_6m=_count_of(in_window.filter(status=Attendance.Status.PRESENT)),
        excused_6m=_count_of(in_window.filter(status=Attendance.Status.EXCUSED)),
        absent_6m=_count_of(in_window.filter(status=Attendance.Status.ABSENT)),
    ).annotate(
        no_life_6m=Case(
            When(
                Q(admitted_on__lte=since, absent_6m__gt=0, present_6m=0, excused_6m=0),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def no_organizational_life(member) -> bool:
    """Art. 9's six months (needs `with_absence`): see `no_life_6m` there."""
    return bool(member.no_life_6m)


def member_attendance_history(*, member: Member, limit: int = 12) -> list[Attendance]:
    return list(
        Attendance.objects.filter(member=member, meeting__status=Meeting.Status.HELD)
        .select_related("meeting")
        .order_by("-meeting__date", "-meeting_id")[:limit]
    )


# -- study ------------------------------------------------------------------------------------------------------


def study_target_in_force(*, year: int) -> StudyTarget | None:
    """The StudyTarget version in force on 1 January of `year` (it applies to the whole year)."""
    return (
        StudyTarget.objects.filter(effective_from__lte=dt.date(year, 1, 1))
        .order_by("-effective_from")
        .first()
    )


@dataclass(frozen=True)
class StudyRule:
    hours: Decimal
    channels: list[str]


def study_rule(*, year: int) -> StudyRule:
    """The year's target hours and the channels that count (one query; defaults from DOMAIN.md)."""
    target = study_target_in_force(year=year)
    if target is None:
        return StudyRule(Decimal("32"), DEFAULT_STUDY_CHANNELS.split(","))
    return StudyRule(target.hours, target.channel_codes)


def study_channels_for(*, year: int) -> list[str]:
    return study_rule(year=year).channels


def _lecture_hours(prefix: str = "meeting__"):
    """A 党课's study hours for each member present: its stated `study_hours`, else its duration (start to
    end time), else nothing. Portable arithmetic (SQLite and PostgreSQL): minutes as float, / 60. `prefix`
    reaches the Meeting ("" on Meeting itself)."""

    def minutes(field: str):
        return ExtractHour(f"{prefix}{field}") * 60 + ExtractMinute(f"{prefix}{field}")

    return Coalesce(
        Cast(f"{prefix}study_hours", FloatField()),
        Cast(minutes("end_time") - minutes("start_time"), FloatField()) / Value(60.0),
        Value(0.0),
        output_field=FloatField(),
    )


def _lectures_attended(year: int, member_ref: str = "pk") -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        member=OuterRef(member_ref),
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.HELD,
        meeting__date__gte=dt.date(year, 1, 1),
        meeting__date__lt=dt.date(year + 1, 1, 1),
        meeting__kinds__code=MeetingKind.PARTY_LECTURE,
    )


def with_study_hours(
    members: QuerySet[Member], *, year: int, channels: list[str] | None = None
) -> QuerySet[Member]:
    """Annotate `study_hours` of `year` toward the target: concentrated study (集中学习) only, i.e. study
    records in the channels that count (StudyTarget.channels, data; self-study does not count), plus the
    hours of every 党课 the member attended (when lectures count) — once: a lecture-channel study record on the
    day of a 党课 the member attended is the same lecture and adds nothing. Correlated subqueries, not joins,
    so that it combines with other annotations (with_absence) without multiplying the sums."""
    channels = study_channels_for(year=year) if channels is None else channels
    decimal = DecimalField(max_digits=6, decimal_places=1)
    same_lecture = Exists(
        Attendance.objects.filter(
            member=OuterRef("member"),
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__date=OuterRef("date"),
            meeting__kinds__code=MeetingKind.PARTY_LECTURE,
        )
    )
    records = (
        StudyRecord.objects.filter(
            member=OuterRef("pk"),
            date__gte=dt.date(year, 1, 1),
            date__lt=dt.date(year + 1, 1, 1),
            channel__in=channels,
        )
        .exclude(Q(channel=StudyRecord.Channel.LECTURE) & same_lecture)
        .order_by()
        .values("member")
        .annotate(total=Sum(Cast("hours", FloatField())))
        .values("total")
    )
    total: Any = Coalesce(Subquery(records, output_field=FloatField()), Value(0.0), output_field=FloatField())
    if StudyRecord.Channel.LECTURE in channels:
        lectures = (
            _lectures_attended(year)
            .order_by()
            .values("member")
            .annotate(total=Sum(_lecture_hours()))
            .values("total")
        )
        total = total + Coalesce(
            Subquery(lectures, output_field=FloatField()), Value(0.0), output_field=FloatField()
        )
    return members.annotate(study_hours=Cast(total, decimal))


def members_progress(
    *,
    scope: Scope,
    organization: Organization,
    year: int,
    as_of: dt.date,
    order: str = "absence",
    channels: list[str] | None = None,
) -> list[Member]:
    """The living members of the organization's subtree that the scope reads, with their absence streaks
    (with_absence's attributes) and study hours of `year` (with_study_hours'): longest streak first, or fewest
    hours first (`order="study"`), then by name. The figures from member_figures' grouped passes (five
    queries, not seven subqueries planned per member; one while they are cached: member_figures_cached); the
    members come by name from the database (its collation) and a stable sort puts the figures first."""
    members = scope.filter(
        Member.objects.filter(subtree_q(organization)).filter(living_on(as_of)),
        "organization",
    )
    channels = study_channels_for(year=year) if channels is None else channels
    figures = member_figures_cached(members, year=year, as_of=as_of, channels=channels, few=True)
    rows = list(members.select_related("organization", "party_group").order_by("name", "pk"))
    for m in rows:
        f = figures.get(m.pk) or MemberFigures()
        m.last_present, m.absence_streak = f.last_present, f.absence_streak
        m.no_life_6m, m.study_hours = f.no_life_6m, f.study_hours
    if order == "study":
        rows.sort(key=lambda m: m.study_hours)
    else:
        rows.sort(key=lambda m: (-m.absence_streak, m.study_hours))
    return rows


@dataclass
class UnitProgress:
    """One organization's members at a glance (the county's and a township's study page): how many are on
    its own roll, how many have ABSENCE_STREAK_ALERT unexcused absences in a row, how many had no
    organizational life for six months, how many are below the study target, and their mean study hours."""

    organization: Organization
    members: int
    absence_alerts: int
    no_life: int
    behind: int
    mean_hours: Decimal


def progress_units(*, scope: Scope, organization: Organization, as_of: dt.date) -> QuerySet[Organization]:
    """The organizations of the subtree (itself included) that the scope reads and that have living members
    of their own, in tree order: the rows of a township's or the county's study page (one query, however many
    members; paginate it, then `units_progress` for the page's rows)."""
    direct = Member.objects.filter(organization=OuterRef("pk")).filter(living_on(as_of))
    return (
        scope.filter(Organization.objects.filter(subtree_q(organization, "")), "")
        .filter(Exists(direct))
        .order_by("path")
    )


@dataclass
class MemberFigures:
    last_present: dt.date | None = None
    absence_streak: int = 0
    no_life_6m: bool = False
    study_hours: Decimal = Decimal("0.0")


def _plain_rows(query: QuerySet) -> list[tuple]:
    """A values_list query's rows as the database driver returns them (ids, counts, dates: nothing to convert),
    without the ORM's per-row work: for the county-wide passes, tens of thousands of rows. (SQLite returns
    dates as text: there the ORM converts them.)"""
    if connection.vendor != "postgresql":
        return list(query)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def member_figures(
    members: QuerySet[Member], *, year: int | None, as_of: dt.date, channels: list[str], few: bool = False
) -> dict[int, MemberFigures]:
    """with_absence's and with_study_hours's figures for many members at once, as grouped passes over their
    attendance and study records (five queries, each reading the rows once) instead of correlated subqueries
    per member: for summing over hundreds or thousands of members. Members without rows are left out (their
    figures are MemberFigures()). Without a `year`, the absence figures only; `few`: see study_hours_of."""
    ids = members.values("pk")
    since = months_before(as_of, 6)
    held = Attendance.objects.filter(
        member__in=ids, meeting__status=Meeting.Status.HELD, meeting__date__lte=as_of
    ).order_by()
    present, excused, absent = (
        Q(status=Attendance.Status.PRESENT),
        Q(status=Attendance.Status.EXCUSED),
        Q(status=Attendance.Status.ABSENT),
    )
    in_window = Q(meeting__date__gt=since)
    admitted = dict(members.order_by().values_list("pk", "admitted_on"))
    out: dict[int, MemberFigures] = {}
    grouped = held.values("member_id").annotate(
        last=Max("meeting__date", filter=present),
        p=Count("pk", filter=present & in_window),
        e=Count("pk", filter=excused & in_window),
        a=Count("pk", filter=absent & in_window),
    )
    for member_id, last, p, e, a in _plain_rows(grouped.values_list("member_id", "last", "p", "e", "a")):
        out[member_id] = MemberFigures(
            last_present=last, no_life_6m=bool(admitted[member_id] <= since and a and not p and not e)
        )
    # The streak: unexcused absences after the last attendance, counted here from the absences' dates (a
    # few per member) rather than by a subquery per absence.
    for member_id, day in _plain_rows(held.filter(absent).values_list("member_id", "meeting__date")):
        figures = out[member_id]
        if figures.last_present is None or day > figures.last_present:
            figures.absence_streak += 1
    if year is None:  # the absence figures only
        return out
    for member_id, hours in study_hours_of(members=members, year=year, channels=channels, few=few).items():
        out.setdefault(member_id, MemberFigures()).study_hours = hours
    return out


STUDY_FIGURES_TABLES = (  # everything member_figures reads, the members' query included
    "branches_organization",  # the members' query may reach their organization's path (subtree, scope)
    "members_member",
    "education_attendance",
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "education_studyrecord",
)


def member_figures_cached(
    members: QuerySet[Member], *, year: int, as_of: dt.date, channels: list[str], few: bool = False
) -> dict[int, MemberFigures]:
    """member_figures, from the cache while none of STUDY_FIGURES_TABLES has been written since (one query,
    common.table_versions: exact). The key holds the members' query itself (its SQL and parameters: the
    organizations, the scope, the day), the year, the day and the channels."""
    sql, params = members.order_by().values("pk").query.sql_with_params()
    digest = hashlib.sha1(repr((sql, params)).encode()).hexdigest()
    return cached_exactly(
        f"education:member_figures:{digest}:{year}:{as_of.isoformat()}:{','.join(channels)}",
        tables=STUDY_FIGURES_TABLES,
        compute=lambda: member_figures(members, year=year, as_of=as_of, channels=channels, few=few),
    )


def units_progress(
    *,
    units: list[Organization],
    year: int,
    as_of: dt.date,
    target: Decimal,
    channels: list[str],
) -> list[UnitProgress]:
    """Per unit, its own living members' figures (member_figures) summed: the cost grows with the units
    shown (a page), not with the county. Five queries; two while the figures are cached
    (member_figures_cached)."""
    members = Member.objects.filter(organization__in=units).filter(living_on(as_of))
    figures = member_figures_cached(members, year=year, as_of=as_of, channels=channels)
    by_unit: dict[int, list[MemberFigures]] = {unit.pk: [] for unit in units}
    for member_id, org_id in members.order_by().values_list("pk", "organization_id"):
        by_unit[org_id].append(figures.get(member_id, MemberFigures()))
    out = []
    for unit in units:
        rows = by_unit[unit.pk]
        hours = [r.study_hours for r in rows]
        out.append(
            UnitProgress(
                unit,
                len(rows),
                sum(1 for r in rows if r.absence_streak >= ABSENCE_STREAK_ALERT),
                sum(1 for r in rows if r.no_life_6m),
                sum(1 for h in hours if h < target),
                (sum(hours, Decimal(0)) / len(hours)).quantize(Decimal("0.1")) if hours else Decimal("0.0"),
            )
        )
    return out


@dataclass(frozen=True)
class AttendanceEntry:
    """One held meeting a member was expected at, as their page lists it."""

    status: str
    date: dt.date
    topic: str


def member_summary(
    *, member: Member, year: int, as_of: dt.date, channels: list[str], limit: int = 12
) -> tuple[MemberFigures, list[AttendanceEntry]]:
    """One member's with_absence and with_study_hours figures (as member_figures gives them) and their last
    `limit` held meetings' attendance, newest first (member_attendance_history's): what the member page's
    panel shows, in two light queries instead of the annotations' seven correlated subqueries, whose
    building cost more than running them (issue 14). Their held meetings' attendance is read once, a few
    hundred rows at most, for both the history and the absence figures (the same rules as with_absence:
    counted up to `as_of`, the streak after the last attendance, six months for art. 9); the hours are
    study_hours_of's."""
    rows = statements.by_id(
        Attendance,
        "education.member_summary",
        lambda pk: (
            Attendance.objects.filter(member_id=pk, meeting__status=Meeting.Status.HELD)
            .order_by("-meeting__date", "-meeting_id")
            .values_list("status", "meeting__date", "meeting__topic")
        ),
        member.pk,
    )
    figures = MemberFigures()
    since = months_before(as_of, 6)
    counted = [(status, day) for status, day, _topic in rows if day <= as_of]
    present_days = [day for status, day in counted if status == Attendance.Status.PRESENT]
    figures.last_present = max(present_days, default=None)
    in_window: dict[str, int] = {
        Attendance.Status.PRESENT: 0,
        Attendance.Status.EXCUSED: 0,
        Attendance.Status.ABSENT: 0,
    }
    for status, day in counted:
        if status == Attendance.Status.ABSENT and (
            figures.last_present is None or day > figures.last_present
        ):
            figures.absence_streak += 1
        if day > since and status in in_window:
            in_window[status] += 1
    figures.no_life_6m = bool(
        member.admitted_on is not None
        and member.admitted_on <= since
        and in_window[Attendance.Status.ABSENT]
        and not in_window[Attendance.Status.PRESENT]
        and not in_window[Attendance.Status.EXCUSED]
    )
    hours = study_hours_of_ids(ids=[member.pk], year=year, channels=channels)
    figures.study_hours = hours.get(member.pk, figures.study_hours)
    history = [AttendanceEntry(status, day, topic) for status, day, topic in rows[:limit]]
    return figures, history


def member_stats(*, member: Member, year: int, as_of: dt.date, channels: list[str] | None = None) -> Member:
    """The member with with_absence and with_study_hours annotations (one query)."""
    members = with_absence(Member.objects.filter(pk=member.pk), as_of=as_of)
    return with_study_hours(members, year=year, channels=channels).get()


def study_records_of(*, member: Member, year: int) -> QuerySet[StudyRecord]:
    return StudyRecord.objects.filter(member=member, date__year=year).order_by("-date", "-pk")


def members_writable_in(*, scope: Scope, organization: Organization) -> QuerySet[Member]:
    """The living members of the organization's subtree that the scope may write, by name."""
    return scope.filter(
        Member.objects.filter(subtree_q(organization)).filter(on_roll_q()),
        "organization",
        write=True,
    ).order_by("name", "pk")


# -- compliance pages --------------------------------------------------------------------------------------------


@dataclass
class StripRow:
    kind: str
    label: str
    party_group: str
    period_type: str
    cells: list[ComplianceRow]


def organization_strip(*, organization: Organization, year: int, as_of: dt.date) -> list[StripRow]:
    """The year strip of one branch: one row per kind (and party group), one cell per period (its grid from
    the cache while nothing it is computed from has changed: education.compliance_cache)."""
    rows = units_grid([organization.pk], year=year, as_of=as_of)
    strip: dict[tuple, StripRow] = {}
    for r in rows:
        key = (r.kind, r.party_group, r.period.type)
        if key not in strip:
            strip[key] = StripRow(r.kind, r.kind_label, r.party_group, r.period.type, [])
        strip[key].cells.append(r)
    return list(strip.values())


def branches_summary(
    *, root: Organization, year: int, as_of: dt.date, only_behind: bool = False
) -> list[UnitTally]:
    """Every measured organization under `root` with its counts, the most behind first (a fixed number of
    queries whatever the number of branches, one while the cached cells are current; counted per unit from
    the cells as masks, no row per cell: education.compliance_cache)."""
    summary = subtree_tally(root, year=year, as_of=as_of)
    out = [s for s in summary if s.missing or not only_behind]
    out.sort(key=lambda s: (-s.missing, s.code))
    return out


def compliance_cells_of(*, org: Organization, year: int, as_of: dt.date) -> YearCells | None:
    """The compliance grid of `org`'s subtree for `year` (report_compliance's cells) as masks to count (by
    unit, status, period): what the dashboard adds up per child and per month, in a few integer operations
    per unit instead of a row per cell (kept in the cache until what they are computed from changes:
    education.compliance_cache)."""
    return subtree_cells(org, year=year, as_of=as_of)


def compliance_rate(*, ok: int, missing: int) -> float | None:
    """The share of judged cells that are ok, in percent: periods still running (due) are not judged yet;
    None when nothing has been judged."""
    judged = ok + missing
    return round(100 * ok / judged, 1) if judged else None


def organization_month_rows(
    *, organization: Organization, year: int, month: int, as_of: dt.date
) -> list[ComplianceRow]:
    """The branch's compliance cells judged at the end of one month (the month's, and the quarter's or the
    year's that end with it), missing first: what a red cell of the heat map stands for."""
    rows = units_grid([organization.pk], year=year, as_of=as_of)
    order = {MISSING: 0, DUE: 1}
    cells = [r for r in rows if r.period.end.month == month]
    return sorted(cells, key=lambda r: order.get(r.status, 2))


def _study_hours_sql(
    members: QuerySet | tuple[str, list],
    *,
    year: int,
    channels: list[str],
    all_members: bool = False,
    few: bool = False,
) -> tuple[str, list]:
    """with_study_hours' figure, set-based, as SQL: a row (m.*, `hours`, `counted`) for each row of `members` (a
    values() query whose `mid` is the member's id, its other columns passed through), `hours` rounded to the
    tenth as with_study_hours' decimal annotation rounds it (0 without any), `counted` whether any record or
    党课 counted. The same rule: concentrated study in the channels that count, a lecture-channel record on the
    day of a 党课 the member attended adding nothing, plus the hours of every 党课 attended when lectures
    count; the records' sum plus the lectures' sum, each grouped once by member over the year's rows (with
    correlated subqueries, PostgreSQL planned them per member; grouped in Python, a county's year of records
    and attendance crossed into Python).
    Shaped for PostgreSQL's planner (issue 14): the year's 党课 are read once with their hours (per meeting,
    not per attendance) and their attendance joined to them; the exclusion is a NOT EXISTS of its own (an
    anti-join: inside an OR it was a subplan costed per row, which led the planner astray); and with
    `all_members` (the organization is a root: its subtree is every member) the year's rows are not first
    matched against the members, the final join drops whoever is not one of them; with `few` (a branch, a
    page of a list) only the 党课 they attended are read, not the year's of the whole county (for hundreds of
    members, reading their attendance costs more than the county's lectures)."""
    if isinstance(members, QuerySet):
        member_sql, member_params = members.order_by().query.sql_with_params()
        ids_sql, ids_params = members.order_by().values("mid").query.sql_with_params()
        member_ids: QuerySet | RawSQL = members.values("mid")
    else:  # the rows themselves, a single column `mid` (_ids_rows)
        member_sql, member_params = members[0], tuple(members[1])
        ids_sql, ids_params = member_sql, member_params
        member_ids = RawSQL(ids_sql, ids_params)
    year_start, year_end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    of_members = "" if all_members else f" AND x.mid IN ({ids_sql})"
    records = (
        StudyRecord.objects.filter(date__gte=year_start, date__lt=year_end, channel__in=channels)
        .order_by()
        .values(mid=F("member_id"), day=F("date"), h=Cast("hours", FloatField()))
    )
    lecture = StudyRecord.Channel.LECTURE
    others_sql, others_params = records.exclude(channel=lecture).query.sql_with_params()
    ctes, params, joins, total = "", [], "", "COALESCE(r.t, 0)"
    sums = [f"SELECT x.mid, x.h FROM ({others_sql}) x WHERE TRUE{of_members}"]
    sums_params = [*others_params, *([] if all_members else ids_params)]
    if lecture in channels:
        present = (
            Attendance.objects.filter(status=Attendance.Status.PRESENT)
            .order_by()
            .values(mid=F("member_id"), meeting_ref=F("meeting_id"))
        )
        meetings = Meeting.objects.filter(
            status=Meeting.Status.HELD,
            date__gte=year_start,
            date__lt=year_end,
            kinds__code=MeetingKind.PARTY_LECTURE,
        )
        if few:
            attended = Attendance.objects.filter(
                status=Attendance.Status.PRESENT, member__in=member_ids
            ).values("meeting_id")
            meetings = meetings.filter(pk__in=attended)
        meetings_sql, meetings_params = (
            meetings.order_by()
            .values(meeting=F("pk"), day=F("date"), h=_lecture_hours(""))
            .query.sql_with_params()
        )
        present_sql, present_params = present.query.sql_with_params()
        # the year's 党课 with their hours, computed once per meeting; `lec`: a row per member present, read
        # once for a subtree; for the whole county twice, which lets the planner hash the anti-join
        lec = "NOT MATERIALIZED" if all_members else "MATERIALIZED"
        ctes = (
            f"WITH lm AS MATERIALIZED ({meetings_sql}), lec AS {lec} ("
            f"SELECT x.mid, lm.day, lm.h FROM ({present_sql}) x JOIN lm ON lm.meeting = x.meeting_ref "
            f"WHERE TRUE{of_members}) "
        )
        params = [*meetings_params, *present_params, *([] if all_members else ids_params)]
        lectures_sql, lectures_params = records.filter(channel=lecture).query.sql_with_params()
        sums.append(
            f"SELECT x.mid, x.h FROM ({lectures_sql}) x WHERE NOT EXISTS "
            f"(SELECT 1 FROM lec WHERE lec.mid = x.mid AND lec.day = x.day){of_members}"
        )
        sums_params += [*lectures_params, *([] if all_members else ids_params)]
        joins = " LEFT JOIN (SELECT lec.mid, SUM(lec.h) AS t FROM lec GROUP BY lec.mid) l ON l.mid = m.mid"
        total += " + COALESCE(l.t, 0)"
    counted = "r.mid IS NOT NULL" + (" OR l.mid IS NOT NULL" if joins else "")
    sql = (
        f"{ctes}SELECT m.*, ROUND(CAST({total} AS NUMERIC), 1) AS hours, ({counted}) AS counted "
        f"FROM ({member_sql}) m LEFT JOIN (SELECT u.mid, SUM(u.h) AS t FROM ({' UNION ALL '.join(sums)}) u "
        f"GROUP BY u.mid) r ON r.mid = m.mid{joins}"
    )
    return sql, [*params, *member_params, *sums_params]


def _decimal_tenths(value) -> Decimal:
    """A rounded figure as the database returns it (PostgreSQL: numeric; SQLite: a float) as a Decimal."""
    return (value if isinstance(value, Decimal) else Decimal(repr(float(value)))).quantize(Decimal("0.1"))


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def study_hours_of(
    *, members: QuerySet[Member], year: int, channels: list[str], few: bool = False
) -> dict[int, Decimal]:
    """with_study_hours' figure for many members at once: {member id: hours of `year`, to the tenth} for the
    members with any record or 党课 that counts (one query, however many members; _study_hours_sql; `few`
    for a handful, a page: only the 党课 they attended are read). tests/education/test_study_hours_grouped.py
    holds both to the same results."""
    sql, params = _study_hours_sql(members.values(mid=F("pk")), year=year, channels=channels, few=few)
    rows = _fetch(f"SELECT x.mid, x.hours FROM ({sql}) x WHERE x.counted", params)
    return {member_id: _decimal_tenths(hours) for member_id, hours in rows}


# study_hours_of_ids' statements, built once per process for each (database, year, channels): the same SQL for
# any members, who are one parameter (an array); building it cost more than running it for one member's page
_IDS_SQL: dict[tuple[str, int, tuple[str, ...]], tuple[str, list]] = {}
_NO_MEMBER = [-1]  # the ids it is built with (no member's), their parameter then replaced by the members'


def _ids_rows(ids: list[int]) -> tuple[str, list]:
    """`ids` as rows of one column `mid`, one array parameter: read as they are, not matched against the roster
    first (an id no member has has no records and is not counted); the planner's work on the member page's
    statement, which names them five times, is a third less than with `pk__in=_among(ids)` (issue 14)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[]) AS mid", [ids]
    return "SELECT value AS mid FROM json_each(%s)", [json.dumps(ids)]


def study_hours_of_ids(*, ids: list[int], year: int, channels: list[str]) -> dict[int, Decimal]:
    """study_hours_of(few=True) for the members `ids` (a member's page, a page of a list): the same SQL, the
    same figures, its statement built once per process and year (it depends on nothing else but the
    channels) rather than by the ORM on every request."""
    if not ids:
        return {}
    key = (connection.vendor, year, tuple(channels))
    built = _IDS_SQL.get(key)
    if built is None:
        sql, params = _study_hours_sql(_ids_rows(_NO_MEMBER), year=year, channels=channels, few=True)
        built = _IDS_SQL[key] = (f"SELECT x.mid, x.hours FROM ({sql}) x WHERE x.counted", list(params))
    sql, params = built
    (placeholder,) = _ids_rows(_NO_MEMBER)[1]
    (members_param,) = _ids_rows(list(ids))[1]
    rows = _fetch(sql, [members_param if p == placeholder else p for p in params])
    return {member_id: _decimal_tenths(hours) for member_id, hours in rows}


@dataclass(frozen=True)
class StudyProgress:
    members: int = 0
    reached: int = 0  # members with at least the year's target hours (study_rule)
    hours: Decimal = Decimal("0")


def study_progress_by(
    *, org: Organization, year: int, as_of: dt.date, depth: int, rule: StudyRule | None = None
) -> dict[str, StudyProgress]:
    """Members of `org`'s subtree living on `as_of` (as members_progress), their study hours of `year`
    (with_study_hours' figure, to the tenth: _study_hours_sql), and how many reached the target, summed per the
    path of the ancestor at `depth` of their organization (branches.paths.path_at_depth), in the database: one
    query after the rule, a row per unit."""
    rule = rule or study_rule(year=year)
    members = (
        Member.objects.filter(subtree_q(org))
        .filter(living_on(as_of))
        .values(mid=F("pk"), unit=path_at_depth("organization__path", depth=depth))
    )
    sql, params = _study_hours_sql(
        members,
        year=year,
        channels=rule.channels,
        all_members=org.parent_id is None,
        few=org.kind in Organization.BASIC_KINDS,
    )
    # the target compared as the database's own number (SQLite would compare a float with the text of a Decimal)
    target = rule.hours if connection.vendor == "postgresql" else float(rule.hours)
    rows = _fetch(
        "SELECT x.unit, COUNT(*), SUM(CASE WHEN x.hours >= %s THEN 1 ELSE 0 END), SUM(x.hours) "
        f"FROM ({sql}) x GROUP BY x.unit",
        [target, *params],
    )
    return {unit: StudyProgress(n, reached, _decimal_tenths(hours)) for unit, n, reached, hours in rows}


# -- reminders (the education_* jobs: who is told what) ------------------------------------------------------

MISSED_LOOKBACK_DAYS = 31  # a period that ended longer ago than this is not reported again
MINUTES_AFTER_DAYS = 3
MINUTES_LOOKBACK_DAYS = 60
ABSENCE_STREAK_ALERT = 3
Role = RoleAssignment.Role
TOWNSHIP_ROLES = (Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)


@dataclass
class Notice:
    """One thing to tell `recipients`: `kind` names the delivery kind and the template
    (education/email/<kind>); `obj` is the object part of the key "edu_<kind>:<obj>:<user>"."""

    kind: str
    obj: str
    recipients: list
    context: dict
    url: str
    organization_id: int | None = None  # what it is about (the digest groups by it)


def _branch_secretaries(org_ids) -> dict[int, list]:
    return recipients_for(org_ids=org_ids, roles=[Role.BRANCH_SECRETARY])


def period_notices(*, as_of: dt.date) -> list[Notice]:
    """`remind_days_before` (per kind, data) days before a period ends with a required meeting still missing:
    the branch secretary (`period_due`); in the MISSED_LOOKBACK_DAYS after the period: the secretary
    (`period_missed`) and the township secretaries and staff (`period_township`). Once per (branch, kind,
    group, period, stage)."""
    rules = load_rules()
    remind = {r.code: r.remind_days_before for r in rules}
    years = {as_of.year}
    if (as_of - dt.timedelta(days=MISSED_LOOKBACK_DAYS)).year != as_of.year:
        years.add(as_of.year - 1)

    def wanted(kind: str, period, status: str) -> bool:
        if status == DUE:
            return period.start <= as_of and 0 <= (period.end - as_of).days <= remind[kind]
        return status == MISSING and 0 < (as_of - period.end).days <= MISSED_LOOKBACK_DAYS

    rows = []
    for year in sorted(years):
        rows += compliance_grid(None, year=year, as_of=as_of, keep=wanted)  # every organization, exact-cached
    due = [
        r
        for r in rows
        if r.status == DUE and r.period.start <= as_of and 0 <= (r.period.end - as_of).days <= remind[r.kind]
    ]
    missed = [
        r for r in rows if r.status == MISSING and 0 < (as_of - r.period.end).days <= MISSED_LOOKBACK_DAYS
    ]
    if not due and not missed:
        return []
    org_ids = {r.organization_id for r in due + missed}
    secretaries = _branch_secretaries(org_ids)
    paths = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "path"))
    township_staff = recipients_above(
        paths={paths[r.organization_id] for r in missed},
        roles=TOWNSHIP_ROLES,
        kind=Organization.Kind.TOWNSHIP,
    )
    notices = []
    compliance_url = id_url("education:compliance_org")
    for stage, items in (("period_due", due), ("period_missed", missed)):
        for r in items:
            url = compliance_url(r.organization_id) + f"?year={r.period.start.year}"
            # `who` names the party group too: four groups' reminders must not share one subject
            who = f"{r.org_name} {r.party_group}" if r.party_group else r.org_name
            context = {"row": r, "who": who, "days_left": (r.period.end - as_of).days, "link": url}
            obj = f"{r.organization_id}:{r.kind}:{r.party_group_id or 0}:{r.period.label}"
            notices.append(
                Notice(stage, obj, secretaries.get(r.organization_id, []), context, url, r.organization_id)
            )
            if stage == "period_missed":
                staff = township_staff.get(paths[r.organization_id], [])
                notices.append(Notice("period_township", obj, staff, context, url, r.organization_id))
    return notices


def minutes_missing_notices(*, as_of: dt.date) -> list[Notice]:
    """A meeting whose date is MINUTES_AFTER_DAYS or more past and has no minutes: the branch secretary."""
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            minutes="",
            date__lte=as_of - dt.timedelta(days=MINUTES_AFTER_DAYS),
            date__gte=as_of - dt.timedelta(days=MINUTES_LOOKBACK_DAYS),
        )
        .select_related("organization", "party_group")
        .prefetch_related("kinds")
    )
    secretaries = _branch_secretaries({m.organization_id for m in meetings}) if meetings else {}
    notices = []
    for m in meetings:
        url = reverse("education:meeting_detail", args=[m.pk])
        context = {"meeting": m, "kinds": "、".join(k.name_zh for k in m.kinds.all()), "link": url}
        notices.append(
            Notice(
                "minutes_missing",
                str(m.pk),
                secretaries.get(m.organization_id, []),
                context,
                url,
                m.organization_id,
            )
        )
    return notices


# What the absence alerts are computed from (common.table_versions); who is told is read afresh each time.
ABSENCE_TABLES = ("members_member", "education_attendance", "education_meeting")


def _absences_alerted(as_of: dt.date) -> dict[int, MemberFigures]:
    """The absence figures of the members an absence alert is about on `as_of` (absence_notices)."""
    living = Member.objects.filter(living_on(as_of))
    maybe = (
        Attendance.objects.filter(
            status=Attendance.Status.ABSENT,
            meeting__status=Meeting.Status.HELD,
            meeting__date__lte=as_of,
            member__in=living.values("pk"),
        )
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"), recent=Count("pk", filter=Q(meeting__date__gt=months_before(as_of, 6))))
        .filter(Q(n__gte=ABSENCE_STREAK_ALERT) | Q(recent__gt=0))
        .values_list("member_id", flat=True)
    )
    maybe_ids = list(maybe)
    if not maybe_ids:
        return {}
    figures = member_figures(living.filter(pk__in=maybe_ids), as_of=as_of, year=None, channels=[])
    return {pk: f for pk, f in figures.items() if f.absence_streak >= ABSENCE_STREAK_ALERT or f.no_life_6m}


def absence_notices(*, as_of: dt.date) -> list[Notice]:
    """A member with ABSENCE_STREAK_ALERT unexcused absences in a row (`absence_streak`), and six months
    without any organizational life (`absence_six_months`, Party Constitution art. 9): the branch secretary.
    Keyed by the member's last attended date, so a new streak after attending again alerts again.

    Either alert needs unexcused absences (a streak of ABSENCE_STREAK_ALERT, or one in the six months), and
    they are a few percent of the attendance: one grouped pass over the county's absences finds the members
    who have them, then the grouped passes of member_figures (without the study hours) read the attendance of
    those members only. Who is alerted, with their figures, is kept exactly under the versions of
    ABSENCE_TABLES (a run of the jobs with no new attendance, meeting or member computes none of it); then the
    members alerted and their secretaries. Six queries when computed, three when kept."""
    alerted = cached_exactly(
        f"education:absences_alerted:{as_of.isoformat()}",
        tables=ABSENCE_TABLES,
        compute=lambda: _absences_alerted(as_of),
    )
    if not alerted:
        return []
    members: list[Any] = list(Member.objects.filter(pk__in=list(alerted)).select_related("organization"))
    for m in members:  # the attributes with_absence would have annotated (the templates read them)
        f = alerted[m.pk]
        m.last_present, m.absence_streak, m.no_life_6m = f.last_present, f.absence_streak, f.no_life_6m
    secretaries = _branch_secretaries({m.organization_id for m in members}) if members else {}
    notices = []
    for m in members:
        since = m.last_present.isoformat() if m.last_present else "never"
        url = reverse("education:member_record", args=[m.pk])
        context = {"member": m, "organization": m.organization, "link": url}
        stages = []
        if m.absence_streak >= ABSENCE_STREAK_ALERT:
            stages.append("absence_streak")
        if no_organizational_life(m):
            stages.append("absence_six_months")
        for stage in stages:
            notices.append(
                Notice(
                    stage,
                    f"{m.pk}:{since}",
                    secretaries.get(m.organization_id, []),
                    context,
                    url,
                    m.organization_id,
                )
            )
    return notices


def lapse_notices(*, as_of: dt.date) -> list[Notice]:
    """The other reasons of art. 9 that other apps report through common.lapses (dues: six months unpaid),
    each as its own stage `six_months_lapse`, keyed "edu_six_months_lapse:<reason>:<member>:<since>:<user>":
    to the branch secretary, once per member, reason and run. The apps' queries, then two."""
    found = lapses.collect(member_ids=None, as_of=as_of)
    if not found:
        return []
    members = list(Member.objects.filter(living_on(as_of), pk__in=list(found)).select_related("organization"))
    secretaries = _branch_secretaries({m.organization_id for m in members})
    notices = []
    for m in members:
        for lapse in found[m.pk]:
            url = lapse.url or reverse("education:member_record", args=[m.pk])
            context = {
                "member": m,
                "organization": m.organization,
                "reason": lapse.text,
                "since": lapse.since,
                "link": url,
            }
            obj = f"{lapse.reason}:{m.pk}:{lapse.since.isoformat()}"
            notices.append(
                Notice("six_months_lapse", obj, secretaries.get(m.organization_id, []), context, url)
            )
    return notices


# -- escalation to the county (education_county_escalation) --------------------------------------------------

COUNTY_RUN = 2  # a required meeting missed this many periods running reaches the county office


def _kind_name(name_zh: str, name_en: str) -> str:
    return name_en if (get_language() or "").lower().startswith("en") else name_zh


# The kind's name in the language the message is rendered in (each recipient's own). Made lazy once: lazy()
# builds a proxy class on every call, which cost more than the rest of the escalation's loop.
_kind_label = lazy(_kind_name, str)


def _county_runs(as_of: dt.date) -> list[list[ComplianceRow]]:
    """county_escalations' runs: each (organization, kind, group)'s current run of missed periods, COUNTY_RUN
    or more long, that did not begin before the grid's first period.

    The county's cells (tens of thousands a year) are read as plain pairs (county_cells); only the cells of a
    run become rows. The runs come in the order of their series' first cells by period and then in the grid's
    order: what sorting all the cells by period would give."""
    rules = load_rules()
    yearly = [k.code for k in rules if any(v.period == Period.YEAR for v in k.versions)]
    # Each (organization, kind, group)'s ended cells as (period start, index, unit, cell), by period
    by_series: dict[tuple, list[tuple]] = {}
    index = 0
    for year, kinds in (
        (as_of.year - 3, yearly),
        (as_of.year - 2, yearly),
        (as_of.year - 1, None),
        (as_of.year, None),
    ):
        if kinds is not None and not kinds:
            continue
        for unit, cell in county_cells(year=year, as_of=as_of, kinds=kinds):  # every organization, cached
            start = cell[3].start
            if cell[3].end < as_of:
                by_series.setdefault((unit["pk"], cell[0].code, cell[1]), []).append(
                    (start, index, unit, cell)
                )
                index += 1
    one_day = dt.timedelta(days=1)
    found: list[tuple[tuple, list[tuple]]] = []
    for (_org, kind, _group), entries in by_series.items():
        entries.sort()  # by period start (one cell per start in a series), then as measured
        run: list[tuple] = []
        for entry in entries:
            period, status = entry[3][3], entry[3][6]
            if status != MISSING:
                run = []
            elif run and run[-1][3][3].end + one_day == period.start and run[-1][3][3].type == period.type:
                run.append(entry)
            else:
                run = [entry]
        if len(run) < COUNTY_RUN or run[-1] is not entries[-1]:
            continue
        grid_start = dt.date(as_of.year - (3 if kind in yearly else 1), 1, 1)
        if run[0] is entries[0] and entries[0][0] == grid_start:  # began before the grid: escalated then
            continue
        found.append((entries[0], run))
    in_grid = grid_order(rules)
    found.sort(key=lambda item: (item[0][0], in_grid(compliance_row(item[0][2], item[0][3])), item[0][1]))
    return [[compliance_row(unit, cell) for _start, _i, unit, cell in run] for _first, run in found]


def county_escalations(*, as_of: dt.date) -> list[Escalation]:
    """A branch that has missed a required meeting COUNTY_RUN periods running (two months of 支委会, two
    quarters of 党课, ...) and still has: what the township has not dealt with in time. One escalation per run,
    keyed by the run's second period, so a third missed period in the same run sends nothing new, and a
    meeting held (recorded late) within the period makes it `ok` and ends the run. Only a run that is still
    current (it includes the last period of that kind that has ended) is escalated.

    The grid covers last year and this one (four years for a kind measured yearly). A run that reaches back
    to the grid's first period is not escalated: it began before, was escalated then under its own key, and
    its start (the key) is no longer seen, so it would otherwise be sent again each year. A fixed number of
    queries (seven per year of the grid); the runs themselves kept exactly under the versions of what the
    cells are computed from (compliance TABLES): a run of the jobs with nothing new computes none of them."""
    runs = cached_exactly(
        f"education:county_runs:{as_of.isoformat()}:{get_language()}",
        tables=COMPLIANCE_TABLES,
        compute=lambda: _county_runs(as_of),
    )
    if not runs:
        return []
    paths = dict(
        Organization.objects.filter(pk__in={run[0].organization_id for run in runs}).values_list("pk", "path")
    )
    names = {k.code: (k.name_zh, k.name_en) for k in MeetingKind.objects.all()}
    out = []
    for run in runs:
        first, second = run[0], run[COUNTY_RUN - 1]
        kind = _kind_label(*names.get(first.kind, (first.kind_label, first.kind_label)))
        text = format_lazy(
            gettext_lazy("{kind} missed {n} periods running, since {since} ({last} still missing)"),
            kind=kind if not first.party_group else format_lazy("{} · {}", kind, first.party_group),
            n=len(run),
            since=first.period.label,
            last=run[-1].period.label,
        )
        url = (
            reverse("education:compliance_org", args=[first.organization_id])
            + f"?year={second.period.start.year}"
        )
        out.append(
            Escalation(
                what="county_meetings_missed",
                obj=f"{first.organization_id}:{first.kind}:{first.party_group_id or 0}",
                period=second.period.label,
                org_path=paths[first.organization_id],
                organization=first.org_name,
                text=text,
                url=url,
            )
        )
    return out
