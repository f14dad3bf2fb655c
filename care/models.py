"""Proactive care (党内救助主动化, paper section 2.4): the service network, benefit rules as data, grants,
visits and pairings, the condolence process, and the visit-scheduling policy."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization
from common import periods
from members.models import Member


class ServicePoint(models.Model):
    """县级党员服务中心 / 乡镇党员服务站 / 村级党员服务点: one per organization, at the level of that organization."""

    class Level(models.TextChoices):
        CENTER = "center", _("County service center")  # 县级党员服务中心
        STATION = "station", _("Township service station")  # 乡镇党员服务站
        POINT = "point", _("Village service point")  # 村级党员服务点

    organization = models.OneToOneField(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="service_point"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["organization__path"]

    def __str__(self):
        return self.name

    @staticmethod
    def level_for(org: Organization) -> str:
        if org.kind == Organization.Kind.COUNTY:
            return ServicePoint.Level.CENTER
        if org.kind == Organization.Kind.TOWNSHIP:
            return ServicePoint.Level.STATION
        return ServicePoint.Level.POINT


# -- benefit rules ---------------------------------------------------------------------------------


class BenefitRule(models.Model):
    """A benefit (授杯纪念, 免费乘出租车, 补助发放和慰问 ...). Who is eligible lives in its versions: each
    version has condition groups, and a change by the county office is a new version from a date."""

    class Kind(models.TextChoices):
        ONCE = "once", _("Once in a lifetime")
        YEARLY = "yearly", _("Yearly")
        MONTHLY = "monthly", _("Monthly")

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and _ only."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("frequency"), max_length=10, choices=Kind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benefit rule")
        verbose_name_plural = _("benefit rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="benefit_rule_validity_ordered",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def period_key(self, on: dt.date) -> str:
        """The period a grant on `on` belongs to: 'once', 'YYYY' or 'YYYY-MM'."""
        if self.kind == self.Kind.ONCE:
            return "once"
        if self.kind == self.Kind.YEARLY:
            return periods.year(on.year).label
        return periods.month(on.year, on.month).label


class RuleVersion(models.Model):
    """The rule's conditions and amount from `effective_from` on, until the next version (explicit versions:
    evaluation as of a date uses the version in force then; nothing is overwritten)."""

    rule = models.ForeignKey(
        BenefitRule, verbose_name=_("benefit rule"), on_delete=models.CASCADE, related_name="versions"
    )
    effective_from = models.DateField(_("effective from"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    in_kind = models.CharField(_("in kind"), max_length=200, blank=True)
    note = models.CharField(_("reason for the change"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "effective_from"], name="uniq_rule_version_date"),
        ]

    def __str__(self):
        return f"{self.rule.code} @ {self.effective_from}"


class RuleCondition(models.Model):
    """One condition of a version. Conditions with the same `group` must ALL hold; the rule holds if ANY
    group holds (the taxi rule: 老干部 aged 65+, OR party age 40+ and age 60+)."""

    class Kind(models.TextChoices):
        MIN_AGE = "min_age", _("Age at least (years)")
        MIN_PARTY_AGE = "min_party_age", _("Party age at least (years)")
        VETERAN_CADRE = "veteran_cadre", _("Retired veteran cadre")
        HARDSHIP = "hardship", _("In hardship")
        RURAL = "rural", _("In a rural organization")
        ADMITTED_BEFORE = "admitted_before", _("Admitted before")

    NUMBER_KINDS = (Kind.MIN_AGE, Kind.MIN_PARTY_AGE)
    DATE_KINDS = (Kind.ADMITTED_BEFORE,)

    version = models.ForeignKey(
        RuleVersion, verbose_name=_("rule version"), on_delete=models.CASCADE, related_name="conditions"
    )
    group = models.PositiveSmallIntegerField(_("alternative"), default=1)
    kind = models.CharField(_("condition"), max_length=20, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule condition")
        verbose_name_plural = _("rule conditions")
        ordering = ["version_id", "group", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["min_age", "min_party_age"], number__isnull=False, date__isnull=True)
                    | Q(kind="admitted_before", date__isnull=False, number__isnull=True)
                    | Q(
                        kind__in=["veteran_cadre", "hardship", "rural"],
                        number__isnull=True,
                        date__isnull=True,
                    )
                ),
                name="rule_condition_value_matches_kind",
            ),
        ]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        if self.kind == self.Kind.MIN_AGE:
            return gettext("aged %(n)s or over") % {"n": self.number}
        if self.kind == self.Kind.MIN_PARTY_AGE:
            return gettext("party age %(n)s years or more") % {"n": self.number}
        if self.kind == self.Kind.ADMITTED_BEFORE:
            return gettext("admitted before %(date)s") % {"date": self.date.isoformat()}
        return {
            self.Kind.VETERAN_CADRE: gettext("a retired veteran cadre"),
            self.Kind.HARDSHIP: gettext("in hardship"),
            self.Kind.RURAL: gettext("in a rural organization"),
        }[self.kind]


# -- grants and budgets ----------------------------------------------------------------------------


class Grant(models.Model):
    """A benefit given to a member for a period: planned → approved (by the level above) → paid / handed
    over. The database refuses a second live grant of the same benefit for the same member and period."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid / handed over")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank transfer")
        IN_KIND = "in_kind", _("Handed over in kind")

    COMMITTED = (Status.APPROVED, Status.PAID)

    rule = models.ForeignKey(
        BenefitRule, verbose_name=_("benefit"), on_delete=models.PROTECT, related_name="grants"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="grants"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="care_grants"
    )
    township = models.ForeignKey(
        Organization,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_township_grants",
    )
    period_key = models.CharField(_("period"), max_length=7)
    year = models.PositiveSmallIntegerField(_("year"))
    granted_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    in_kind = models.CharField(_("in kind"), max_length=200, blank=True)
    override_reason = models.CharField(_("reason for granting outside the rule"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, blank=True)
    handed_over_by = models.CharField(_("handed over by"), max_length=100, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-granted_on", "-pk"]
        indexes = [
            models.Index(fields=["township", "year", "status"]),
            models.Index(fields=["member", "rule", "period_key"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "member", "period_key"],
                condition=~Q(status="cancelled"),
                name="uniq_live_grant_per_period",
                violation_error_message=_("This member already has this benefit for this period."),
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="grant_paid_has_date"
            ),
            # A paid grant is never cancelled (it happened): a cancelled row with a payment date is refused, so
            # the one-live-grant rule above always counts a payment.
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(paid_on__isnull=True), name="grant_cancelled_not_paid"
            ),
        ]

    def __str__(self):
        return f"{self.rule.code} {self.member} {self.period_key}"


class TownshipBudget(models.Model):
    """A township's yearly care budget; committed = approved + paid grants of that year."""

    township = models.ForeignKey(
        Organization, verbose_name=_("township"), on_delete=models.CASCADE, related_name="care_budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("township budget")
        verbose_name_plural = _("township budgets")
        ordering = ["-year", "township__path"]
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="uniq_township_budget_year")]

    def __str__(self):
        return f"{self.township} {self.year}"


