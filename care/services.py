"""Writes for care: service points, rule versions, grants and budgets, visits and pairings, life events
(illness, death) and the visit scheduler. Views, admin, commands and jobs call these."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, RoleAssignment
from branches.selectors import organization_township, scope_for
from members.ages import years_before
from members.models import Member
from users.models import User

from . import selectors
from .models import (
    BenefitRule,
    Condolence,
    Grant,
    Pairing,
    RuleCondition,
    RuleVersion,
    ServicePoint,
    TownshipBudget,
    Visit,
    VisitPolicy,
)

logger = logging.getLogger(__name__)
Role = RoleAssignment.Role
DEFAULT_ILLNESS_DAYS = 7
CONDOLENCE_DAYS = 3


# -- service network ---------------------------------------------------------------------------------


def service_point_save(*, organization: Organization, by: User, **fields) -> ServicePoint:
    """Create or update the service point of an organization; its level follows the organization's level
    (县 → 服务中心, 乡镇 → 服务站, 村 → 服务点)."""
    point = ServicePoint.objects.filter(organization=organization).first() or ServicePoint(
        organization=organization
    )
    for name, value in fields.items():
        setattr(point, name, value)
    point.level = ServicePoint.level_for(organization)
    if not point.name:
        point.name = organization.name
    point.full_clean()
    point.save()
    return point


# -- rules -------------------------------------------------------------------------------------------


def rule_version_create(
    *,
    rule: BenefitRule,
    effective_from: dt.date,
    groups: list[list[dict]],
    by: User,
    amount: Decimal | None = None,
    in_kind: str = "",
    note: str = "",
) -> RuleVersion:
    """Record a change to a rule by the county office, in force from `effective_from` (earlier evaluations
    keep the version valid then). `groups` is a list of alternatives, each a list of conditions
    ({"kind", "number", "date"}). A rule without a condition is refused: it would make everyone eligible."""
    if not scope_for(by).is_county:
        raise PermissionDenied(_("Only the county organization department changes benefit rules."))
    groups = [g for g in groups if g]
    if not groups:
        raise ValidationError(_("A rule needs at least one condition; a rule without conditions is refused."))
    if amount is None and not in_kind.strip():
        raise ValidationError(_("Give an amount or describe what is given in kind."))
    if effective_from < rule.valid_from:
        raise ValidationError(
            {"effective_from": _("The change cannot take effect before the rule is valid.")}
        )
    conditions = []
    for g, group in enumerate(groups, start=1):
        seen = set()
        for spec in group:
            c = RuleCondition(group=g, kind=spec["kind"], number=spec.get("number"), date=spec.get("date"))
            if c.kind in RuleCondition.NUMBER_KINDS and c.number is None:
                raise ValidationError(_("“%(c)s” needs a number of years.") % {"c": c.get_kind_display()})
            if c.kind in RuleCondition.DATE_KINDS and c.date is None:
                raise ValidationError(_("“%(c)s” needs a date.") % {"c": c.get_kind_display()})
            if c.kind not in RuleCondition.NUMBER_KINDS:
                c.number = None
            if c.kind not in RuleCondition.DATE_KINDS:
                c.date = None
            if c.kind in seen:
                raise ValidationError(
                    _("Alternative %(g)s has “%(c)s” twice.") % {"g": g, "c": c.get_kind_display()}
                )
            seen.add(c.kind)
            conditions.append(c)
    with transaction.atomic():
        if RuleVersion.objects.filter(rule=rule, effective_from=effective_from).exists():
            raise ValidationError(
                {"effective_from": _("This rule already has a version from that date: choose another date.")}
            )
        version = RuleVersion.objects.create(
            rule=rule,
            effective_from=effective_from,
            amount=amount,
            in_kind=in_kind,
            note=note,
            recorded_by=by,
        )
        for c in conditions:
            c.version = version
        RuleCondition.objects.bulk_create(conditions)
    return version


# -- grants ------------------------------------------------------------------------------------------


def township_index() -> list[tuple[str, int]]:
    return list(Organization.objects.filter(kind=Organization.Kind.TOWNSHIP).values_list("path", "pk"))


def township_for_path(path: str, index: list[tuple[str, int]]) -> int | None:
    for prefix, pk in index:
        if path.startswith(prefix):
            return pk
    return None


def _rule_on(rule: BenefitRule, on: dt.date) -> selectors.RuleInForce:
    found = selectors.rules_in_force(as_of=on, codes=[rule.code])
    if not found:
        raise ValidationError(
            {
                "granted_on": _("The benefit “%(rule)s” is not in force on %(date)s.")
                % {"rule": rule.name, "date": on}
            }
        )
    return found[0]


def _duplicate_message(rule: BenefitRule, period_key: str) -> str:
    if period_key == "once":
        return _("This member has already received “%(rule)s” (once in a lifetime).") % {"rule": rule.name}
    return _("This member already has “%(rule)s” for %(period)s.") % {"rule": rule.name, "period": period_key}


def grant_create(
    *,
    member: Member,
    rule: BenefitRule,
    granted_on: dt.date,
    by: User,
    amount: Decimal | None = None,
    in_kind: str | None = None,
    override_reason: str = "",
) -> Grant:
    """Plan one grant. Refused for a deceased member, for a second live grant of the same benefit and period
    (and the database refuses it too), and for a member not eligible on `granted_on` unless the county office
    records a reason."""
    in_force = _rule_on(rule, granted_on)
    if member.died_on and member.died_on <= granted_on:
        raise ValidationError(
            _("%(name)s died on %(date)s: no benefit can be granted.")
            % {"name": member.name, "date": member.died_on}
        )
    if not selectors.member_is_eligible(member=member, rule=in_force):
        if not override_reason.strip():
            raise ValidationError(
                _(
                    "%(name)s is not eligible for “%(rule)s” on %(date)s. Only the county office may grant it, "
                    "with a recorded reason."
                )
                % {"name": member.name, "rule": rule.name, "date": granted_on}
            )
        if not scope_for(by).is_county:
            raise ValidationError(
                {"override_reason": _("Only the county organization department may grant outside the rule.")}
            )
    elif not scope_for(by).is_county:
        override_reason = ""
    period_key = rule.period_key(granted_on)
    grant = Grant(
        rule=rule,
        member=member,
        organization=member.organization,
        township=organization_township(member.organization),
        period_key=period_key,
        year=granted_on.year,
        granted_on=granted_on,
        amount=amount if amount is not None else in_force.version.amount,
        in_kind=in_kind if in_kind is not None else in_force.version.in_kind,
        override_reason=override_reason.strip(),
        created_by=by,
    )
    if (
        Grant.objects.filter(rule=rule, member=member, period_key=period_key)
        .exclude(status=Grant.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_duplicate_message(rule, period_key))
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:  # a concurrent request won the race; the database said no
        raise ValidationError(_duplicate_message(rule, period_key)) from None
    return grant


def grants_create_for_eligible(
    *, org: Organization, granted_on: dt.date, by: User, codes: list[str] | None = None
) -> int:
    """批量: a planned grant for every member of `org`'s subtree (within the user's write scope) eligible on
    `granted_on` and not yet granted this period. A constant number of queries per rule; bulk insert."""
    scope = scope_for(by)
    if not scope.can_write(org):
        raise PermissionDenied
    townships = township_index()
    created = 0
    for r in selectors.rules_in_force(as_of=granted_on, codes=codes):
        candidates = (
            scope.filter(selectors.members_in(org), "organization", write=True)
            .filter(selectors.alive_member_q(as_of=granted_on) & selectors.rule_q(r))
            .exclude(pk__in=selectors.granted_member_ids(r, paid=False))
            .values_list("pk", "organization_id", "organization__path")
        )
        objs = [
            Grant(
                rule=r.rule,
                member_id=pk,
                organization_id=org_id,
                township_id=township_for_path(path, townships),
                period_key=r.period_key,
                year=granted_on.year,
                granted_on=granted_on,
                amount=r.version.amount,
                in_kind=r.version.in_kind,
                created_by=by,
            )
            for pk, org_id, path in candidates
        ]
        # ignore_conflicts: a grant inserted meanwhile by someone else is kept, never doubled.
        Grant.objects.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
        created += len(objs)
    return created


def _approving_org_path(grant: Grant, county_path: str) -> str:
    return grant.township.path if grant.township else county_path


def grants_approve(*, grants: list[Grant], by: User) -> int:
    """Approve planned grants. Approval comes from the level above: a township approves the grants of its
    villages, the county office those outside any township. Refused beyond the township's yearly budget."""
    scope = scope_for(by)
    county = (
        Organization.objects.filter(kind=Organization.Kind.COUNTY).values_list("path", flat=True).first()
        or ""
    )
    todo = [g for g in grants if g.status == Grant.Status.PLANNED]
    for g in todo:
        approving = _approving_org_path(g, county)
        if not (scope.is_superuser or any(approving.startswith(p) for p in scope.write_paths)):
            raise PermissionDenied(
                _("Grants are approved by the level above (the township or the county office).")
            )
    if not todo:
        return 0
    with transaction.atomic():
        _check_budgets(grants=todo, extra={})
        now = timezone.now()
        updated = Grant.objects.filter(pk__in=[g.pk for g in todo], status=Grant.Status.PLANNED).update(
            status=Grant.Status.APPROVED, approved_by=by, approved_at=now
        )
    for g in todo:
        g.status, g.approved_by, g.approved_at = Grant.Status.APPROVED, by, now
    return updated


