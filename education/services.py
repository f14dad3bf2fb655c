"""Writes for 三会一课 and study. Views, admin, commands, jobs and the importer call these."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, PartyGroup
from common.files import content_matches, upload_name
from common.versions import check_version
from members.models import Member
from users.models import User

from .models import (
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingPlan,
    MeetingRequirement,
    StudyRecord,
)
from .selectors import (
    EXPECTED,
    attendance_addable,
    expected_attendees,
    expected_attendees_on,
    study_target_in_force,
)

MEETING_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "place",
    "topic",
    "host",
    "recorder",
    "lecturer",
    "invited",
    "minutes",
    "votes",
    "study_hours",
)

# Magic numbers: the extension alone proves nothing about what a file is.
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def _today() -> dt.date:
    return timezone.localdate()


# -- meetings ---------------------------------------------------------------------------------------------


def _check_meeting(
    *, organization: Organization, party_group: PartyGroup | None, kinds: list[MeetingKind], date: dt.date
) -> None:
    errors: dict[str, list[str]] = {}
    if not organization.is_basic:
        errors.setdefault("organization", []).append(
            _("Meetings are held by a basic organization (branch, general branch or party committee).")
        )
    if not kinds:
        errors.setdefault("kinds", []).append(_("Choose at least one kind of meeting."))
    codes = {k.code for k in kinds}
    if MeetingKind.GROUP_MEETING in codes and party_group is None:
        errors.setdefault("party_group", []).append(_("A party group meeting needs a party group."))
    if party_group is not None and party_group.organization_id != organization.pk:
        errors.setdefault("party_group", []).append(_("The party group belongs to another organization."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    organization: Organization,
    kinds: Iterable[MeetingKind],
    date: dt.date,
    by: User,
    party_group: PartyGroup | None = None,
    **fields,
) -> Meeting:
    """Record a meeting (planned until minutes and attendance are confirmed by `meeting_mark_held`)."""
    kinds = list(kinds)
    _check_meeting(organization=organization, party_group=party_group, kinds=kinds, date=date)
    unknown = set(fields) - set(MEETING_FIELDS) - {"source", "plan", "occurrence", "status"}
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(organization=organization, party_group=party_group, date=date, created_by=by, **fields)
    meeting.full_clean(exclude=["organization", "party_group", "plan", "created_by"])
    if meeting.status == Meeting.Status.HELD:
        _check_not_future(meeting)
    meeting.save()
    meeting.kinds.set(kinds)
    if meeting.status == Meeting.Status.HELD:
        _record_attendance(meeting)
    return meeting


def _names(members) -> str:
    return "、".join(m.name for m in members)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    kinds: Iterable[MeetingKind],
    party_group: PartyGroup | None = None,
    by: User,
    attendees_reason: str = "",
    version: dt.datetime | None = None,
    **fields,
) -> Meeting:
    """Change a meeting (moving a planned one keeps its plan occurrence, so regeneration does not duplicate
    it). A meeting with attendance cannot move into the future. `version` (the edit form's updated_at) is
    checked under a row lock: a meeting someone else saved meanwhile is not overwritten (common.versions).

    A held meeting's expected attendees are fixed: an edit of its date, party group or kinds that would
    change who was expected by the roster is refused unless `attendees_reason` says why; with it, the
    recorded attendance follows the new roster (those no longer expected leave it, newcomers are added
    present) and every change is kept in the history with that reason."""
    check_version(model=Meeting, pk=meeting.pk, version=version)
    kinds = list(kinds)
    date = fields.get("date", meeting.date)
    _check_meeting(organization=meeting.organization, party_group=party_group, kinds=kinds, date=date)
    if date > _today() and (meeting.status == Meeting.Status.HELD or meeting.attendances.exists()):
        raise ValidationError({"date": _("A meeting with attendance cannot be in the future.")})
    group_id = party_group.pk if party_group else None
    codes = {k.code for k in kinds}
    moved = (
        date != meeting.date
        or group_id != meeting.party_group_id
        or codes != {k.code for k in meeting.kinds.all()}
    )
    attendees_reason = attendees_reason.strip()
    added: list[Member] = []
    removed: list[Attendance] = []
    if moved and meeting.status == Meeting.Status.HELD:
        expected = {
            m.pk: m
            for m in expected_attendees_on(
                organization_id=meeting.organization_id, party_group_id=group_id, kind_codes=codes, date=date
            )
        }
        recorded = {a.member_id: a for a in meeting.attendances.select_related("member")}
        added = [m for pk, m in expected.items() if pk not in recorded]
        removed = [a for pk, a in recorded.items() if pk not in expected]
        if (added or removed) and not attendees_reason:
            parts = []
            if added:
                parts.append(_("it would add %(names)s") % {"names": _names(added)})
            if removed:
                parts.append(_("it would remove %(names)s") % {"names": _names(a.member for a in removed)})
            raise ValidationError(
                {
                    "attendees_reason": _(
                        "This change alters who was expected at the held meeting (%(changes)s). Give the "
                        "reason to re-record the expected attendees, or correct the attendance instead."
                    )
                    % {"changes": "; ".join(parts)}
                }
            )
    for name, value in fields.items():
        if name not in MEETING_FIELDS:
            raise TypeError(f"unknown meeting field: {name}")
        setattr(meeting, name, value)
    meeting.party_group = party_group
    meeting.full_clean(exclude=["organization", "party_group", "plan", "created_by"])
    if attendees_reason:
        meeting._change_reason = attendees_reason  # type: ignore[attr-defined]  # simple_history reads it on save
    meeting.save()
    meeting.kinds.set(kinds)
    if meeting.status == Meeting.Status.HELD:
        for attendance in removed:
            attendance._change_reason = attendees_reason  # type: ignore[attr-defined]  # simple_history reads it on save
            attendance.delete()
        for member in added:
            attendance = Attendance(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
            attendance._change_reason = attendees_reason  # type: ignore[attr-defined]  # simple_history reads it on save
            attendance.save()
    elif moved:
        # Exceptions marked ahead for people who no longer should attend go; the rest stay.
        expected_ids = expected_attendees(meeting=meeting).values("pk")
        meeting.attendances.exclude(member__in=expected_ids).delete()
    return meeting


def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(_("A held meeting cannot be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def _check_not_future(meeting: Meeting) -> None:
    if meeting.date > _today():
        raise ValidationError(_("A meeting in the future cannot have attendance."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no attendance."))


def attendance_set(
    *, meeting: Meeting, member_id: int, status: str, reason: str = "", by: User, change_reason: str = ""
) -> Attendance | None:
    """One exception on the sheet: absent, or excused (请假) with a reason.

    Before the meeting is held the sheet lists the roster's expected attendees and nobody is present yet:
    marking someone present again just removes the exception. Once held, the sheet is the record: only a
    recorded attendee's status can be corrected (kept in the history); adding or removing an expected
    attendee is `attendance_add` / `attendance_remove`."""
    _check_not_future(meeting)
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    reason = reason.strip()[:200]
    if status != Attendance.Status.EXCUSED:
        reason = ""
    if meeting.status == Meeting.Status.HELD:
        attendance = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
        if attendance is None:
            raise ValidationError(
                _(
                    "This member is not among the expected attendees recorded for this meeting: add them as "
                    "an expected attendee, with the reason."
                )
            )
        if (attendance.status, attendance.reason) != (status, reason):
            attendance.status, attendance.reason = status, reason
            attendance._change_reason = change_reason.strip()[:100]  # type: ignore[attr-defined]  # simple_history reads it on save
            attendance.save()
        return attendance
    if not expected_attendees(meeting=meeting).filter(pk=member_id).exists():
        raise ValidationError(_("Only members of this organization or party group can attend this meeting."))
    if status == Attendance.Status.PRESENT:
        for attendance in Attendance.objects.filter(meeting=meeting, member_id=member_id):
            attendance.delete()
        return None
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, member_id=member_id, defaults={"status": status, "reason": reason}
    )
    return attendance


ATTENDANCE_CYCLE: dict[str, str] = {
    EXPECTED: Attendance.Status.ABSENT,
    Attendance.Status.PRESENT: Attendance.Status.ABSENT,
    Attendance.Status.ABSENT: Attendance.Status.EXCUSED,
    Attendance.Status.EXCUSED: Attendance.Status.PRESENT,
}


def attendance_toggle(*, meeting: Meeting, member_id: int, by: User) -> Attendance | None:
    """One tap: present (or expected) → absent → excused → present."""
    current = (
        Attendance.objects.filter(meeting=meeting, member_id=member_id)
        .values_list("status", flat=True)
        .first()
        or EXPECTED
    )
    return attendance_set(meeting=meeting, member_id=member_id, status=ATTENDANCE_CYCLE[current], by=by)


def _require_change_reason(change_reason: str) -> str:
    change_reason = change_reason.strip()
    if not change_reason:
        raise ValidationError(
            {"change_reason": _("Say why the expected attendees of a held meeting change.")}
        )
    return change_reason[:100]


@transaction.atomic
def attendance_add(
    *,
    meeting: Meeting,
    member_id: int,
    change_reason: str,
    status: str = Attendance.Status.PRESENT,
    reason: str = "",
    by: User,
) -> Attendance:
    """Correct a held meeting's record: add an expected attendee the record missed (a stated action; the
    reason is kept in the history). Only someone who was a member on the meeting's date and belonged to
    its organization (now, or transferred out after that date) can be added."""
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Only a held meeting's expected attendees are corrected this way."))
    change_reason = _require_change_reason(change_reason)
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    if Attendance.objects.filter(meeting=meeting, member_id=member_id).exists():
        raise ValidationError({"member": _("This member is already among the expected attendees.")})
    if not attendance_addable(meeting=meeting).filter(pk=member_id).exists():
        raise ValidationError(
            {
                "member": _("Only someone who was a member of this organization on %(date)s can be added.")
                % {"date": meeting.date.isoformat()}
            }
        )
    attendance = Attendance(
        meeting=meeting,
        member_id=member_id,
        status=status,
        reason=reason.strip()[:200] if status == Attendance.Status.EXCUSED else "",
    )
    attendance._change_reason = change_reason  # type: ignore[attr-defined]  # simple_history reads it on save
    attendance.save()
    return attendance


@transaction.atomic
def attendance_remove(*, meeting: Meeting, member_id: int, change_reason: str, by: User) -> None:
    """Correct a held meeting's record: someone recorded as expected should not have been (a stated
    action; the reason is kept in the history)."""
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Only a held meeting's expected attendees are corrected this way."))
    change_reason = _require_change_reason(change_reason)
    attendance = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
    if attendance is None:
        raise ValidationError({"member": _("This member is not among the expected attendees.")})
    attendance._change_reason = change_reason  # type: ignore[attr-defined]  # simple_history reads it on save
    attendance.delete()


def _record_attendance(meeting: Meeting) -> None:
    """Fix the expected attendees as rows: the roster on the meeting's date, everyone present unless an
    exception was marked ahead (one bulk insert). From now on the roster changes nothing in them."""
    expected = set(expected_attendees(meeting=meeting).values_list("pk", flat=True))
    marked = set(meeting.attendances.values_list("member_id", flat=True))
    meeting.attendances.exclude(member_id__in=expected).delete()  # marked ahead, no longer expected
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member_id=pk, status=Attendance.Status.PRESENT)
            for pk in sorted(expected - marked)
        ],
        batch_size=1000,
    )


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: User) -> Meeting:
    """Planned → held: the date has come, the minutes are written, and the expected attendees are recorded
    (everyone not marked otherwise present)."""
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(_("The meeting is already recorded as held."))
    _check_not_future(meeting)
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Enter the minutes before confirming the meeting as held.")})
    kinds = list(meeting.kinds.all())
    _check_meeting(
        organization=meeting.organization, party_group=meeting.party_group, kinds=kinds, date=meeting.date
    )
    _record_attendance(meeting)
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def attachment_add(*, meeting: Meeting, file: UploadedFile, by: User) -> MeetingAttachment:
    """A photo or scanned sign-in sheet: jpg/png/pdf by extension AND content, at most 5 MB."""
    name, ext = upload_name(file)
    content_type = MeetingAttachment.ALLOWED_TYPES.get(ext)
    if content_type is None:
        raise ValidationError({"file": _("Only JPG, PNG and PDF files can be attached.")})
    size = file.size or 0  # set for every upload; None only for a file object that cannot tell
    if size > MeetingAttachment.MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 5 MB.")})
    if not content_matches(file, _SIGNATURES[content_type]):
        raise ValidationError({"file": _("The file's content is not a JPG, PNG or PDF.")})
    return MeetingAttachment.objects.create(
        meeting=meeting, file=file, name=name[:200], content_type=content_type, size=size, uploaded_by=by
    )


def attachment_delete(*, attachment: MeetingAttachment, by: User) -> None:
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))


# -- recurring plans ---------------------------------------------------------------------------------------

PLAN_HORIZON_MONTHS = 3


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def plan_occurrences(
    *, plan: MeetingPlan, start: dt.date, months: int = PLAN_HORIZON_MONTHS
) -> list[dt.date]:
    """The plan's dates from `start` (inclusive) through the end of the month `months` months later; a day
    past the month's end falls on its last day (the 31st in February is the 28th/29th)."""
    out = []
    for i in range(months + 1):
        year, month = _add_months(start.year, start.month, i)
        if plan.frequency == MeetingPlan.Frequency.QUARTERLY and (month - 1) % 3 != plan.month_of_period - 1:
            continue
        if plan.frequency == MeetingPlan.Frequency.YEARLY and month != plan.month_of_period:
            continue
        day = dt.date(year, month, min(plan.day, calendar.monthrange(year, month)[1]))
        if day >= start:
            out.append(day)
    return out