# -- visits, pairings, condolences -----------------------------------------------------------------


class Visit(models.Model):
    """A care visit to a member: planned (by a person or by the scheduling policy), then done or cancelled."""

    class Kind(models.TextChoices):
        HOME = "home", _("Home visit and talk")  # 家访谈心
        ILLNESS = "illness", _("Illness visit")  # 患病探望
        FESTIVAL = "festival", _("Festival greeting")  # 节日慰问
        PAIRING = "pairing", _("Pairing help")  # 结对帮扶
        CONDOLENCE = "condolence", _("Condolence")  # 吊唁
        CEREMONY = "ceremony", _("Commemorative cup ceremony")  # 授杯纪念

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="care_visits"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="care_visits"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField(_("planned for"))
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_visits_assigned",
    )
    visitors = models.CharField(_("visitors"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    policy = models.ForeignKey(
        "VisitPolicy",
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period_key = models.CharField(_("period"), max_length=20, blank=True)
    # member + policy + period ("hardship_quarterly:12:2026-Q1"): the scheduler plans each once, however often it runs.
    schedule_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["organization", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("planned_on")), name="visit_due_after_planned"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False), name="visit_done_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member} {self.due_on}"


class Pairing(models.Model):
    """党内结对帮扶: a helper member assigned to a helped member for a period."""

    helper = models.ForeignKey(
        Member, verbose_name=_("helper"), on_delete=models.CASCADE, related_name="pairings_helping"
    )
    helped = models.ForeignKey(
        Member, verbose_name=_("helped member"), on_delete=models.CASCADE, related_name="pairings_helped"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="care_pairings"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("what help"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(helper=F("helped")), name="pairing_not_self"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.helper} → {self.helped}"


class Condolence(models.Model):
    """For a deceased member: a wreath from the organization and people sent to the memorial
    (赠送花圈并委派人员参加悼念), each confirmed when done."""

    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="condolence"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="care_condolences",
    )
    died_on = models.DateField(_("date of death"))
    memorial_on = models.DateField(_("memorial on"), null=True, blank=True)
    attendees = models.CharField(_("people attending the memorial"), max_length=255, blank=True)
    wreath_confirmed_on = models.DateField(_("wreath sent on"), null=True, blank=True)
    attendance_confirmed_on = models.DateField(_("memorial attended on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("condolence")
        verbose_name_plural = _("condolences")
        ordering = ["-died_on"]

    def __str__(self):
        return f"{self.member} {self.died_on}"

    @property
    def is_complete(self) -> bool:
        return bool(self.wreath_confirmed_on and self.attendance_confirmed_on)

    def clean(self):
        if self.attendance_confirmed_on and not self.attendees.strip():
            raise ValidationError({"attendees": _("Name the people who attended the memorial.")})


# -- scheduling policy -----------------------------------------------------------------------------


class VisitPolicy(models.Model):
    """When the scheduler plans a visit, as data (defaults follow the paper; the county office may change them)."""

    class Target(models.TextChoices):
        HARDSHIP = "hardship", _("Members in hardship, every quarter")
        ELDERLY = "elderly", _("Old members and pre-1949 members, before the Spring Festival and on 1 July")
        ILL = "ill", _("Ill members, within a number of days")
        PARTY_AGE = "party_age", _("Members reaching a party age, in that month")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("who and when"), max_length=12, choices=Target.choices)
    visit_kind = models.CharField(_("visit kind"), max_length=12, choices=Visit.Kind.choices)
    # Whose organizations the policy covers: the paper's festival and hardship visits (慰问, section 2.4) are
    # for rural members (农村); blank covers every sector.
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=Organization.Sector.choices,
        blank=True,
        help_text=_("Only members of organizations of this sector; blank for every sector."),
    )
    min_age = models.PositiveSmallIntegerField(_("age at least"), null=True, blank=True)
    admitted_before = models.DateField(_("or admitted before"), null=True, blank=True)
    party_age_years = models.PositiveSmallIntegerField(_("party age reached"), null=True, blank=True)
    within_days = models.PositiveSmallIntegerField(_("within days"), default=7)
    lead_days = models.PositiveSmallIntegerField(_("plan days ahead"), default=30)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before due"), default=3)
    escalate_days_after = models.PositiveSmallIntegerField(_("escalate days after due"), default=7)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")
        ordering = ["code"]

    def __str__(self):
        return self.name


class LunarNewYear(models.Model):
    """The Spring Festival (春节) date of each year: it moves with the lunar calendar, so it is data."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    date = models.DateField(_("Spring Festival"))

    class Meta:
        verbose_name = _("Spring Festival date")
        verbose_name_plural = _("Spring Festival dates")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.date}"

    def clean(self):
        if self.date and self.year and self.date.year != self.year:
            raise ValidationError({"date": _("The date must fall in the year.")})