def _check_budgets(*, grants: list[Grant], extra: dict) -> None:
    """Refuse when the grants would commit more than a township's budget for their year (rows locked)."""
    need: dict[tuple[int, int], Decimal] = {}
    for g in grants:
        if g.township_id and g.amount:
            key = (g.township_id, g.year)
            need[key] = need.get(key, Decimal("0")) + extra.get(g.pk, g.amount)
    for (township_id, year), amount in need.items():
        budget = TownshipBudget.objects.select_for_update().filter(township_id=township_id, year=year).first()
        if budget is None:
            continue  # no budget recorded for that township and year: nothing to check against
        committed = Grant.objects.filter(
            township_id=township_id, year=year, status__in=Grant.COMMITTED
        ).exclude(pk__in=[g.pk for g in grants if extra.get(g.pk) is not None]).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        if committed + amount > budget.amount:
            raise ValidationError(
                _(
                    "The %(year)s budget of %(township)s has %(left)s yuan left; these grants need %(need)s yuan."
                )
                % {
                    "year": year,
                    "township": budget.township.name,
                    "left": budget.amount - committed,
                    "need": amount,
                }
            )


def grant_mark_paid(
    *,
    grant: Grant,
    paid_on: dt.date,
    method: str,
    handed_over_by: str,
    by: User,
    amount: Decimal | None = None,
) -> Grant:
    """Record that an approved grant was paid or handed over: how much, when, how, by whom."""
    if grant.status != Grant.Status.APPROVED:
        raise ValidationError(_("Only an approved grant can be marked paid."))
    if not handed_over_by.strip():
        raise ValidationError({"handed_over_by": _("Say who handed it over.")})
    if paid_on < grant.granted_on.replace(month=1, day=1) and grant.period_key != "once":
        raise ValidationError({"paid_on": _("The payment date is before the grant's period.")})
    if grant.member.died_on and paid_on > grant.member.died_on:
        raise ValidationError({"paid_on": _("The member had died by that date.")})
    with transaction.atomic():
        if amount is not None and amount != grant.amount:
            _check_budgets(grants=[grant], extra={grant.pk: amount})
            grant.amount = amount
        grant.status = Grant.Status.PAID
        grant.paid_on = paid_on
        grant.method = method
        grant.handed_over_by = handed_over_by.strip()
        grant.paid_recorded_by = by
        grant.save()
    return grant