@transaction.atomic
def plans_generate(*, plans: QuerySet[MeetingPlan], as_of: dt.date, months: int = PLAN_HORIZON_MONTHS) -> int:
    """Create the planned meetings of the coming months for active plans; an occurrence that exists
    (even moved to another date or cancelled) is never created again. A few queries for any number of
    plans. Returns how many meetings were created."""
    active = list(plans.filter(is_active=True).select_related("organization").prefetch_related("kinds"))
    if not active:
        return 0
    horizon_end = dt.date(*_add_months(as_of.year, as_of.month, months), 28)
    existing = set(
        Meeting.objects.filter(
            plan__in=active, occurrence__gte=as_of, occurrence__lte=horizon_end + dt.timedelta(days=4)
        ).values_list("plan_id", "occurrence")
    )
    new: list[tuple[MeetingPlan, Meeting]] = []
    for plan in active:
        for day in plan_occurrences(plan=plan, start=as_of, months=months):
            if (plan.pk, day) in existing:
                continue
            new.append(
                (
                    plan,
                    Meeting(
                        organization_id=plan.organization_id,
                        party_group_id=plan.party_group_id,
                        date=day,
                        start_time=plan.start_time,
                        place=plan.place,
                        topic=plan.topic,
                        status=Meeting.Status.PLANNED,
                        source=Meeting.Source.PLAN,
                        plan=plan,
                        occurrence=day,
                        created_by=plan.created_by,
                    ),
                )
            )
    if not new:
        return 0
    created = Meeting.objects.bulk_create([m for _p, m in new], batch_size=500)
    Through = Meeting.kinds.through
    Through.objects.bulk_create(
        [
            Through(meeting_id=m.pk, meetingkind_id=k.pk)
            for (plan, _m), m in zip(new, created, strict=True)
            for k in plan.kinds.all()
        ],
        batch_size=1000,
    )
    return len(created)


