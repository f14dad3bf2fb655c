"""党建工作目标化: the indicator library, responsibility contracts (目标责任书) signed level by level,
evaluations (评议) with a one-vote veto (一票否决), and the secretaries' duty reports (述职)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization

ZERO = Decimal("0")
FULL_MARKS = Decimal("100")
score_validators = [MinValueValidator(ZERO), MaxValueValidator(FULL_MARKS)]


class YearDeadlines(models.Model):
    """The year's deadlines, as data: the county sets them; the reminders read them."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    signing_deadline = models.DateField(_("contracts signed by"))
    self_evaluation_deadline = models.DateField(_("self-evaluation by"))
    evaluation_deadline = models.DateField(_("evaluation by"))
    duty_report_deadline = models.DateField(_("duty reports by"))

    class Meta:
        verbose_name = _("deadlines of the year")
        verbose_name_plural = _("deadlines of the year")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    @classmethod
    def defaults_for(cls, year: int) -> dict[str, dt.date]:
        """Common practice: contracts signed in the first quarter, evaluation and 述职 around the new year."""
        return {
            "signing_deadline": dt.date(year, 3, 31),
            "self_evaluation_deadline": dt.date(year, 12, 20),
            "evaluation_deadline": dt.date(year + 1, 1, 31),
            "duty_report_deadline": dt.date(year + 1, 1, 15),
        }


class GradeBand(models.Model):
    """评议等次 as data: a total at or above `min_score` gets this band (the highest band that fits)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("grade"), max_length=20, unique=True)  # 好 / 较好 / 一般 / 差
    min_score = models.DecimalField(
        _("minimum score"), max_digits=5, decimal_places=1, unique=True, validators=score_validators
    )

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-min_score"]

    def __str__(self):
        return f"{self.label} ≥ {self.min_score}"


class IndicatorGroup(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["year", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="uniq_indicator_group_year_name")
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class Indicator(models.Model):
    """One target of the year's library, with its hard check standard (硬性检查标准) and weight."""

    group = models.ForeignKey(
        IndicatorGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    check_standard = models.TextField(_("check standard"))
    evidence = models.CharField(_("evidence needed"), max_length=255, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(FULL_MARKS)],
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group__position", "group_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="indicator_weight_range"),
        ]

    def __str__(self):
        return self.name


class Contract(models.Model):
    """党建目标责任书 between an organization (`parent`) and its direct child for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        ISSUED = "issued", _("Issued")  # 已下达
        SIGNED = "signed", _("Signed")  # 已签订
        EVALUATED = "evaluated", _("Evaluated")  # 已评议

    year = models.PositiveSmallIntegerField(_("year"))
    parent = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="contracts_issued"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="contracts"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The issuing side signs when it issues; the receiving side when it signs.
    parent_signed_on = models.DateField(_("issuer signed on"), null=True, blank=True)
    parent_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issuer's signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_evaluated_on = models.DateField(_("self-evaluated on"), null=True, blank=True)
    self_score = models.DecimalField(
        _("self-assessed score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField(_("one-vote veto"), default=False)
    veto_reason = models.TextField(_("reason for the veto"), blank=True)
    grade = models.ForeignKey(
        GradeBand, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility contract")
        verbose_name_plural = _("responsibility contracts")
        ordering = ["-year", "parent_id", "organization__code"]
        indexes = [models.Index(fields=["year", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "parent", "organization"], name="uniq_contract_year_pair"
            ),
            models.CheckConstraint(condition=~Q(parent=F("organization")), name="contract_not_with_itself"),
            models.CheckConstraint(
                condition=Q(vetoed=False) | ~Q(veto_reason=""), name="contract_veto_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="contract_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.parent} → {self.organization}"


class ContractLine(models.Model):
    """An indicator as agreed in one contract (a snapshot: later library edits do not change it),
    with the self-assessment and the reviewer's score. Neither score may exceed the weight."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("library indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.CharField(_("group"), max_length=100, blank=True)
    name = models.CharField(_("indicator"), max_length=200)
    check_standard = models.TextField(_("check standard"))
    evidence = models.CharField(_("evidence needed"), max_length=255, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)
    self_score = models.DecimalField(_("self-assessed score"), max_digits=4, decimal_places=1, null=True)
    self_evidence = models.TextField(_("evidence"), blank=True)
    score = models.DecimalField(_("reviewer's score"), max_digits=4, decimal_places=1, null=True)
    reason = models.TextField(_("reason for the deduction or raise"), blank=True)

    class Meta:
        verbose_name = _("contract indicator")
        verbose_name_plural = _("contract indicators")
        ordering = ["contract_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="line_weight_range"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0, self_score__lte=F("weight")),
                name="line_self_score_within_weight",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("weight")),
                name="line_score_within_weight",
            ),
        ]

    def __str__(self):
        return self.name


def duty_attachment_path(instance: DutyReportAttachment, filename: str) -> str:
    # Never the user's file name on disk: it may hold anything; the original name is kept in a field.
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"accountability/duty/{instance.report.year}/{uuid.uuid4().hex}.{ext}"


class DutyReport(models.Model):
    """述职报告: the annual report of an organization's secretary (county, township, village)."""

    year = models.PositiveSmallIntegerField(_("year"))
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="duty_reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="duty_reports",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("report"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["year", "organization"], name="uniq_duty_report_year_org"),
        ]

    def __str__(self):
        return f"{self.year} {self.organization}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class DutyReportAttachment(models.Model):
    report = models.ForeignKey(
        DutyReport, verbose_name=_("duty report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=duty_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
