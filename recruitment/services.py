"""Writes of the recruitment pipeline (发展党员). Every step is checked against the procedure and the rules
table (recruitment.procedure) under a row lock on the candidate, recorded as a Step with who decided it,
and copied to the candidate's date fields that lists, counts and reminders read. Admission puts the person
on the roster (members.services.member_admit); 转正 and its extension are the roster's own services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from members import idnumbers
from members import services as member_services
from members.models import Member
from users.models import User

from . import procedure
from .models import Candidate, Step
from .selectors import rules_get

Kind = Step.Kind
# The candidate's date field for each step that has one.
DATE_FIELDS: dict[str, str] = {
    Kind.APPLICATION: "applied_on",
    Kind.TALK: "talked_on",
    Kind.ACTIVIST: "activist_on",
    Kind.TARGET: "target_on",
    Kind.ADMISSION: "admitted_on",
    Kind.APPROVAL: "approved_on",
    Kind.OATH: "oath_on",
}


def _check_person(
    *,
    organization: Organization,
    name: str,
    gender: str,
    birth_date: dt.date | None,
    id_number: str,
    applied_on: dt.date,
    rules: Mapping,
    today: dt.date,
) -> tuple[str, str, dt.date]:
    """The ID number (GB 11643, matching birth date and gender), the organization and the minimum age on
    the application day. Returns the normalized number, the gender and the birth date (from the number when
    not given)."""
    errors: dict[str, list[str]] = {}
    number = idnumbers.normalize(id_number)
    try:
        number = idnumbers.validate_id_number(number, birth_date=birth_date, gender=gender or None)
    except ValidationError as e:
        errors["id_number"] = e.messages
    else:
        birth_date = birth_date or idnumbers.birth_date_of(number)
        gender = gender or idnumbers.gender_of(number)
    if not (name or "").strip():
        errors["name"] = [_("Give the name.")]
    if not organization.is_basic:
        errors["organization"] = [
            _("Applications are made to a basic organization (branch, general branch or party committee).")
        ]
    if applied_on > today:
        errors["applied_on"] = [_("The date cannot be in the future.")]
    elif birth_date and "id_number" not in errors:
        try:
            procedure.check_age(birth_date=birth_date, applied_on=applied_on, rules=rules)
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    assert birth_date is not None
    return number, gender, birth_date


@transaction.atomic
def candidate_apply(
    *,
    organization: Organization,
    name: str,
    id_number: str,
    applied_on: dt.date,
    gender: str = "",
    ethnicity: str = "汉族",
    birth_date: dt.date | None = None,
    document: str = "",
    by: User,
) -> Candidate:
    """入党申请: a written application received by a basic organization. The applicant is 18 or older on
    that day (rule `min_age`), not already in the pipeline nor on the roster."""
    rules = rules_get()
    number, gender, birth_date = _check_person(
        organization=organization,
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        applied_on=applied_on,
        rules=rules,
        today=timezone.localdate(),
    )
    if Candidate.objects.filter(id_number=number).exists():
        raise ValidationError({"id_number": _("This person has already applied: see the pipeline.")})
    if Member.objects.filter(id_number=number).exists():
        raise ValidationError({"id_number": _("This person is already on the roster.")})
    candidate = Candidate.objects.create(
        organization=organization,
        name=name.strip(),
        gender=gender,
        ethnicity=(ethnicity or "").strip(),
        birth_date=birth_date,
        id_number=number,
        applied_on=applied_on,
        created_by=by,
    )
    Step.objects.create(
        candidate=candidate,
        kind=Kind.APPLICATION,
        on=applied_on,
        decided_by=name.strip(),
        document=document or _("Written application"),
        recorded_by=by,
    )
    return candidate


def _lock(candidate: Candidate) -> Candidate:
    # of="self": member is nullable (a LEFT JOIN), which PostgreSQL cannot lock; the candidate row is the lock
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("organization", "member")
        .get(pk=candidate.pk)
    )


@transaction.atomic
def step_record(
    *,
    candidate: Candidate,
    kind: str,
    on: dt.date,
    decided_by: str = "",
    document: str = "",
    ends_on: dt.date | None = None,
    hours: int | None = None,
    people: Iterable[Member] = (),
    by: User,
) -> Step:
    """Record one step of the procedure (procedure.check_step: in order, not before its interval, with two
    full members as cultivating contacts or introducers, enough training hours, a public notice of enough
    working days). Of two people recording the same step at once, one wins: the candidate row is locked and
    the steps read under the lock. Admission (支部大会) puts the person on the roster as a probationary
    member from that day, matched by ID number when already there."""
    locked = _lock(candidate)
    steps = list(locked.steps.all())
    people = list(people)
    procedure.check_step(
        kind=kind,
        on=on,
        steps=steps,
        rules=rules_get(),
        today=timezone.localdate(),
        ends_on=ends_on,
        hours=hours,
        people=people,
    )
    if kind in (Kind.ADMISSION, Kind.APPROVAL) and not (decided_by or "").strip():
        raise ValidationError({"decided_by": _("Say who decided it.")})
    step = Step.objects.create(
        candidate=locked,
        kind=kind,
        on=on,
        ends_on=ends_on if kind == Kind.NOTICE else None,
        hours=hours if kind == Kind.TRAINING else None,
        decided_by=(decided_by or "").strip(),
        document=(document or "").strip(),
        recorded_by=by,
    )
    if people and kind in (Kind.ACTIVIST, Kind.INTRODUCERS):
        step.people.set(people)
    fields = []
    if kind in DATE_FIELDS:
        setattr(locked, DATE_FIELDS[kind], on)
        fields.append(DATE_FIELDS[kind])
    if kind == Kind.CHECK:
        locked.last_checked_on = on
        fields.append("last_checked_on")
    if kind == Kind.ADMISSION:
        member, _created = member_services.member_admit(
            organization=locked.organization,
            name=locked.name,
            gender=locked.gender,
            ethnicity=locked.ethnicity,
            birth_date=locked.birth_date,
            id_number=locked.id_number,
            admitted_on=on,
            by=by,
        )
        locked.member = member
        fields.append("member")
    locked.save(update_fields=[*fields, "updated_at"])
    for name in fields:
        setattr(candidate, name, getattr(locked, name))
    return step


def _member_of(candidate: Candidate) -> Member:
    if candidate.member is None or not candidate.approved_on:
        raise ValidationError(_("Out of order: first record %(steps)s.") % {"steps": Kind.APPROVAL.label})
    return candidate.member


def candidate_confirm(*, candidate: Candidate, on: dt.date, meeting: str, by: User) -> Member:
    """转正 of an admitted candidate: only after the approval above; the roster's rules then apply
    (members.services.member_confirm: not before the probation year ends)."""
    return member_services.member_confirm(member=_member_of(candidate), on=on, meeting=meeting, by=by)


def candidate_extend_probation(
    *, candidate: Candidate, decided_on: dt.date, ends_on: dt.date, reason: str, by: User
) -> Member:
    """延长预备期 of an admitted candidate (members.services.member_extend_probation)."""
    return member_services.member_extend_probation(
        member=_member_of(candidate), decided_on=decided_on, ends_on=ends_on, reason=reason, by=by
    )


# -- the ledger import (import_recruitment) -------------------------------------------------------------

IMPORT_STEPS = (Kind.APPLICATION, Kind.TALK, Kind.ACTIVIST, Kind.TARGET, Kind.ADMISSION)


def import_dates_check(*, dates: Mapping[str, dt.date | None], rules: Mapping, today: dt.date) -> list[str]:
    """The ledger's five dates (procedure order, blank = not reached): none missing before a later one,
    none before the one before it, none in the future, the target at least `activist_before_target` after
    the activist date. Returns the messages (empty when the dates are fine)."""
    messages: list[str] = []
    previous: tuple[str, dt.date] | None = None
    for kind in IMPORT_STEPS:
        day = dates.get(kind)
        if day is None:
            continue
        if day > today:
            messages.append(_("%(step)s: the date cannot be in the future.") % {"step": Kind(kind).label})
        earlier = IMPORT_STEPS[: IMPORT_STEPS.index(kind)]
        missing = [k for k in earlier if dates.get(k) is None]
        if missing:
            messages.append(
                _("%(step)s without %(missing)s: the steps before it are missing.")
                % {"step": Kind(kind).label, "missing": ", ".join(str(Kind(k).label) for k in missing)}
            )
        elif previous is not None and day < previous[1]:
            messages.append(
                _("%(step)s (%(date)s) is before %(previous)s (%(previous_date)s).")
                % {
                    "step": Kind(kind).label,
                    "date": day.isoformat(),
                    "previous": Kind(previous[0]).label,
                    "previous_date": previous[1].isoformat(),
                }
            )
        previous = (kind, day)
    activist, target = dates.get(Kind.ACTIVIST), dates.get(Kind.TARGET)
    if activist and target:
        rule = rules[procedure.ACTIVIST_BEFORE_TARGET]
        if target < procedure.after(activist, rule):
            messages.append(
                _("Too early: %(rule)s (not before %(date)s).")
                % {"rule": rule.text, "date": procedure.after(activist, rule).isoformat()}
            )
    return messages


@transaction.atomic
def candidate_import(
    *,
    candidate: Candidate | None,
    organization: Organization,
    person: Mapping[str, object],
    dates: Mapping[str, dt.date | None],
    document: str,
    by: User,
) -> tuple[Candidate, list[str]]:
    """One row of the existing ledger (checked by the importer with import_dates_check): a new candidate,
    or the later steps of a known one (the dates already stored are the same, checked by the importer).
    The steps are recorded as they stand in the ledger (what it does not hold, like the introducers, is
    not invented). An admission date puts the person on the roster (member_admit). Returns the candidate
    and the steps added."""
    applied_on = dates[Kind.APPLICATION]
    if applied_on is None:
        raise ValidationError(_("Out of order: first record %(steps)s.") % {"steps": Kind.APPLICATION.label})
    if candidate is None:
        candidate = Candidate.objects.create(
            organization=organization, created_by=by, applied_on=applied_on, **person
        )
        existing: set[str] = set()
    else:
        candidate = _lock(candidate)
        existing = set(candidate.steps.values_list("kind", flat=True))
    added: list[str] = []
    for kind in IMPORT_STEPS:
        day = dates.get(kind)
        if day is None or kind in existing:
            continue
        Step.objects.create(candidate=candidate, kind=kind, on=day, document=document, recorded_by=by)
        setattr(candidate, DATE_FIELDS[kind], day)
        added.append(kind)
    admitted_on = dates.get(Kind.ADMISSION)
    if Kind.ADMISSION in added and admitted_on is not None:
        member, _created = member_services.member_admit(
            organization=organization,
            name=candidate.name,
            gender=candidate.gender,
            ethnicity=candidate.ethnicity,
            birth_date=candidate.birth_date,
            id_number=candidate.id_number,
            admitted_on=admitted_on,
            by=by,
        )
        candidate.member = member
    if added:
        candidate.save()
    return candidate, added