@transaction.atomic
def plan_save(
    *,
    organization: Organization,
    kinds: Iterable[MeetingKind],
    frequency: str,
    day: int,
    month_of_period: int = 1,
    party_group: PartyGroup | None = None,
    plan: MeetingPlan | None = None,
    by: User,
    as_of: dt.date | None = None,
    **fields,
) -> MeetingPlan:
    """Create or change a branch's regular schedule and generate its coming planned meetings at once.
    A changed schedule drops its not-yet-recorded future planned meetings and generates them anew."""
    kinds = list(kinds)
    as_of = as_of or _today()
    _check_meeting(organization=organization, party_group=party_group, kinds=kinds, date=as_of)
    creating = plan is None
    plan = plan or MeetingPlan(organization=organization, created_by=by)
    plan.party_group = party_group
    plan.frequency = frequency
    plan.day = day
    plan.month_of_period = month_of_period
    for name in ("start_time", "place", "topic", "is_active"):
        if name in fields:
            setattr(plan, name, fields[name])
    plan.full_clean(exclude=["organization", "created_by"])
    plan.save()
    plan.kinds.set(kinds)
    if not creating:
        Meeting.objects.filter(
            plan=plan, status=Meeting.Status.PLANNED, date__gt=as_of, attendances__isnull=True, minutes=""
        ).delete()
    plans_generate(plans=MeetingPlan.objects.filter(pk=plan.pk), as_of=as_of)
    return plan


