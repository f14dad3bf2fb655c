"""Writes to the roster. Every change to a member is recorded by django-simple-history with the acting
user (`by`, required: a signed-in person, or `users.services.system_user()` for commands, command-line
imports and jobs), which these functions set through `_history_user`."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import scope_for
from common.discovery import app_modules
from common.versions import check_version
from users.models import User

from . import idnumbers
from .ages import add_years
from .models import BranchOfficer, CommitteeTerm, Member, SensitiveAccess, Transfer

# Fields a form or an import may set directly; the organization changes only by member_transfer, the date
# of death only by member_record_death, a departure only by member_depart, 转正 only by member_confirm and an
# extension of probation only by member_extend_probation (or an import, which is the same decision recorded
# elsewhere: historical data; the member form shows these read-only).
EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education_level",
    "occupation",
    "phone",
    "address",
    "party_group",
    "admitted_on",
    "full_member_on",
    "probation_ends_on",
    "veteran_cadre",
    "hardship",
    "hardship_note",
    "illness",
    "ill_since",
    "is_mobile",
    "died_on",
    "departed_on",
    "departure_reason",
    "user",
)


def _save(member: Member, by: User) -> None:
    # django-simple-history records the instance's `_history_user` (its documented way outside a request).
    member._history_user = by  # type: ignore[attr-defined]
    try:
        member.save()
    finally:
        del member._history_user  # type: ignore[attr-defined]


def _check_probation_year(member: Member) -> None:
    """转正 comes at the earliest when the probation year (预备期, one year from admission, Party Constitution
    art. 7) or its extension ends: checked whenever a full-membership date is set."""
    if member.full_member_on and member.admitted_on and member.full_member_on < member.probation_due_on:
        raise ValidationError(
            {
                "full_member_on": _(
                    "The full-membership date cannot be earlier than the end of the probation year (%(date)s)."
                )
                % {"date": member.probation_due_on.isoformat()}
            }
        )


def _check_writer(member: Member, by: User) -> None:
    """The acting user (required) needs write scope on the member's organization."""
    if not scope_for(by).can_write(member.organization):
        raise PermissionDenied


def _fill_from_id_number(member: Member) -> None:
    """Birth date and gender, when not given, from a well-formed ID number (clean() checks the rest)."""
    number = idnumbers.normalize(member.id_number)
    if len(number) == 18 and number[:17].isdigit():
        with contextlib.suppress(ValueError):  # an impossible date: clean() reports it
            member.birth_date = member.birth_date or idnumbers.birth_date_of(number)
        member.gender = member.gender or idnumbers.gender_of(number)


@transaction.atomic
def member_create(*, organization: Organization, by: User, **fields: Any) -> Member:
    """Add a member to a basic organization (党委/党总支/党支部). The ID number is checked (GB 11643: check
    digit, birth date and gender must match); birth date and gender are taken from it when not given."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"member_create() got unexpected fields {sorted(unknown)}")
    member = Member(organization=organization, **fields)
    _fill_from_id_number(member)
    member.full_clean()
    _check_probation_year(member)
    _save(member, by)
    return member


@transaction.atomic
def member_admit(
    *,
    organization: Organization,
    name: str,
    gender: str,
    ethnicity: str,
    birth_date: dt.date,
    id_number: str,
    admitted_on: dt.date,
    by: User,
) -> tuple[Member, bool]:
    """接收预备党员: a person admitted by a branch general meeting joins the roster as a probationary member
    from `admitted_on` (the probation year counts from that day). Someone already on the roster with the same
    ID number is matched, not duplicated: returned with False and left as they are. For the recruitment
    pipeline (recruitment.services), which owns the steps before admission."""
    number = idnumbers.normalize(id_number)
    existing = Member.objects.filter(id_number=number).first()
    if existing is not None:
        return existing, False
    member = member_create(
        organization=organization,
        by=by,
        name=name,
        gender=gender,
        ethnicity=ethnicity,
        birth_date=birth_date,
        id_number=number,
        admitted_on=admitted_on,
    )
    return member, True


def member_prepare(*, member: Member) -> Member:
    """Complete and check a new, unsaved member without queries: birth date and gender from the ID number
    when not given, then the model's field rules and clean() (ID check digit, birth date and gender match,
    dates in order, party group of the same organization, basic organization)."""
    _fill_from_id_number(member)
    # The related objects were loaded by the caller: skip ForeignKey.validate's one query per relation.
    member.clean_fields(exclude=["organization", "party_group", "user"])
    member.clean()
    _check_probation_year(member)
    return member


@transaction.atomic
def members_bulk_create(*, members: list[Member], by: User, batch_size: int = 500) -> int:
    """Insert many new members at once (an import), each with its "created" history row by `by`.

    Uniqueness of the ID numbers must have been checked set-based by the caller (MemberImporter does; the
    database constraint still guards it). A few queries per `batch_size` members instead of several each."""
    from simple_history.utils import bulk_create_with_history

    for member in members:
        member_prepare(member=member)
    bulk_create_with_history(members, Member, batch_size=batch_size, default_user=by)
    return len(members)


def member_update(
    *, member: Member, by: User, version: dt.datetime | None = None, **fields: Any
) -> list[str]:
    """Change the given fields; returns the names of those that really changed. Nothing changed → nothing is
    saved and no history row is written (a re-import of the same file is silent).

    `version` (an edit form's: the member's updated_at when the page was drawn) is checked under a row lock:
    if someone else saved the member since, nothing is saved (common.versions)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"member_update() got unexpected fields {sorted(unknown)}")
    if "id_number" in fields:
        fields["id_number"] = idnumbers.normalize(fields["id_number"])
    changed = []
    for name, value in fields.items():
        current = getattr(member, f"{name}_id") if name in ("party_group", "user") else getattr(member, name)
        new = value.pk if name in ("party_group", "user") and value is not None else value
        if current != new:
            setattr(member, name, value)
            changed.append(name)
    if changed or version is not None:
        with transaction.atomic():
            check_version(model=Member, pk=member.pk, version=version)
            if changed:
                member.full_clean()
                if {"full_member_on", "admitted_on"} & set(changed):
                    _check_probation_year(member)
                _save(member, by)
                if "departed_on" in changed and member.departed_on:  # a departure by import
                    _departed(member=member, by=by)
    return changed


