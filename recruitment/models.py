"""发展党员: people on the way to membership (入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员),
each step they took, and the intervals and limits of the 2014 work rules as rows the county can read and change.

A candidate keeps the dates of the stage steps (for lists, counts and reminders in one query); every step is
also a Step row with who decided it and the document or meeting. From admission on the person is a roster
member (`member`): probation, 转正 and its extension are the roster's (members.services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from members import idnumbers
from members.models import Member


class RecruitmentRule(models.Model):
    """One interval or limit of the work rules (发展党员工作细则): read by the services, never a constant."""

    class Unit(models.TextChoices):
        YEARS = "years", _("years")
        MONTHS = "months", _("months")
        DAYS = "days", _("days")
        WORKING_DAYS = "working_days", _("working days")
        HOURS = "hours", _("hours")
        PEOPLE = "people", _("people")

    code = models.CharField(_("code"), max_length=40, unique=True)
    value = models.PositiveIntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    text = models.CharField(_("rule"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("recruitment rule")
        verbose_name_plural = _("recruitment rules")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code}: {self.value} {self.get_unit_display()}"


class Stage(models.TextChoices):
    """The five stages; the codes are a public contract (report_recruitment's `stage` column)."""

    APPLICANT = "applicant", _("Applicant")  # 入党申请人
    ACTIVIST = "activist", _("Activist")  # 入党积极分子
    TARGET = "target", _("Development target")  # 发展对象
    PROBATIONARY = "probationary", _("Probationary member")  # 预备党员
    FULL = "full", _("Full member")  # 正式党员


class Candidate(models.Model):
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Member.Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="candidates"
    )
    applied_on = models.DateField(_("applied on"))  # 递交入党申请书
    talked_on = models.DateField(_("talked with on"), null=True, blank=True)  # 派人谈话
    activist_on = models.DateField(_("activist since"), null=True, blank=True)  # 确定入党积极分子
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True)  # 考察
    target_on = models.DateField(_("development target since"), null=True, blank=True)  # 确定发展对象
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)  # 支部大会讨论接收
    approved_on = models.DateField(_("approved above on"), null=True, blank=True)  # 上级党委审批
    oath_on = models.DateField(_("oath taken on"), null=True, blank=True)  # 入党宣誓
    member = models.OneToOneField(
        Member,
        verbose_name=_("roster member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidate",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["organization_id", "applied_on", "pk"]
        indexes = [models.Index(fields=["organization", "applied_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(talked_on__isnull=True) | Q(talked_on__gte=models.F("applied_on")),
                name="candidate_talk_after_application",
            ),
            models.CheckConstraint(
                condition=Q(admitted_on__isnull=True) | Q(target_on__isnull=False),
                name="candidate_admitted_after_target",
            ),
            models.CheckConstraint(
                condition=Q(target_on__isnull=True) | Q(activist_on__isnull=False),
                name="candidate_target_after_activist",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)


class Step(models.Model):
    """One step of the procedure: its date, who decided it and the document or meeting."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")  # 递交入党申请书
        TALK = "talk", _("Talk with the applicant")  # 派人谈话
        ACTIVIST = "activist", _("Determined as activist")  # 确定入党积极分子, 指定培养联系人
        CHECK = "check", _("Periodic check")  # 培养教育考察
        TARGET = "target", _("Determined as development target")  # 确定发展对象
        INTRODUCERS = "introducers", _("Introducers")  # 确定入党介绍人
        POLITICAL_REVIEW = "political_review", _("Political review")  # 政治审查
        TRAINING = "training", _("Concentrated training")  # 短期集中培训
        NOTICE = "notice", _("Public notice")  # 公示
        PRE_REVIEW = "pre_review", _("Pre-review above")  # 上级党委预审
        ADMISSION = "admission", _("Admission by the branch general meeting")  # 支部大会讨论接收
        APPROVAL = "approval", _("Approval above")  # 上级党委审批
        OATH = "oath", _("Oath")  # 入党宣誓

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    ends_on = models.DateField(_("until"), null=True, blank=True)  # the public notice's last day
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)  # training
    decided_by = models.CharField(_("decided by"), max_length=255, blank=True)
    document = models.CharField(_("document or meeting"), max_length=255, blank=True)
    people = models.ManyToManyField(
        Member, verbose_name=_("people"), blank=True, related_name="recruitment_steps"
    )  # cultivating contacts (培养联系人) or introducers (入党介绍人)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "kind"], condition=~Q(kind="check"), name="recruitment_step_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("on")),
                name="recruitment_step_ends_after",
            ),
        ]

    def __str__(self):
        return f"{self.candidate}: {self.get_kind_display()} {self.on}"
