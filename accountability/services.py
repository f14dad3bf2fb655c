"""Writes for targets (党建工作目标化): the indicator library, responsibility contracts, evaluations and duty
reports. Every rule from the issue is enforced here (and again by a database constraint where one can be)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from branches.models import Organization
from common.files import content_matches, upload_name
from users.models import User

from .models import (
    Contract,
    ContractLine,
    DutyReport,
    DutyReportAttachment,
    Indicator,
    IndicatorGroup,
    YearDeadlines,
)
from .selectors import contract_children, deadlines_get, grade_bands, grade_for, user_acts_for

HUNDRED = Decimal("100")
ZERO = Decimal("0")


def _require_acts_for(user: User, organization: Organization) -> None:
    if not user_acts_for(user=user, organization=organization):
        raise PermissionDenied(_("Only the office of %(org)s may do this.") % {"org": organization})


def _check_weights(weights: list[Decimal]) -> None:
    """Indicator weights of a contract add up to exactly 100."""
    if not weights:
        raise ValidationError(_("A contract needs at least one indicator."))
    total = sum(weights, ZERO)
    if total != HUNDRED:
        raise ValidationError(
            _("The weights add up to %(total)s; they must add up to 100.")
            % {"total": format(total.normalize(), "f")}
        )


# -- deadlines ------------------------------------------------------------------------------------
def deadlines_set(*, year: int, **dates: dt.date) -> YearDeadlines:
    obj = deadlines_get(year=year)
    for name, value in dates.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# -- indicator library ----------------------------------------------------------------------------
def indicator_group_create(*, year: int, name: str, position: int = 0) -> IndicatorGroup:
    group = IndicatorGroup(year=year, name=name.strip(), position=position)
    group.full_clean()
    group.save()
    return group


def indicator_save(
    *,
    group: IndicatorGroup,
    name: str,
    check_standard: str,
    weight: Decimal,
    evidence: str = "",
    position: int = 0,
    indicator: Indicator | None = None,
) -> Indicator:
    indicator = indicator or Indicator()
    indicator.group = group
    indicator.name = name
    indicator.check_standard = check_standard
    indicator.weight = weight
    indicator.evidence = evidence
    indicator.position = position
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def library_copy_forward(*, to_year: int, from_year: int | None = None) -> int:
    """Copy the previous year's groups and indicators into `to_year` in one action; refuses to mix
    into a year that already has indicators. Returns the number of indicators copied."""
    from_year = from_year if from_year is not None else to_year - 1
    if Indicator.objects.filter(group__year=to_year).exists():
        raise ValidationError(_("The %(year)s library already has indicators.") % {"year": to_year})
    groups = list(IndicatorGroup.objects.filter(year=from_year).prefetch_related("indicators"))
    if not groups:
        raise ValidationError(_("There is no %(year)s library to copy.") % {"year": from_year})
    existing = {g.name: g for g in IndicatorGroup.objects.filter(year=to_year)}
    new_groups = [
        IndicatorGroup(year=to_year, name=g.name, position=g.position)
        for g in groups
        if g.name not in existing
    ]
    IndicatorGroup.objects.bulk_create(new_groups)
    target = {**existing, **{g.name: g for g in IndicatorGroup.objects.filter(year=to_year)}}
    new = [
        Indicator(
            group=target[g.name],
            name=i.name,
            check_standard=i.check_standard,
            evidence=i.evidence,
            weight=i.weight,
            position=i.position,
        )
        for g in groups
        for i in g.indicators.all()
    ]
    Indicator.objects.bulk_create(new)
    return len(new)


# -- contracts ------------------------------------------------------------------------------------
def _check_pair(*, parent: Organization, organization: Organization, year: int) -> None:
    if organization.parent_id != parent.pk:
        raise ValidationError(
            {
                "organization": _(
                    "%(child)s is not directly under %(parent)s: a contract is signed only between an "
                    "organization and its direct subordinate."
                )
                % {"child": organization, "parent": parent}
            }
        )
    if Contract.objects.filter(year=year, parent=parent, organization=organization).exists():
        raise ValidationError(
            {
                "organization": _("%(parent)s already has a %(year)s contract with %(child)s.")
                % {"parent": parent, "child": organization, "year": year}
            }
        )


def _library_lines(year: int) -> list[ContractLine]:
    return [
        ContractLine(
            indicator=i,
            group=i.group.name,
            name=i.name,
            check_standard=i.check_standard,
            evidence=i.evidence,
            weight=i.weight,
            position=n,
        )
        for n, i in enumerate(
            Indicator.objects.filter(group__year=year)
            .select_related("group")
            .order_by("group__position", "group_id", "position", "pk")
        )
    ]


def contract_create(*, parent: Organization, organization: Organization, year: int, by: User) -> Contract:
    """A draft contract between `parent` and its direct child, its indicators copied from the year's
    library (a snapshot). One contract per pair and year (also a database constraint)."""
    _require_acts_for(by, parent)
    _check_pair(parent=parent, organization=organization, year=year)
    lines = _library_lines(year)
    try:
        with transaction.atomic():
            contract = Contract.objects.create(year=year, parent=parent, organization=organization)
            for line in lines:
                line.contract = contract
            ContractLine.objects.bulk_create(lines)
    except IntegrityError as e:  # a concurrent request created the same pair first
        raise ValidationError(
            {"organization": _("There is already a contract for this pair and year.")}
        ) from e
    return contract


@transaction.atomic
def contract_lines_set(*, contract: Contract, lines: list[dict], by: User) -> list[ContractLine]:
    """Replace a draft's indicators; their weights must add up to 100 (nothing is saved otherwise)."""
    _require_acts_for(by, contract.parent)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(_("Only a draft contract's indicators can be changed."))
    _check_weights([Decimal(line["weight"]) for line in lines])
    contract.lines.all().delete()
    objs = [
        ContractLine(
            contract=contract,
            group=line.get("group", ""),
            name=line["name"],
            check_standard=line["check_standard"],
            evidence=line.get("evidence", ""),
            weight=Decimal(line["weight"]),
            position=n,
        )
        for n, line in enumerate(lines)
    ]
    return ContractLine.objects.bulk_create(objs)


