"""Writes for the three officers (三员): assignments, visit logs and follow-ups."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import OfficerAssignment, Organization
from branches.selectors import officer_assignments_active, scope_for
from users.models import User

from .models import FollowUp, VisitLog


def _drop_scope_cache(user) -> None:
    user.__dict__.pop("_scope_cache", None)


def officer_assign(
    *,
    officer,
    organization: Organization,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
    by: User,
    assignment: OfficerAssignment | None = None,
) -> OfficerAssignment:
    """Assign (or re-assign) an officer. The kind must match the organization's sector — a counselor
    (辅导员) to an organ (机关), a service officer (服务员) to a public institution (事业单位), a liaison
    officer (联络员) to a rural (农村) organization — and the period may not end before it starts.
    Only someone who may change the organization assigns to it."""
    if not scope_for(by).can_write(organization):
        raise PermissionDenied
    assignment = assignment or OfficerAssignment()
    assignment.officer = officer
    assignment.organization = organization
    assignment.kind = kind
    assignment.starts_on = starts_on
    assignment.ends_on = ends_on
    assignment.note = note
    assignment.full_clean()
    assignment.save()
    _drop_scope_cache(officer)
    return assignment


def _active_assignment(*, officer, organization: Organization, on: dt.date) -> OfficerAssignment | None:
    return (
        officer_assignments_active(on=on)
        .filter(officer=officer, organization=organization)
        .order_by("-starts_on")
        .first()
    )


@transaction.atomic
def visit_log_create(
    *,
    officer,
    organization: Organization,
    visited_on: dt.date,
    purpose: str,
    findings: str = "",
    follow_ups: list[dict] | None = None,
    today: dt.date,
) -> VisitLog:
    """An officer logs a visit to an organization assigned to them on that day (their own log only)."""
    if visited_on > today:
        raise ValidationError({"visited_on": _("A visit cannot be logged before it happens.")})
    assignment = _active_assignment(officer=officer, organization=organization, on=visited_on)
    if assignment is None:
        raise ValidationError(
            {"visited_on": _("You were not assigned to %(org)s on that day.") % {"org": organization}}
        )
    visit = VisitLog(
        assignment=assignment,
        organization=organization,
        officer=officer,
        visited_on=visited_on,
        purpose=purpose,
        findings=findings,
    )
    visit.full_clean()
    visit.save()
    for item in follow_ups or []:
        follow_up_add(visit=visit, by=officer, description=item["description"], due_on=item["due_on"])
    return visit


def follow_up_add(*, visit: VisitLog, by: User, description: str, due_on: dt.date) -> FollowUp:
    if by.pk != visit.officer_id:
        raise PermissionDenied
    if due_on < visit.visited_on:
        raise ValidationError({"due_on": _("A follow-up cannot be due before the visit.")})
    follow_up = FollowUp(
        visit=visit, organization_id=visit.organization_id, description=description, due_on=due_on
    )
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def follow_up_complete(*, follow_up: FollowUp, by: User, on: dt.date, note: str = "") -> FollowUp:
    """Marked done by the officer who raised it or by the organization's own office."""
    if by.pk != follow_up.visit.officer_id and not scope_for(by).can_write(follow_up.organization):
        raise PermissionDenied
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up is done already."))
    if on < follow_up.visit.visited_on:
        raise ValidationError({"done_on": _("A follow-up cannot be done before the visit.")})
    follow_up.done_on = on
    follow_up.done_note = note
    follow_up.save(update_fields=["done_on", "done_note"])
    return follow_up
