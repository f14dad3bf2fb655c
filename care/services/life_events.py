"""Life events: illness (患病探望) and death (the condolence process, 赠送花圈并委派人员参加悼念)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.services import member_record_death as roster_record_death
from members.services import member_update
from notifications.services import (
    deliveries_withdraw,
)
from users.models import User

from ..models import (
    Condolence,
    Grant,
    Pairing,
    Visit,
    VisitPolicy,
)
from .notices import _notify_condolence, _notify_visit, _visit_key_prefixes
from .visits import responsible_users

DEFAULT_ILLNESS_DAYS = 7
CONDOLENCE_DAYS = 3
# A death recorded outside the care pages (the roster form, an import) is picked up by the next daily run.
CONDOLENCE_LOOKBACK_DAYS = 90


def _policy(target: str) -> VisitPolicy | None:
    return VisitPolicy.objects.filter(target=target, is_active=True).order_by("pk").first()


def member_fell_ill(*, member: Member, since: dt.date, by: User) -> Visit | None:
    """患病探望: plan an illness visit within the policy's number of days (7 by default) of `since`,
    assigned to the pairing helper or the branch secretary, who is told at once. Idempotent per episode."""
    if (member.died_on and member.died_on <= since) or (member.departed_on and member.departed_on <= since):
        return None
    policy = _policy(VisitPolicy.Target.ILL)
    if policy is not None and policy.sector and member.organization.sector != policy.sector:
        return None  # the policy covers another sector
    days = policy.within_days if policy else DEFAULT_ILLNESS_DAYS
    key = f"{policy.code if policy else 'ill'}:{member.pk}:{since.isoformat()}"
    existing = Visit.objects.filter(schedule_key=key).first()
    if existing:
        return existing
    assigned = responsible_users(members=[(member.pk, member.organization_id)], on=since).get(member.pk)
    with transaction.atomic():
        visit, created = Visit.objects.get_or_create(
            schedule_key=key,
            defaults={
                "member": member,
                "organization": member.organization,
                "kind": Visit.Kind.ILLNESS,
                "planned_on": since,
                "due_on": since + dt.timedelta(days=days),
                "assigned_to_id": assigned,
                "policy": policy,
                "period_key": since.isoformat(),
                "created_by": by,
            },
        )
    if created and visit.assigned_to:
        _notify_visit(
            visit=visit,
            kind="care_visit_planned",
            template="care/email/visit_planned",
            users=[visit.assigned_to],
        )
    return visit


def member_record_illness(*, member: Member, illness: str, since: dt.date, by: User) -> Visit | None:
    """The care page's "record illness": set the member's illness fields, then plan the visit."""
    if since > timezone.localdate():
        raise ValidationError({"since": _("The illness cannot start in the future.")})
    if since < member.birth_date:
        raise ValidationError({"since": _("The date is before the member was born.")})
    if member.died_on:
        raise ValidationError(_("%(name)s has died.") % {"name": member.name})
    if member.departed_on:
        raise ValidationError(_("%(name)s has left the roll.") % {"name": member.name})
    with transaction.atomic():
        member_update(member=member, by=by, illness=illness.strip(), ill_since=since)
        return member_fell_ill(member=member, since=since, by=by)


def member_died(*, member: Member, died_on: dt.date, by: User) -> Condolence:
    """For a deceased member: start the condolence process (a wreath from the organization and people sent
    to the memorial, both to be confirmed; 赠送花圈并委派人员参加悼念) and end everything planned for them:
    planned visits cancelled, pending grants cancelled, pairings ended, unsent reminders withdrawn.
    Idempotent: a second call changes nothing."""
    with transaction.atomic():
        condolence, created = Condolence.objects.get_or_create(
            member=member,
            defaults={"organization": member.organization, "died_on": died_on, "started_by": by},
        )
        _end_plans(
            member=member,
            on=died_on,
            grant_reason=_("The member died on %(date)s.") % {"date": died_on},
            withdraw_reason="member deceased",
        )
        visit, _v = Visit.objects.get_or_create(
            schedule_key=f"condolence:{member.pk}",
            defaults={
                "member": member,
                "organization": member.organization,
                "kind": Visit.Kind.CONDOLENCE,
                "planned_on": died_on,
                "due_on": died_on + dt.timedelta(days=CONDOLENCE_DAYS),
                "assigned_to_id": responsible_users(
                    members=[(member.pk, member.organization_id)], on=died_on, use_helper=False
                ).get(member.pk),
                "period_key": died_on.isoformat(),
                "created_by": by,
            },
        )
    if created:
        _notify_condolence(condolence=condolence)
    return condolence


def _end_plans(*, member: Member, on: dt.date, grant_reason: str, withdraw_reason: str) -> None:
    """Planned visits cancelled (a condolence visit excepted), planned and approved grants cancelled with
    `grant_reason` (a paid one stays), pairings ended on `on`, the cancelled visits' unsent reminders
    withdrawn."""
    cancelled_visits = list(
        Visit.objects.filter(member=member, status=Visit.Status.PLANNED)
        .exclude(kind=Visit.Kind.CONDOLENCE)
        .values_list("pk", flat=True)
    )
    Visit.objects.filter(pk__in=cancelled_visits).update(status=Visit.Status.CANCELLED)
    Grant.objects.filter(member=member, status__in=[Grant.Status.PLANNED, Grant.Status.APPROVED]).update(
        status=Grant.Status.CANCELLED, cancel_reason=grant_reason
    )
    Pairing.objects.filter(Q(helped=member) | Q(helper=member)).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=on)
    ).update(ends_on=Greatest(F("starts_on"), Value(on)))
    if cancelled_visits:
        deliveries_withdraw(key_prefix=_visit_key_prefixes(cancelled_visits), reason=withdraw_reason)


def member_left(*, member: Member, on: dt.date, by: User) -> None:
    """A member who left the roll (转出, 退党, 除名 …, members.services.member_depart) is no longer cared for
    here, as after a death but without a condolence: planned visits and open grants are cancelled, pairings
    end on the departure date, unsent reminders are withdrawn (called through the members' departure
    registry, care/departures.py). Idempotent."""
    with transaction.atomic():
        _end_plans(
            member=member,
            on=on,
            grant_reason=_("The member left the roll on %(date)s.") % {"date": on},
            withdraw_reason="member departed",
        )


def member_record_death(*, member: Member, died_on: dt.date, by: User) -> Condolence:
    """The care page's "record death": the roster records the date of death (members.services), then
    member_died starts the condolence process and ends what was planned."""
    if died_on > timezone.localdate():
        raise ValidationError({"died_on": _("The date of death cannot be in the future.")})
    if died_on < member.birth_date:
        raise ValidationError({"died_on": _("The date of death cannot be before the birth date.")})
    if member.died_on and member.died_on != died_on:
        raise ValidationError(
            {"died_on": _("The death was already recorded on %(date)s.") % {"date": member.died_on}}
        )
    with transaction.atomic():
        if not member.died_on:
            roster_record_death(member=member, died_on=died_on, by=by)  # the roster's own rule and history
        return member_died(member=member, died_on=died_on, by=by)


def condolence_confirm(
    *,
    condolence: Condolence,
    by: User,
    memorial_on: dt.date | None = None,
    attendees: str | None = None,
    wreath_confirmed_on: dt.date | None = None,
    attendance_confirmed_on: dt.date | None = None,
    notes: str | None = None,
) -> Condolence:
    """Confirm the wreath and the memorial attendance; when both are confirmed the condolence visit is done."""
    if memorial_on is not None:
        condolence.memorial_on = memorial_on
    if attendees is not None:
        condolence.attendees = attendees.strip()
    if notes is not None:
        condolence.notes = notes
    for field, value in (
        ("wreath_confirmed_on", wreath_confirmed_on),
        ("attendance_confirmed_on", attendance_confirmed_on),
    ):
        if value is not None:
            if value < condolence.died_on:
                raise ValidationError({field: _("The date is before the member's death.")})
            setattr(condolence, field, value)
    condolence.full_clean()
    with transaction.atomic():
        condolence.save()
        if condolence.is_complete:
            Visit.objects.filter(
                member_id=condolence.member_id, kind=Visit.Kind.CONDOLENCE, status=Visit.Status.PLANNED
            ).update(
                status=Visit.Status.DONE,
                done_on=condolence.attendance_confirmed_on,
                visitors=condolence.attendees,
            )
    return condolence


def condolences_start_missing(*, as_of: dt.date, by: User) -> int:
    """Start the condolence process for members who died in the last CONDOLENCE_LOOKBACK_DAYS days and have
    none yet (a death is rare: one service call each). Returns how many were started."""
    recent = Member.objects.filter(
        died_on__isnull=False,
        died_on__lte=as_of,
        died_on__gte=as_of - dt.timedelta(days=CONDOLENCE_LOOKBACK_DAYS),
        condolence__isnull=True,
    ).select_related("organization")
    started = 0
    for member in recent:
        assert member.died_on is not None  # filtered above
        member_died(member=member, died_on=member.died_on, by=by)
        started += 1
    return started