@transaction.atomic
def member_transfer(
    *, member: Member, to_organization: Organization, on: dt.date | None = None, reason: str = "", by: User
) -> Transfer:
    """组织关系转接: move the member's organization relation to another basic organization.

    The acting user needs write scope on the member's current organization; the target may be any basic
    organization of the county (a secretary sending a member away does not manage the receiving branch).
    The party group (of the old organization) is cleared; a Transfer row keeps the history."""
    on = on or timezone.localdate()
    if not scope_for(by).can_write(member.organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not to_organization.is_basic:
        errors["to_organization"] = [
            _(
                "A member can only be transferred to a basic organization (branch, general branch or party committee)."
            )
        ]
    elif to_organization.pk == member.organization_id:
        errors["to_organization"] = [_("The member already belongs to this organization.")]
    if member.died_on:
        errors["to_organization"] = [_("A deceased member cannot be transferred.")]
    elif member.departed_on:
        errors["to_organization"] = [_("A departed member cannot be transferred.")]
    if on > timezone.localdate():
        errors["transferred_on"] = [_("The transfer date cannot be in the future.")]
    elif on < member.admitted_on:
        errors["transferred_on"] = [_("The transfer date cannot be before the admission date.")]
    if errors:
        raise ValidationError(errors)
    transfer = Transfer.objects.create(
        member=member,
        from_organization=member.organization,
        to_organization=to_organization,
        transferred_on=on,
        reason=reason,
        created_by=by,
    )
    member.organization = to_organization
    member.party_group = None
    member.full_clean()
    _save(member, by)
    return transfer


@transaction.atomic
def member_record_death(*, member: Member, died_on: dt.date, by: User) -> Member:
    """Record the date of death (去世日期): the member leaves the living roster and the benefit lists;
    the record and its history stay."""
    if died_on > timezone.localdate():
        raise ValidationError({"died_on": _("The date of death cannot be in the future.")})
    if died_on < member.birth_date:
        raise ValidationError({"died_on": _("The date of death cannot be before the birth date.")})
    if member.departed_on:
        raise ValidationError({"died_on": _("The member has left the roll: a death is not recorded here.")})
    member.died_on = died_on
    member.full_clean()
    _save(member, by)
    return member


@transaction.atomic
def member_depart(*, member: Member, on: dt.date, reason: str, note: str = "", by: User) -> Member:
    """A member leaves the roll on `on` (转出, 退党, 自行脱党, 除名, 开除党籍, 取消预备党员资格; a death is
    member_record_death). From that day the member drops out of lists, counts, reminders and benefits
    (members.selectors.living_on_q); every record and the history stay.

    Rules: not already departed nor dead; the date not before admission nor in the future; probationary
    membership is cancelled (取消预备党员资格) only for a member still probationary on that day."""
    _check_writer(member, by)
    errors: dict[str, list[str]] = {}
    if member.departed_on:
        errors["departed_on"] = [
            _("The member already left the roll on %(date)s.") % {"date": member.departed_on.isoformat()}
        ]
    elif member.died_on:
        errors["departed_on"] = [_("A deceased member cannot depart.")]
    elif on > timezone.localdate():
        errors["departed_on"] = [_("The departure date cannot be in the future.")]
    elif on < member.admitted_on:
        errors["departed_on"] = [_("The departure date cannot be before the admission date.")]
    if reason not in Member.Departure.values:
        errors["departure_reason"] = [_("Choose a reason for leaving.")]
    elif (
        reason == Member.Departure.PROBATION_CANCELLED
        and member.full_member_on
        and member.full_member_on <= on
    ):
        errors["departure_reason"] = [
            _("Only a probationary member's probationary membership can be cancelled (取消预备党员资格).")
        ]
    if errors:
        raise ValidationError(errors)
    member.departed_on = on
    member.departure_reason = reason
    member.departure_note = note
    member.full_clean()
    _save(member, by)
    _departed(member=member, by=by)
    return member


def _departed(*, member: Member, by: User) -> None:
    """What the apps above plan for a member ends with the departure, as with a death: each app's
    `departures.py` provides `member_departed(*, member, on, by)` (care cancels planned visits and open grants,
    ends pairings and withdraws their reminders). Called inside the departure's transaction."""
    assert member.departed_on is not None
    for _app, module in app_modules("departures"):
        module.member_departed(member=member, on=member.departed_on, by=by)


@transaction.atomic
def member_departure_undo(*, member: Member, by: User) -> Member:
    """Take back a departure recorded by mistake: the member is on the roll again, as if never departed;
    the history keeps both the departure and its undoing."""
    _check_writer(member, by)
    if not member.departed_on:
        raise ValidationError(_("The member has not left the roll."))
    member.departed_on = None
    member.departure_reason = ""
    member.departure_note = ""
    member.full_clean()
    _save(member, by)
    return member


@transaction.atomic
def member_confirm(*, member: Member, on: dt.date, meeting: str, by: User) -> Member:
    """转正: a probationary member becomes a full member on `on`, as decided by a branch general meeting
    (`meeting`: its date and subject, or the id of its record). Rules: only a probationary member on the roll;
    not before the probation year ends (one year after admission, Party Constitution art. 7, or the
    extended date, 延长预备期) and not in the future."""
    _check_writer(member, by)
    errors: dict[str, list[str]] = {}
    if member.full_member_on:
        errors["full_member_on"] = [_("%(name)s is not a probationary member.") % {"name": member.name}]
    elif not member.on_roll:
        errors["full_member_on"] = [_("%(name)s is no longer on the roll.") % {"name": member.name}]
    elif on > timezone.localdate():
        errors["full_member_on"] = [_("The full-membership date cannot be in the future.")]
    elif on < member.probation_due_on:
        errors["full_member_on"] = [
            _("The full-membership date cannot be earlier than the end of the probation year (%(date)s).")
            % {"date": member.probation_due_on.isoformat()}
        ]
    if not (meeting or "").strip():
        errors["confirmation_meeting"] = [_("Say which meeting decided it.")]
    if errors:
        raise ValidationError(errors)
    member.full_member_on = on
    member.confirmation_meeting = meeting.strip()
    member.full_clean()
    _save(member, by)
    return member


@transaction.atomic
def member_extend_probation(
    *, member: Member, decided_on: dt.date, ends_on: dt.date, reason: str, by: User
) -> Member:
    """延长预备期: the branch extends a probationary member's probation, once, by at most a year (the end moves
    from one year to at most two years after admission). The probation reminders follow the new end
    (Member.probation_due_on)."""
    _check_writer(member, by)
    errors: dict[str, list[str]] = {}
    normal_end = add_years(member.admitted_on, 1)
    if member.full_member_on:
        errors["probation_ends_on"] = [_("%(name)s is not a probationary member.") % {"name": member.name}]
    elif not member.on_roll:
        errors["probation_ends_on"] = [_("%(name)s is no longer on the roll.") % {"name": member.name}]
    elif member.probation_ends_on:
        errors["probation_ends_on"] = [_("The probation was already extended: it can be extended only once.")]
    elif not normal_end < ends_on <= add_years(normal_end, 1):
        errors["probation_ends_on"] = [
            _("The new end of probation must be after %(start)s and at most a year later (%(end)s).")
            % {"start": normal_end.isoformat(), "end": add_years(normal_end, 1).isoformat()}
        ]
    if decided_on > timezone.localdate():
        errors["probation_extended_on"] = [_("The decision date cannot be in the future.")]
    elif decided_on < member.admitted_on:
        errors["probation_extended_on"] = [_("The decision date cannot be before the admission date.")]
    if not (reason or "").strip():
        errors["probation_extension_reason"] = [_("Give the reason for the extension.")]
    if errors:
        raise ValidationError(errors)
    member.probation_ends_on = ends_on
    member.probation_extended_on = decided_on
    member.probation_extension_reason = reason.strip()
    member.full_clean()
    _save(member, by)
    return member


def member_reveal_id_number(*, member: Member, by: User) -> str:
    """Show the full ID number to a user who may change the member (write scope), and record that they saw
    it (PIPL: a record of who accessed sensitive personal information)."""
    if not scope_for(by).can_write(member.organization):
        raise PermissionDenied
    SensitiveAccess.objects.create(user=by, member=member, field="id_number")
    return member.id_number


def member_link_user(*, member: Member, user: User, by: User) -> bool:
    """Link an account to a member record (a `member` role user reads their own record). False if the
    record is linked to another account already."""
    if member.user_id == user.pk:
        return False
    if member.user_id is not None:
        return False
    member_update(member=member, user=user, by=by)
    return True


# -- committees (支部委员会) -----------------------------------------------------------------------------


def committee_term_default_end(*, organization: Organization, elected_on: dt.date) -> dt.date:
    """Village and community branches serve 5 years, others 3 (CommitteeTerm.term_years)."""
    return add_years(elected_on, CommitteeTerm.term_years(organization))


@transaction.atomic
def committee_term_save(
    *,
    organization: Organization,
    elected_on: dt.date,
    ends_on: dt.date | None = None,
    officers: list[tuple[Member, str, str]],
    term: CommitteeTerm | None = None,
) -> CommitteeTerm:
    """Create or change a committee term and replace its officers (书记/副书记/委员).

    Rules: a basic organization only; the term ends after it starts (default: elected_on + term years);
    officers are living members of the organization; one secretary, each member once."""
    if not organization.is_basic:
        raise ValidationError(
            _("Only a basic organization (branch, general branch, party committee) elects a committee.")
        )
    ends_on = ends_on or committee_term_default_end(organization=organization, elected_on=elected_on)
    errors: list[str] = []
    if ends_on <= elected_on:
        errors.append(_("The term must end after the election date."))
    seen: set[int] = set()
    secretaries = 0
    for member, position, _duty in officers:
        if member.organization_id != organization.pk or not member.on_roll:
            errors.append(_("%(name)s is not a living member of this organization.") % {"name": member.name})
        if member.pk in seen:
            errors.append(_("%(name)s is listed twice.") % {"name": member.name})
        seen.add(member.pk)
        secretaries += position == BranchOfficer.Position.SECRETARY
    if secretaries > 1:
        errors.append(_("A committee has one secretary."))
    if errors:
        raise ValidationError(errors)
    term = term or CommitteeTerm(organization=organization)
    term.elected_on = elected_on
    term.ends_on = ends_on
    term.full_clean()
    term.save()
    term.officers.all().delete()
    BranchOfficer.objects.bulk_create(
        [BranchOfficer(term=term, member=m, position=p, duty=d or "") for m, p, d in officers]
    )
    return term


def member_id_search_recorded(*, by: User, number: str, member: Member | None) -> SensitiveAccess:
    """A search by a whole ID number confirms or denies that a person is on the roster: every one is
    recorded (PIPL), with the member found (only among those the user may change) and the masked number."""
    return SensitiveAccess.objects.create(
        user=by, member=member, field="id_search", detail=idnumbers.mask(number)
    )


def members_export_recorded(*, by: User, count: int, detail: str = "") -> SensitiveAccess:
    """An export carries full ID numbers: record who took how many (PIPL). On the command line `by` is
    users.services.system_user() and the detail names the command and the operating-system account (command_line_actor)."""
    text = _("export of %(count)d members") % {"count": count}
    return SensitiveAccess.objects.create(
        user=by, member=None, field="export", detail=f"{text} {detail}".strip()[:255]
    )


def command_line_actor(command: str) -> str:
    """Who ran a command, as well as it can be told: the command and the operating-system account."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return f"{command} ({who})"