def plan_deactivate(*, plan: MeetingPlan, as_of: dt.date | None = None, by: User) -> MeetingPlan:
    """Stop a schedule; its future planned meetings that nobody touched go with it."""
    as_of = as_of or _today()
    plan.is_active = False
    plan.save(update_fields=["is_active"])
    Meeting.objects.filter(
        plan=plan, status=Meeting.Status.PLANNED, date__gt=as_of, attendances__isnull=True, minutes=""
    ).delete()
    return plan


# -- rules ---------------------------------------------------------------------------------------------------


def requirement_check(*, kind: MeetingKind, effective_from: dt.date) -> None:
    """A new version of `kind`'s rule must start after the latest one (forms check it before saving)."""
    latest = kind.requirements.order_by("-effective_from").first()
    if latest and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _("A change must take effect after the current rule (from %(date)s).")
                % {"date": latest.effective_from.isoformat()}
            }
        )


def requirement_change(
    *,
    kind: MeetingKind,
    effective_from: dt.date,
    period: str,
    minimum: int,
    applies_to: str,
    note: str = "",
    by: User,
) -> MeetingRequirement:
    """The county office tightens (or changes) a rule from a date on. Versions are appended, never edited:
    a new version must start after the latest one, so the history stays as it was applied."""
    requirement_check(kind=kind, effective_from=effective_from)
    requirement = MeetingRequirement(
        kind=kind,
        effective_from=effective_from,
        period=period,
        minimum=minimum,
        applies_to=applies_to,
        note=note,
        created_by=by,
    )
    requirement.full_clean(exclude=["created_by"])
    requirement.save()
    return requirement