def contract_issue(*, contract: Contract, by: User, on: dt.date) -> Contract:
    """draft → issued; the issuer's side is signed by whoever issues it, on that day."""
    _require_acts_for(by, contract.parent)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(_("Only a draft contract can be issued."))
    _check_weights(list(contract.lines.values_list("weight", flat=True)))
    contract.status = Contract.Status.ISSUED
    contract.parent_signer = by
    contract.parent_signed_on = on
    contract.save(update_fields=["status", "parent_signer", "parent_signed_on"])
    return contract


@transaction.atomic
def contracts_issue_to_children(*, parent: Organization, year: int, by: User, on: dt.date) -> list[Contract]:
    """Issue the year's library to every contract partner of `parent` that has no contract yet, in one
    step (the county to all its townships; a township to all its basic organizations)."""
    _require_acts_for(by, parent)
    lines = _library_lines(year)
    _check_weights([line.weight for line in lines])
    children = list(
        contract_children(parent=parent)
        .filter(~Exists(Contract.objects.filter(year=year, parent=parent, organization=OuterRef("pk"))))
        .order_by("code")
    )
    if not children:
        raise ValidationError(
            _("Every partner of %(org)s has a %(year)s contract already.") % {"org": parent, "year": year}
        )
    contracts = bulk_create_with_history(
        [
            Contract(
                year=year,
                parent=parent,
                organization=child,
                status=Contract.Status.ISSUED,
                parent_signer=by,
                parent_signed_on=on,
            )
            for child in children
        ],
        Contract,
        default_user=by,
    )
    if any(c.pk is None for c in contracts):  # backends that do not return ids from a bulk insert
        contracts = list(Contract.objects.filter(year=year, parent=parent, organization__in=children))
    ContractLine.objects.bulk_create(
        [
            ContractLine(
                contract=contract,
                indicator_id=line.indicator_id,
                group=line.group,
                name=line.name,
                check_standard=line.check_standard,
                evidence=line.evidence,
                weight=line.weight,
                position=line.position,
            )
            for contract in contracts
            for line in lines
        ],
        batch_size=1000,
    )
    return contracts


def contract_sign(*, contract: Contract, by: User, on: dt.date) -> Contract:
    """issued → signed, by the receiving organization's own office."""
    _require_acts_for(by, contract.organization)
    if contract.status != Contract.Status.ISSUED:
        raise ValidationError(_("Only an issued contract can be signed."))
    contract.status = Contract.Status.SIGNED
    contract.signer = by
    contract.signed_on = on
    contract.save(update_fields=["status", "signer", "signed_on"])
    return contract


def _score(value, *, line: ContractLine, field: str) -> Decimal:
    if value in (None, ""):
        raise ValidationError({field: _("Score every indicator (%(name)s).") % {"name": line.name}})
    value = Decimal(value)
    if value < ZERO:
        raise ValidationError({field: _("A score cannot be negative (%(name)s).") % {"name": line.name}})
    if value > line.weight:
        raise ValidationError(
            {
                field: _("%(name)s: the score %(score)s is above the indicator's weight %(weight)s.")
                % {
                    "name": line.name,
                    "score": format(value.normalize(), "f"),
                    "weight": format(line.weight.normalize(), "f"),
                }
            }
        )
    return value


@transaction.atomic
def contract_self_evaluate(
    *, contract: Contract, by: User, on: dt.date, scores: dict[int, tuple]
) -> Contract:
    """自评: the receiving organization scores each indicator (0 … weight) with its evidence.
    `scores` maps line id → (score, evidence)."""
    _require_acts_for(by, contract.organization)
    if contract.status != Contract.Status.SIGNED:
        raise ValidationError(
            _("A contract is self-evaluated after it is signed and before it is evaluated.")
        )
    lines = list(contract.lines.all())
    total = ZERO
    for line in lines:
        score, evidence = scores.get(line.pk, (None, ""))
        line.self_score = self_score = _score(score, line=line, field="self_score")
        line.self_evidence = evidence or ""
        total += self_score
    ContractLine.objects.bulk_update(lines, ["self_score", "self_evidence"])
    contract.self_score = total
    contract.self_evaluated_on = on
    contract.save(update_fields=["self_score", "self_evaluated_on"])
    return contract