def grant_cancel(*, grant: Grant, reason: str, by: User) -> Grant:
    """Cancel a planned or approved grant (a paid one stays: it happened). The period is free again."""
    if grant.status not in (Grant.Status.PLANNED, Grant.Status.APPROVED):
        raise ValidationError(_("A paid grant cannot be cancelled."))
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Give a reason for cancelling.")})
    grant.status = Grant.Status.CANCELLED
    grant.cancel_reason = reason.strip()
    grant.save()
    return grant


def budget_set(
    *, township: Organization, year: int, amount: Decimal, by: User, note: str = ""
) -> TownshipBudget:
    """The county office sets a township's yearly care budget (recorded with history)."""
    if not scope_for(by).is_county:
        raise PermissionDenied(_("Budgets are set by the county organization department."))
    if township.kind != Organization.Kind.TOWNSHIP:
        raise ValidationError(_("Budgets are set per township."))
    committed = selectors.budget_line(township=township, year=year).committed
    if amount < committed:
        raise ValidationError(
            {
                "amount": _("%(committed)s yuan is already committed this year: the budget cannot be lower.")
                % {"committed": committed}
            }
        )
    budget, _created = TownshipBudget.objects.update_or_create(
        township=township, year=year, defaults={"amount": amount, "note": note}
    )
    return budget