def study_target_for(year: int) -> Decimal:
    target = study_target_in_force(year=year)
    return target.hours if target else Decimal("32")


# -- study -----------------------------------------------------------------------------------------------------


def study_record_create(
    *, member: Member, date: dt.date, hours: Decimal, channel: str, content: str, by: User
) -> StudyRecord:
    """Study hours of one member on one day (the channels that count toward the target are
    StudyTarget.channels; a 党课 the member attended counts from the meeting itself)."""
    errors: dict[str, list[str]] = {}
    if date > _today():
        errors["date"] = [_("Study cannot be recorded for a future date.")]
    if member.died_on and date > member.died_on:
        errors["member"] = [_("The member had died by that date.")]
    elif member.departed_on and date >= member.departed_on:
        errors["member"] = [_("The member had left the roll by that date.")]
    if errors:
        raise ValidationError(errors)
    record = StudyRecord(
        member=member, date=date, hours=hours, channel=channel, content=content, created_by=by
    )
    record.full_clean(exclude=["created_by"])
    record.save()
    return record


# -- calendar --------------------------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, organization: Organization, by: User) -> CalendarFeed:
    """A new secret iCal URL; the old one stops working at once."""
    CalendarFeed.objects.filter(organization=organization, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return CalendarFeed.objects.create(organization=organization, created_by=by)


def calendar_feed_revoke(*, organization: Organization, by: User) -> int:
    return CalendarFeed.objects.filter(organization=organization, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
