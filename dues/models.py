"""Party dues (党费): each member's dues history, hardship reductions and exemptions, and payments.

The rules themselves are pure functions in dues/rates.py; these rows are what they are applied to. Months are
stored as the first day of the month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from members.models import Member

from . import rates


class Category(models.TextChoices):
    EMPLOYED = rates.EMPLOYED, _("In work")  # 在职
    RETIRED = rates.RETIRED, _("Retired")  # 离退休
    FARMER = rates.FARMER, _("Farmer")  # 农民
    STUDENT = rates.STUDENT, _("Student")  # 学生
    UNEMPLOYED = rates.UNEMPLOYED, _("Laid off or unemployed")  # 下岗失业
    RELIEF = rates.RELIEF, _("On minimum living allowance")  # 低保


# The categories as the 2008 rules and the import files write them.
CATEGORY_LABELS = {
    Category.EMPLOYED: "在职",
    Category.RETIRED: "离退休",
    Category.FARMER: "农民",
    Category.STUDENT: "学生",
    Category.UNEMPLOYED: "下岗失业",
    Category.RELIEF: "低保",
}


class DuesRecord(models.Model):
    """One row of a member's dues history: the category and base (or fixed amount) from `starts_month` on,
    until the member's next record starts. A new base each year is a new row; the old one stays."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_records"
    )
    category = models.CharField(_("dues category"), max_length=20, choices=Category.choices)
    # 月工资基数: the after-tax regular monthly salary (在职) or pension (离退休).
    base = models.DecimalField(_("monthly base"), max_digits=12, decimal_places=2, null=True, blank=True)
    # 月缴纳额 of a farmer (0.20–1.00 yuan).
    fixed_amount = models.DecimalField(
        _("fixed monthly amount"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    starts_month = models.DateField(_("starts in month"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues record")
        verbose_name_plural = _("dues records")
        ordering = ["member_id", "starts_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "starts_month"], name="dues_record_one_per_month"),
            models.CheckConstraint(
                condition=Q(base__isnull=True) | Q(base__gte=0, base__lte=rates.MAX_BASE),
                name="dues_record_base_range",
            ),
            models.CheckConstraint(
                condition=~Q(category=rates.FARMER)
                | Q(fixed_amount__gte=rates.FARMER_MIN, fixed_amount__lte=rates.FARMER_MAX),
                name="dues_record_farmer_amount_range",
            ),
            models.CheckConstraint(
                condition=~Q(category__in=rates.SALARIED) | Q(base__isnull=False),
                name="dues_record_salaried_has_base",
            ),
        ]

    def __str__(self):
        return f"{self.member} {rates.month_label(self.starts_month)} {self.get_category_display()}"

    def as_rule(self) -> rates.Record:
        return rates.Record(self.starts_month, self.category, self.base, self.fixed_amount)

    @property
    def amount(self):
        return self.as_rule().amount

    @property
    def category_zh(self) -> str:
        return CATEGORY_LABELS[Category(self.category)]


class DuesRelief(models.Model):
    """A hardship reduction (减缴) or exemption (免缴): decided by the branch, approved by the level above. Only
    an approved relief changes what a month is due."""

    class Kind(models.TextChoices):
        REDUCTION = rates.REDUCTION, _("Reduction")  # 减缴
        EXEMPTION = rates.EXEMPTION, _("Exemption")  # 免缴

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_reliefs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("reduced monthly amount"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    decided_on = models.DateField(_("decided by the branch on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues reduction or exemption")
        verbose_name_plural = _("dues reductions and exemptions")
        ordering = ["member_id", "-first_month", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="dues_relief_months_in_order",
            ),
            models.CheckConstraint(
                condition=Q(kind=rates.EXEMPTION, amount__isnull=True)
                | Q(kind=rates.REDUCTION, amount__gte=0),
                name="dues_relief_amount_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True, approved_by__isnull=True)
                | Q(approved_on__isnull=False, approved_by__isnull=False),
                name="dues_relief_approval_complete",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {rates.month_label(self.first_month)}"

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None

    def as_rule(self) -> rates.Relief:
        return rates.Relief(self.kind, self.first_month, self.last_month, self.amount)


class Payment(models.Model):
    """A payment (缴纳) covering `first_month` through `last_month`: `due` is what those months were due when
    it was recorded, `extra` what was paid beyond it (a voluntary extra, 自愿多交)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_payments"
    )
    paid_on = models.DateField(_("paid on"))
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    due = models.DecimalField(_("due for these months"), max_digits=10, decimal_places=2)
    extra = models.DecimalField(_("voluntary extra"), max_digits=10, decimal_places=2, default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["member_id", "first_month"]
        indexes = [models.Index(fields=["member", "first_month"]), models.Index(fields=["paid_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="dues_payment_months_in_order"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("due"), due__gte=0, extra__gte=0),
                name="dues_payment_covers_due",
            ),
        ]

    def __str__(self):
        return f"{self.member} {rates.month_label(self.first_month)}–{rates.month_label(self.last_month)}"

    def as_span(self) -> rates.Span:
        return rates.Span(self.first_month, self.last_month)
