"""Writes for the care service network (服务中心/站/点) and the benefit rules' versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import scope_for
from users.models import User

from ..models import (
    BenefitRule,
    RuleCondition,
    RuleVersion,
    ServicePoint,
)


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