@transaction.atomic
def contract_evaluate(
    *,
    contract: Contract,
    by: User,
    on: dt.date,
    scores: dict[int, tuple],
    vetoed: bool = False,
    veto_reason: str = "",
) -> Contract:
    """评议 by the issuing organization: a score per indicator (0 … weight), with a reason for every
    deduction from the full weight and for every raise above the self-assessment; the total gives the
    grade from the bands; a one-vote veto (一票否决), with its reason, makes it the lowest band whatever
    the total. `scores` maps line id → (score, reason). A re-evaluation replaces the previous one."""
    _require_acts_for(by, contract.parent)
    if contract.status not in (Contract.Status.SIGNED, Contract.Status.EVALUATED):
        raise ValidationError(_("Only a signed contract can be evaluated."))
    veto_reason = (veto_reason or "").strip()
    if vetoed and not veto_reason:
        raise ValidationError({"veto_reason": _("Give the reason for the one-vote veto.")})
    lines = list(contract.lines.all())
    total = ZERO
    for line in lines:
        score, reason = scores.get(line.pk, (None, ""))
        line.score = given = _score(score, line=line, field="score")
        line.reason = (reason or "").strip()
        total += given
        deducted = given < line.weight
        raised = line.self_score is not None and given > line.self_score
        if (deducted or raised) and not line.reason:
            raise ValidationError(
                {"reason": _("%(name)s: give the reason for the deduction or raise.") % {"name": line.name}}
            )
    ContractLine.objects.bulk_update(lines, ["score", "reason"])
    contract.score = total
    contract.vetoed = vetoed
    contract.veto_reason = veto_reason if vetoed else ""
    contract.grade = grade_for(total=total, vetoed=vetoed, bands=grade_bands())
    contract.status = Contract.Status.EVALUATED
    contract.evaluated_on = on
    contract.evaluated_by = by
    contract.save()
    return contract


# -- duty reports (述职) ---------------------------------------------------------------------------
ALLOWED_ATTACHMENTS = {
    # extension: magic bytes the file must start with (None: plain text)
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
    "txt": None,
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


def duty_report_save(
    *,
    organization: Organization,
    year: int,
    by: User,
    title: str,
    text: str,
    report: DutyReport | None = None,
) -> DutyReport:
    """Write or edit the year's 述职 report of an organization; only its own office, and only until it
    is submitted."""
    _require_acts_for(by, organization)
    if report is None:
        if DutyReport.objects.filter(year=year, organization=organization).exists():
            raise ValidationError(
                _("%(org)s already has a %(year)s duty report.") % {"org": organization, "year": year}
            )
        report = DutyReport(year=year, organization=organization, author=by)
    elif report.is_submitted:
        raise ValidationError(_("A submitted report cannot be changed."))
    report.title = title
    report.text = text
    report.full_clean()
    report.save()
    return report


def duty_report_submit(*, report: DutyReport, by: User, now: dt.datetime | None = None) -> DutyReport:
    """Submitted on or before the year's deadline, or marked late."""
    _require_acts_for(by, report.organization)
    if report.is_submitted:
        raise ValidationError(_("The report has been submitted already."))
    now = now or timezone.now()
    report.submitted_at = now
    report.late = timezone.localdate(now) > deadlines_get(year=report.year).duty_report_deadline
    report.save(update_fields=["submitted_at", "late", "updated_at"])
    return report


def duty_report_attach(*, report: DutyReport, by: User, upload: UploadedFile) -> DutyReportAttachment:
    """Attach a document: only common office formats whose content matches the extension, ≤ 10 MB."""
    _require_acts_for(by, report.organization)
    if report.is_submitted:
        raise ValidationError(_("A submitted report cannot be changed."))
    if report.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}})
    name, ext = upload_name(upload)
    if ext not in ALLOWED_ATTACHMENTS:
        raise ValidationError(
            {
                "file": _("Only these file types are accepted: %(types)s.")
                % {"types": ", ".join(sorted(ALLOWED_ATTACHMENTS))}
            }
        )
    size = upload.size or 0  # set for every upload; None only for a file object that cannot tell
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file may be at most 10 MB.")})
    if not content_matches(upload, ALLOWED_ATTACHMENTS[ext]):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return DutyReportAttachment.objects.create(
        report=report, file=upload, original_name=name[:255], size=size, uploaded_by=by
    )


def duty_attachment_delete(*, attachment: DutyReportAttachment, by: User) -> None:
    _require_acts_for(by, attachment.report.organization)
    if attachment.report.is_submitted:
        raise ValidationError(_("A submitted report cannot be changed."))
    attachment.file.delete(save=False)
    attachment.delete()
