"""The roster (党员名册): members, their transfers between organizations, and branch committees."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization, PartyGroup

from . import idnumbers
from .ages import add_years, party_age, years_between


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")  # 男
        FEMALE = "female", _("Female")  # 女

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("Probationary member")  # 预备党员
        FULL = "full", _("Full member")  # 正式党员

    class Departure(models.TextChoices):
        """Why a member left the roll (death is `died_on`, recorded apart: the condolence follows it)."""

        TRANSFERRED_OUT = "transferred_out", _("Transferred out of the county")  # 转出
        LEFT = "left", _("Left the party")  # 退党
        LAPSED = "lapsed", _("Regarded as having left the party")  # 自行脱党 (党章 art. 9)
        REMOVED = "removed", _("Removed from the party")  # 除名
        EXPELLED = "expelled", _("Expelled from the party")  # 开除党籍
        PROBATION_CANCELLED = (
            "probation_cancelled",
            _("Probationary membership cancelled"),
        )  # 取消预备党员资格

    class Education(models.TextChoices):
        """学历, in the groups of the annual statistics (党内统计); blank: not recorded."""

        POSTGRADUATE = "postgraduate", _("Postgraduate")  # 研究生
        UNDERGRADUATE = "undergraduate", _("Undergraduate")  # 大学本科
        COLLEGE = "college", _("Junior college")  # 大学专科
        SECONDARY = "secondary", _("Senior secondary or vocational")  # 高中 (中专、中技 included)
        JUNIOR_OR_BELOW = "junior_or_below", _("Junior secondary or below")  # 初中及以下

    class Occupation(models.TextChoices):
        """职业, in the groups of the national statistical bulletin (党内统计公报); blank: not recorded."""

        WORKER = "worker", _("Worker")  # 工人
        FARMER = "farmer", _("Farmer, herder or fisher")  # 农牧渔民
        PROFESSIONAL = "professional", _("Professional or technical staff")  # 专业技术人员
        MANAGER = "manager", _("Manager")  # 管理人员
        CIVIL_SERVANT = "civil_servant", _("Party or government organ staff")  # 党政机关工作人员
        STUDENT = "student", _("Student")  # 学生
        RETIRED = "retired", _("Retired")  # 离退休人员
        OTHER = "other", _("Other occupation")  # 其他

    name = models.CharField(_("full name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    birth_date = models.DateField(_("birth date"))
    education_level = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )  # 学历
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )  # 职业
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="members"
    )
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    admitted_on = models.DateField(_("admitted on"))  # 入党日期 (became a probationary member)
    full_member_on = models.DateField(_("full member on"), null=True, blank=True)  # 转正日期
    # The meeting that decided 转正 (a branch general meeting): free text or an education meeting's id; the
    # roster does not depend on education, so no foreign key.
    confirmation_meeting = models.CharField(_("full membership decided by"), max_length=255, blank=True)
    # 延长预备期: blank means the usual one year after admission.
    probation_ends_on = models.DateField(_("probation extended to"), null=True, blank=True)
    probation_extended_on = models.DateField(_("probation extension decided on"), null=True, blank=True)
    probation_extension_reason = models.CharField(
        _("reason for the probation extension"), max_length=255, blank=True
    )
    veteran_cadre = models.BooleanField(_("veteran cadre"), default=False)  # 老干部
    hardship = models.BooleanField(_("in hardship"), default=False)  # 困难党员
    hardship_note = models.CharField(_("hardship details"), max_length=255, blank=True)
    illness = models.CharField(_("illness"), max_length=255, blank=True)
    ill_since = models.DateField(_("ill since"), null=True, blank=True)
    is_mobile = models.BooleanField(_("mobile member"), default=False)  # 流动党员
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    # Left the roll (转出, 退党, 自行脱党, 除名, 开除党籍, 取消预备党员资格): on the roll until the day before.
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    departure_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=Departure.choices, blank=True
    )
    departure_note = models.CharField(_("departure note"), max_length=255, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organization_id", "name", "pk"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["birth_date"]),
            models.Index(fields=["full_member_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True) | Q(full_member_on__gte=models.F("admitted_on")),
                name="member_full_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(admitted_on__gt=models.F("birth_date")), name="member_admitted_after_birth"
            ),
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True) | Q(departed_on__gte=models.F("admitted_on")),
                name="member_departed_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True, departure_reason="")
                | (Q(departed_on__isnull=False) & ~Q(departure_reason="")),
                name="member_departure_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    # -- local facts -----------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.Status.FULL if self.full_member_on else self.Status.PROBATIONARY

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_deceased(self) -> bool:
        return self.died_on is not None

    @property
    def has_departed(self) -> bool:
        return self.departed_on is not None

    @property
    def on_roll(self) -> bool:
        """On the roll today: neither dead nor departed."""
        return self.died_on is None and self.departed_on is None

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)

    @property
    def masked_birth_date(self) -> str:
        return idnumbers.mask_birth_date(self.birth_date)

    @property
    def masked_phone(self) -> str:
        return idnumbers.mask_phone(self.phone)

    @property
    def probation_due_on(self) -> dt.date:
        """When the probation year (预备期) ends: one year after admission unless extended."""
        return self.probation_ends_on or add_years(self.admitted_on, 1)

    def age_on(self, on: dt.date) -> int:
        return years_between(self.birth_date, on)

    def party_age_on(self, on: dt.date) -> int | None:
        """党龄 counts from full membership (Party Constitution art. 7); None while probationary."""
        return party_age(self.full_member_on, on)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                self.id_number = idnumbers.validate_id_number(
                    self.id_number, birth_date=self.birth_date, gender=self.gender or None
                )
            except ValidationError as e:
                errors["id_number"] = e.messages
        if self.admitted_on and self.birth_date and self.admitted_on <= self.birth_date:
            errors["admitted_on"] = [_("The admission date must be after the birth date.")]
        if self.full_member_on and self.admitted_on and self.full_member_on < self.admitted_on:
            errors["full_member_on"] = [_("The full-membership date cannot be before the admission date.")]
        if self.died_on and self.birth_date and self.died_on < self.birth_date:
            errors["died_on"] = [_("The date of death cannot be before the birth date.")]
        if self.departed_on and self.admitted_on and self.departed_on < self.admitted_on:
            errors["departed_on"] = [_("The departure date cannot be before the admission date.")]
        if bool(self.departed_on) != bool(self.departure_reason):
            errors["departure_reason"] = [_("A departure needs both a date and a reason.")]
        if (
            self.party_group_id
            and self.organization_id
            and self.party_group.organization_id != self.organization_id
        ):
            errors["party_group"] = [_("The party group belongs to another organization.")]
        if self.organization_id and not self.organization.is_basic:
            errors["organization"] = [
                _("Members belong to a basic organization (branch, general branch or party committee).")
            ]
        if errors:
            raise ValidationError(errors)


class Transfer(models.Model):
    """组织关系转接: a member's relation moved from one organization to another; the history stays."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_organization = models.ForeignKey(
        Organization,
        verbose_name=_("from organization"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organization = models.ForeignKey(
        Organization, verbose_name=_("to organization"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    transferred_on = models.DateField(_("transferred on"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-transferred_on", "-pk"]

    def __str__(self):
        return f"{self.member}: {self.from_organization} → {self.to_organization}"


class CommitteeTerm(models.Model):
    """A branch committee's term (支委会任期): 5 years for village and community branches, 3 for others."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="committee_terms"
    )
    elected_on = models.DateField(_("elected on"))
    ends_on = models.DateField(_("term ends on"))

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["-elected_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("elected_on")), name="committee_term_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.elected_on:%Y}–{self.ends_on:%Y}"

    @staticmethod
    def term_years(org: Organization) -> int:
        return 5 if org.sector in (Organization.Sector.RURAL, Organization.Sector.COMMUNITY) else 3


class BranchOfficer(models.Model):
    """书记 / 副书记 / 委员 of one committee term."""

    class Position(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")  # 书记
        DEPUTY = "deputy", _("Deputy secretary")  # 副书记
        COMMITTEE_MEMBER = "committee_member", _("Committee member")  # 委员

    term = models.ForeignKey(
        CommitteeTerm, verbose_name=_("term"), on_delete=models.CASCADE, related_name="officers"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="offices"
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    duty = models.CharField(_("responsibility"), max_length=100, blank=True)  # e.g. 组织委员, 宣传委员

    class Meta:
        verbose_name = _("branch officer")
        verbose_name_plural = _("branch officers")
        constraints = [
            models.UniqueConstraint(fields=["term", "member"], name="uniq_officer_per_term"),
            models.UniqueConstraint(
                fields=["term"], condition=Q(position="secretary"), name="one_secretary_per_term"
            ),
        ]

    def __str__(self):
        return f"{self.get_position_display()} {self.member}"


class SensitiveAccess(models.Model):
    """PIPL: who revealed which member's full ID number or other sensitive field, and when."""

    # The command line (export_members, report_benefits) records users.services.system_user(), and `detail`
    # names the command and the operating-system account that ran it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    # Blank for an access to many members at once (an export); `detail` says which.
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sensitive_accesses",
    )
    field = models.CharField(_("field"), max_length=50)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user or '-'} {self.field} {self.member or self.detail} {self.at:%Y-%m-%d %H:%M}"
