"""The organization tree (县 → 乡镇 → 基层党组织 → 党小组), roles, and the three officers' assignments
(their visit logs and follow-ups live in officers/)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import paths


class Organization(models.Model):
    """A party organization. `path` is a materialized path of zero-padded ids ("0000001.0000004.")
    so that a whole subtree is one indexed prefix query, however deep and large the county is."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("County committee")  # 县委
        TOWNSHIP = "township", _("Township committee")  # 乡镇党委
        PARTY_COMMITTEE = "party_committee", _("Party committee")  # 党委
        GENERAL_BRANCH = "general_branch", _("General branch")  # 党总支
        BRANCH = "branch", _("Branch")  # 党支部

    class Sector(models.TextChoices):
        RURAL = "rural", _("Rural")  # 农村
        ORGAN = "organ", _("Government organ")  # 机关
        INSTITUTION = "institution", _("Public institution")  # 事业单位
        COMMUNITY = "community", _("Community")  # 社区
        ENTERPRISE = "enterprise", _("Enterprise")  # 企业
        OTHER = "other", _("Other")  # 其他

    BASIC_KINDS = (Kind.PARTY_COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH)

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "sector"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="county", parent__isnull=True) | Q(parent__isnull=False) & ~Q(kind="county"),
                name="org_only_county_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def path_segment(pk: int) -> str:
        return paths.segment(pk)

    @property
    def is_basic(self) -> bool:
        return self.kind in self.BASIC_KINDS

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH

    def clean(self):
        allowed_parents = (
            {
                self.Kind.COUNTY: set(),
                self.Kind.TOWNSHIP: {self.Kind.COUNTY},
                self.Kind.PARTY_COMMITTEE: {self.Kind.COUNTY, self.Kind.TOWNSHIP},
                self.Kind.GENERAL_BRANCH: {self.Kind.COUNTY, self.Kind.TOWNSHIP, self.Kind.PARTY_COMMITTEE},
                self.Kind.BRANCH: {
                    self.Kind.COUNTY,
                    self.Kind.TOWNSHIP,
                    self.Kind.PARTY_COMMITTEE,
                    self.Kind.GENERAL_BRANCH,
                },
            }[self.kind]
            if self.kind in self.Kind.values
            else set()
        )
        if self.kind == self.Kind.COUNTY and self.parent_id:
            raise ValidationError({"parent": _("The county committee has no parent organization.")})
        if self.kind != self.Kind.COUNTY and not self.parent_id:
            raise ValidationError({"parent": _("Only the county committee may have no parent organization.")})
        if self.parent_id and self.parent.kind not in allowed_parents:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot be placed under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )


class PartyGroup(models.Model):
    """党小组: a group of a branch, usually by natural village, meeting at a central household (中心户)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="party_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    central_household = models.CharField(_("central household"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["organization_id", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="uniq_party_group_name")]

    def __str__(self):
        return self.name


class RoleAssignment(models.Model):
    """A user's role at an organization; visibility flows down the tree from it (see selectors.Scope)."""

    class Role(models.TextChoices):
        COUNTY_ADMIN = "county_admin", _("County organization department")  # 县委组织部
        TOWNSHIP_SECRETARY = "township_secretary", _("Township secretary")  # 乡镇党委书记
        TOWNSHIP_STAFF = "township_staff", _("Township staff")  # 乡镇党委工作人员
        BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")  # 支部书记
        OFFICER = "officer", _("Party-building officer")  # 党建辅导员/服务员/联络员
        MEMBER = "member", _("Member")  # 党员

    WRITE_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="uniq_role_assignment"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class OfficerAssignment(models.Model):
    """三员: a counselor (辅导员) to an organ, a service officer (服务员) to a public institution, a liaison
    officer (联络员) to a rural organization, for a period. An active assignment gives read access."""

    class Kind(models.TextChoices):
        COUNSELOR = "counselor", _("Party-building counselor")  # 党建辅导员
        SERVICE = "service", _("Party-building service officer")  # 党建服务员
        LIAISON = "liaison", _("Party-building liaison officer")  # 党建联络员

    SECTOR_FOR_KIND = {
        Kind.COUNSELOR: Organization.Sector.ORGAN,
        Kind.SERVICE: Organization.Sector.INSTITUTION,
        Kind.LIAISON: Organization.Sector.RURAL,
    }

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="officer_assignments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="officer_assignments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("officer assignment")
        verbose_name_plural = _("officer assignments")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="officer_assignment_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.officer} → {self.organization}"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The assignment cannot end before it starts.")})
        if self.organization_id and self.kind:
            expected = self.SECTOR_FOR_KIND[self.kind]
            if self.organization.sector != expected:
                raise ValidationError(
                    {
                        "kind": _("A %(kind)s is assigned only to %(sector)s organizations.")
                        % {"kind": self.get_kind_display(), "sector": Organization.Sector(expected).label}
                    }
                )
