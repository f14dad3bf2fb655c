"""Writes for visits and pairings (结对帮扶), and who is responsible for visiting a member."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import RoleAssignment
from members.models import Member
from members.selectors import living_on_q
from users.models import User

from ..models import (
    Pairing,
    Visit,
)

Role = RoleAssignment.Role


def _check_visit_date(*, member: Member, kind: str, on: dt.date, field: str) -> None:
    """A visit cannot be dated before the member was born; only a condolence visit comes after death,
    and never before it."""
    if on < member.birth_date:
        raise ValidationError({field: _("The date is before the member was born.")})
    if member.died_on:
        if kind == Visit.Kind.CONDOLENCE and on < member.died_on:
            raise ValidationError({field: _("A condolence visit cannot be before the member's death.")})
        if kind != Visit.Kind.CONDOLENCE and on > member.died_on:
            raise ValidationError(
                {
                    field: _("%(name)s died on %(date)s: the date is after the death.")
                    % {"name": member.name, "date": member.died_on}
                }
            )
    elif kind == Visit.Kind.CONDOLENCE:
        raise ValidationError({"kind": _("A condolence visit is only for a deceased member.")})
    if member.departed_on and on >= member.departed_on:
        raise ValidationError(
            {
                field: _("%(name)s left the roll on %(date)s: the date is not before it.")
                % {"name": member.name, "date": member.departed_on}
            }
        )


def visit_create(
    *,
    member: Member,
    kind: str,
    planned_on: dt.date,
    by: User,
    due_on: dt.date | None = None,
    assigned_to=None,
    visitors: str = "",
    notes: str = "",
) -> Visit:
    due_on = due_on or planned_on
    _check_visit_date(member=member, kind=kind, on=planned_on, field="planned_on")
    _check_visit_date(member=member, kind=kind, on=due_on, field="due_on")
    if due_on < planned_on:
        raise ValidationError({"due_on": _("The due date cannot be before the planned date.")})
    if assigned_to is None:
        assigned_to_id = responsible_users(members=[(member.pk, member.organization_id)], on=planned_on).get(
            member.pk
        )
    else:
        assigned_to_id = assigned_to.pk
    return Visit.objects.create(
        member=member,
        organization=member.organization,
        kind=kind,
        planned_on=planned_on,
        due_on=due_on,
        assigned_to_id=assigned_to_id,
        visitors=visitors,
        notes=notes,
        created_by=by,
    )


def visit_complete(
    *, visit: Visit, done_on: dt.date, visitors: str, by: User, notes: str = "", follow_up: str = ""
) -> Visit:
    """Record a visit as done (who went, what was said, what follows)."""
    if visit.status == Visit.Status.CANCELLED:
        raise ValidationError(_("This visit was cancelled."))
    _check_visit_date(member=visit.member, kind=visit.kind, on=done_on, field="done_on")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A visit cannot be recorded as done in the future.")})
    if not visitors.strip():
        raise ValidationError({"visitors": _("Name who made the visit.")})
    visit.status = Visit.Status.DONE
    visit.done_on = done_on
    visit.visitors = visitors.strip()
    visit.notes = notes
    visit.follow_up = follow_up
    visit.save()
    return visit


def visit_cancel(*, visit: Visit, by: User) -> Visit:
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("Only a planned visit can be cancelled."))
    visit.status = Visit.Status.CANCELLED
    visit.save(update_fields=["status"])
    return visit


def pairing_create(
    *,
    helper: Member,
    helped: Member,
    starts_on: dt.date,
    by: User,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Pairing:
    """结对帮扶: a living member helps another living member for a period."""
    if helper.pk == helped.pk:
        raise ValidationError({"helper": _("A member cannot be paired with themselves.")})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The pairing cannot end before it starts.")})
    for m, field in ((helper, "helper"), (helped, "helped")):
        if m.died_on and m.died_on <= starts_on:
            raise ValidationError({field: _("%(name)s has died.") % {"name": m.name}})
        if m.departed_on and m.departed_on <= starts_on:
            raise ValidationError({field: _("%(name)s has left the roll.") % {"name": m.name}})
    overlap = Pairing.objects.filter(helper=helper, helped=helped).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on:
        overlap = overlap.filter(starts_on__lte=ends_on)
    if overlap.exists():
        raise ValidationError(_("These two members are already paired for that period."))
    return Pairing.objects.create(
        helper=helper,
        helped=helped,
        organization=helped.organization,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )


def pairing_end(*, pairing: Pairing, ends_on: dt.date, by: User) -> Pairing:
    if ends_on < pairing.starts_on:
        raise ValidationError({"ends_on": _("The pairing cannot end before it starts.")})
    pairing.ends_on = ends_on
    pairing.save(update_fields=["ends_on"])
    return pairing


def responsible_users(
    *, members: list[tuple[int, int]], on: dt.date, use_helper: bool = True
) -> dict[int, int | None]:
    """Who is responsible for visiting each (member id, organization id): the pairing helper (if they have
    an account) or else the branch secretary. Two queries for any number of members."""
    member_ids = [m for m, _o in members]
    helpers: dict[int, int] = {}
    if use_helper and member_ids:
        rows = (
            Pairing.objects.filter(helped_id__in=member_ids, starts_on__lte=on, helper__user__isnull=False)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
            .filter(living_on_q(on, "helper__"))
            .order_by("-starts_on", "pk")
            .values_list("helped_id", "helper__user_id")
        )
        for helped_id, user_id in rows:
            helpers.setdefault(helped_id, user_id)
    secretaries: dict[int, int] = {}
    org_ids = {o for _m, o in members}
    for org_id, user_id in (
        RoleAssignment.objects.filter(
            role=Role.BRANCH_SECRETARY, organization_id__in=org_ids, user__is_active=True
        )
        .order_by("pk")
        .values_list("organization_id", "user_id")
    ):
        secretaries.setdefault(org_id, user_id)
    return {m: helpers.get(m) or secretaries.get(o) for m, o in members}