# -- visits and pairings -----------------------------------------------------------------------------


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
            .filter(Q(helper__died_on__isnull=True) | Q(helper__died_on__gt=on))
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


# -- life events -------------------------------------------------------------------------------------


def _policy(target: str) -> VisitPolicy | None:
    return VisitPolicy.objects.filter(target=target, is_active=True).order_by("pk").first()


def member_fell_ill(*, member: Member, since: dt.date, by: User) -> Visit | None:
    """患病探望: plan an illness visit within the policy's number of days (7 by default) of `since`,
    assigned to the pairing helper or the branch secretary, who is told at once. Idempotent per episode."""
    if member.died_on and member.died_on <= since:
        return None
    policy = _policy(VisitPolicy.Target.ILL)
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
    from members.services import member_update

    with transaction.atomic():
        member_update(member=member, by=by, illness=illness.strip(), ill_since=since)
        return member_fell_ill(member=member, since=since, by=by)


def member_died(*, member: Member, died_on: dt.date, by: User) -> Condolence:
    """For a deceased member: start the condolence process (a wreath from the organization and people sent
    to the memorial, both to be confirmed; 赠送花圈并委派人员参加悼念) and end everything planned for them:
    planned visits cancelled, pending grants cancelled, pairings ended, unsent reminders withdrawn.
    Idempotent: a second call changes nothing."""
    from notifications.models import Delivery

    with transaction.atomic():
        condolence, created = Condolence.objects.get_or_create(
            member=member,
            defaults={"organization": member.organization, "died_on": died_on, "started_by": by},
        )
        cancelled_visits = list(
            Visit.objects.filter(member=member, status=Visit.Status.PLANNED)
            .exclude(kind=Visit.Kind.CONDOLENCE)
            .values_list("pk", flat=True)
        )
        Visit.objects.filter(pk__in=cancelled_visits).update(status=Visit.Status.CANCELLED)
        Grant.objects.filter(member=member, status__in=[Grant.Status.PLANNED, Grant.Status.APPROVED]).update(
            status=Grant.Status.CANCELLED, cancel_reason=_("The member died on %(date)s.") % {"date": died_on}
        )
        Pairing.objects.filter(Q(helped=member) | Q(helper=member)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=died_on)
        ).update(ends_on=Greatest(F("starts_on"), Value(died_on)))
        if cancelled_visits:
            q = Q()
            for pk in cancelled_visits:
                for kind in (
                    "care_visit_due",
                    "care_visit_overdue",
                    "care_visit_escalated",
                    "care_visit_planned",
                ):
                    q |= Q(key__startswith=f"{kind}:{pk}:")
            Delivery.objects.filter(q, status__in=[Delivery.Status.PENDING, Delivery.Status.DIGEST]).update(
                status=Delivery.Status.SKIPPED, error="member deceased"
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
    from members.services import member_record_death as roster_record_death

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


# -- scheduling ---------------------------------------------------------------------------------------


def _alive(as_of: dt.date) -> Q:
    return selectors.alive_member_q(as_of=as_of)


def _plan(
    *,
    policy: VisitPolicy,
    candidates,
    period: str,
    planned_on: dt.date,
    due_on: dt.date,
    as_of: dt.date,
    use_helper: bool = True,
) -> int:
    """Insert one planned visit per candidate member that has none for (policy, period). Bulk, idempotent:
    the unique schedule_key makes a rerun (or a concurrent run) insert nothing."""
    already = Visit.objects.filter(policy=policy, period_key=period).values("member_id")
    rows = list(candidates.exclude(pk__in=already).values_list("pk", "organization_id"))
    if not rows:
        return 0
    assigned = responsible_users(members=rows, on=as_of, use_helper=use_helper)
    objs = [
        Visit(
            member_id=pk,
            organization_id=org_id,
            kind=policy.visit_kind,
            planned_on=planned_on,
            due_on=max(due_on, planned_on),
            assigned_to_id=assigned.get(pk),
            policy=policy,
            period_key=period,
            schedule_key=f"{policy.code}:{pk}:{period}",
        )
        for pk, org_id in rows
    ]
    Visit.objects.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
    return len(objs)


def visits_plan(*, as_of: dt.date) -> int:
    """The scheduler: plan the visits every active policy calls for on `as_of` (see VisitPolicy.Target).
    Returns how many visits were planned; running it again for the same day plans nothing."""
    from .models import LunarNewYear

    planned = 0
    members = Member.objects.filter(_alive(as_of))
    for policy in VisitPolicy.objects.filter(is_active=True).order_by("pk"):
        T = VisitPolicy.Target
        if policy.target == T.HARDSHIP:
            start, end, period = selectors.quarter_bounds(as_of)
            planned += _plan(
                policy=policy,
                candidates=members.filter(hardship=True),
                period=period,
                planned_on=as_of,
                due_on=end,
                as_of=as_of,
            )
        elif policy.target == T.ELDERLY:
            spring = dict(
                LunarNewYear.objects.filter(year__in=[as_of.year, as_of.year + 1]).values_list("year", "date")
            )
            occasions = []
            for year in (as_of.year, as_of.year + 1):
                if year in spring:
                    occasions.append((f"{year}-spring", spring[year]))
                else:
                    logger.warning("no Spring Festival date for %s: add it to care.LunarNewYear", year)
                occasions.append((f"{year}-july1", dt.date(year, 7, 1)))
            for period, day in occasions:
                if not (day - dt.timedelta(days=policy.lead_days) <= as_of <= day):
                    continue
                who = Q(pk__in=[])
                if policy.min_age:
                    who |= Q(birth_date__lte=years_before(day, policy.min_age))
                if policy.admitted_before:
                    who |= Q(admitted_on__lt=policy.admitted_before)
                planned += _plan(
                    policy=policy,
                    candidates=members.filter(who),
                    period=period,
                    planned_on=as_of,
                    due_on=day,
                    as_of=as_of,
                )
        elif policy.target == T.ILL:
            since_from = as_of - dt.timedelta(days=max(policy.lead_days, policy.within_days))
            for since in (
                members.filter(ill_since__isnull=False, ill_since__lte=as_of, ill_since__gte=since_from)
                .values_list("ill_since", flat=True)
                .distinct()
            ):
                assert since is not None  # ill_since__isnull=False
                planned += _plan(
                    policy=policy,
                    candidates=members.filter(ill_since=since),
                    period=since.isoformat(),
                    planned_on=since,
                    due_on=since + dt.timedelta(days=policy.within_days),
                    as_of=as_of,
                )
        elif policy.target == T.PARTY_AGE and policy.party_age_years:
            first, last = selectors.month_bounds(as_of)
            n = policy.party_age_years
            # the anniversary add_years(full_member_on, n) falls in this month (29 Feb → 1 Mar, like years_between)
            reaching = members.filter(
                full_member_on__gt=years_before(first - dt.timedelta(days=1), n),
                full_member_on__lte=years_before(last, n),
            )
            planned += _plan(
                policy=policy,
                candidates=reaching,
                period=f"{n}y",
                planned_on=as_of,
                due_on=last,
                as_of=as_of,
                use_helper=False,
            )
    return planned


def _notify_visit(
    *, visit: Visit, kind: str, template: str, users: list, skip: frozenset = frozenset()
) -> int:
    """One message per recipient under the key "<kind>:<visit>:<user>:<due date>" (skipped if already sent)."""
    from notifications.services import notify

    sent = 0
    for user in users:
        key = _visit_key(kind, visit, user.pk)
        if key in skip:
            continue
        delivery = notify(
            user=user,
            key=key,
            kind=kind,
            template=template,
            context={"visit": visit, "member": visit.member, "recipient": user},
            url=reverse("care:member", args=[visit.member_id]),
            # the township hears of overdue visits in its digest, not one e-mail per visit
            digest_only=kind == "care_visit_escalated",
        )
        sent += delivery is not None
    return sent


def _visit_key(kind: str, visit: Visit, user_id: int) -> str:
    return f"{kind}:{visit.pk}:{user_id}:{visit.due_on}"


def _township_officials(org_ids: set[int]) -> dict[int, list]:
    """Township secretaries and staff above each organization (for escalation)."""
    from users.models import User

    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "path"))
    roles = list(
        RoleAssignment.objects.filter(
            role__in=[Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF], user__is_active=True
        ).values_list("organization__path", "user_id")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={u for _p, u in roles})}
    return {
        org_id: [users[u] for p, u in roles if path.startswith(p) and u in users]
        for org_id, path in orgs.items()
    }


def visits_remind(*, as_of: dt.date) -> int:
    """Remind the responsible person before a planned visit is due, tell them when it is overdue, and escalate
    to the township when it is still not done `escalate_days_after` days later. One delivery per visit, step
    and person (unique key), so a rerun sends nothing; keys already in the outbox are found in one query
    per thousand, so a quiet day costs a handful of queries however many visits are open."""
    from notifications.models import Delivery

    horizon = as_of + dt.timedelta(
        days=max([3, *VisitPolicy.objects.values_list("remind_days_before", flat=True)])
    )
    visits = list(
        Visit.objects.filter(status=Visit.Status.PLANNED, due_on__lte=horizon)
        .filter(_alive_visit_q(as_of))
        .select_related("policy", "member", "member__organization", "assigned_to")
    )
    steps: list[tuple[Visit, str, list]] = []
    to_escalate = []
    for v in visits:
        remind = v.policy.remind_days_before if v.policy else 3
        escalate = v.policy.escalate_days_after if v.policy else 7
        if v.assigned_to_id and v.due_on - dt.timedelta(days=remind) <= as_of <= v.due_on:
            steps.append((v, "care_visit_due", [v.assigned_to]))
        elif v.assigned_to_id and as_of > v.due_on:
            steps.append((v, "care_visit_overdue", [v.assigned_to]))
        if as_of > v.due_on and as_of >= v.due_on + dt.timedelta(days=escalate):
            to_escalate.append(v)
    if to_escalate:
        officials = _township_officials({v.organization_id for v in to_escalate})
        steps.extend((v, "care_visit_escalated", officials.get(v.organization_id, [])) for v in to_escalate)
    keys = [_visit_key(kind, v, u.pk) for v, kind, users in steps for u in users]
    existing: set[str] = set()
    for start in range(0, len(keys), 1000):
        existing.update(
            Delivery.objects.filter(key__in=keys[start : start + 1000]).values_list("key", flat=True)
        )
    skip = frozenset(existing)
    templates = {
        "care_visit_due": "care/email/visit_due",
        "care_visit_overdue": "care/email/visit_overdue",
        "care_visit_escalated": "care/email/visit_escalated",
    }
    return sum(
        _notify_visit(visit=v, kind=kind, template=templates[kind], users=users, skip=skip)
        for v, kind, users in steps
    )


def _alive_visit_q(as_of: dt.date) -> Q:
    return Q(member__died_on__isnull=True) | Q(kind=Visit.Kind.CONDOLENCE)


def _notify_condolence(*, condolence: Condolence) -> int:
    from notifications.services import notify
    from users.models import User

    org = condolence.organization
    user_ids = set(
        RoleAssignment.objects.filter(role=Role.BRANCH_SECRETARY, organization=org).values_list(
            "user_id", flat=True
        )
    )
    user_ids |= {u.pk for users in _township_officials({org.pk}).values() for u in users}
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        sent += (
            notify(
                user=user,
                key=f"care_condolence:{condolence.pk}:{user.pk}:start",
                kind="care_condolence",
                template="care/email/condolence_started",
                context={"condolence": condolence, "member": condolence.member, "recipient": user},
                url=reverse("care:condolence", args=[condolence.pk]),
            )
            is not None
        )
    return sent
