"""Members' standing (党员主体地位): party affairs notices (党务公开) with read receipts, suggestions and
supervision (意见建议 / 监督) with a time limit and one escalation, and the yearly democratic review of members
(民主评议党员) with its grades and follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organization
from members.models import Member


# -- 党务公开 -----------------------------------------------------------------------------------------------------
class Notice(models.Model):
    """A notice published to the members of an organization's subtree (or to members chosen in it). The
    recipients are fixed when it is published (NoticeRecipient), so the sender's read receipts do not move
    with the roster."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="standing_notices",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    chosen = models.BooleanField(_("to chosen members only"), default=False)
    published_on = models.DateField(_("published on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["organization", "published_on"])]

    def __str__(self):
        return self.title


class NoticeRecipient(models.Model):
    """One member a notice was sent to; `read_at` is the read receipt."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="recipients"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="uniq_notice_recipient")]
        indexes = [models.Index(fields=["notice", "read_at"])]

    def __str__(self):
        return f"{self.notice} → {self.member}"


# -- 意见建议 / 监督 ----------------------------------------------------------------------------------------------
class Suggestion(models.Model):
    """What a member sends to their branch or the level above. `organization` is the office that must answer
    now (the scope reads it); `first_organization` where it was sent. A report about the branch's own leaders
    (`about_leaders`) always goes above the branch, and its sender is shown only to the receiving office."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestion")  # 意见建议
        QUESTION = "question", _("Question")  # 询问
        REPORT = "report", pgettext_lazy("a member's message", "Report")  # 反映 / 举报

    member = models.ForeignKey(
        Member, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="suggestions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUGGESTION)
    about_leaders = models.BooleanField(_("about the branch's leaders"), default=False)
    # Which leader, when the member names one: a member of the branch committee's current term.
    concerning = models.ForeignKey(
        Member,
        verbose_name=_("concerning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        related_name="standing_suggestions",
    )
    first_organization = models.ForeignKey(
        Organization, verbose_name=_("sent to"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    submitted_on = models.DateField(_("sent on"))
    due_on = models.DateField(_("answer due on"))
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "answered_on"]),
            models.Index(fields=["answered_on", "escalated_on", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | ~Q(answer=""), name="suggestion_answer_has_text"
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None

    def status_on(self, day) -> str:
        """ "answered", "escalated" (open at the level above), "overdue" or "open"."""
        if self.answered_on:
            return "answered"
        if self.escalated_on:
            return "escalated"
        return "overdue" if self.due_on < day else "open"


# -- 民主评议党员 -------------------------------------------------------------------------------------------------
class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    QUALIFIED = "qualified", _("Qualified")  # 合格
    BASIC = "basic", _("Basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格


class Review(models.Model):
    """A branch's democratic review of its members for one year. Who takes part is taken from the roster on
    `held_on` when the review is opened (ReviewEntry rows): a later change of the roster changes no result."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="member_reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("review date"))
    # More 优秀 than a third of those graded needs a reason recorded here.
    excellent_reason = models.TextField(_("reason for more than a third excellent"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("democratic review")
        verbose_name_plural = _("democratic reviews")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="uniq_review_per_year"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class ReviewEntry(models.Model):
    """One member in one review: the self-assessment, the committee's grade, and for 不合格 the follow-up."""

    class Measure(models.TextChoices):
        CORRECTION = "correction", _("Correction within a time limit")  # 限期改正
        OTHER = "other", _("Other procedure recorded by the branch")

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="entries"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="review_entries"
    )
    # On the review date (a snapshot): probationary members take part but are not graded.
    probationary = models.BooleanField(_("probationary member"), default=False)
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_assessed_at = models.DateTimeField(_("self-assessed at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    follow_up_measure = models.CharField(_("follow-up"), max_length=20, choices=Measure.choices, blank=True)
    follow_up_procedure = models.CharField(_("procedure"), max_length=255, blank=True)
    follow_up_due_on = models.DateField(_("deadline"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("completed on"), null=True, blank=True)
    follow_up_result = models.CharField(_("result"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("review entry")
        verbose_name_plural = _("review entries")
        ordering = ["review", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="uniq_review_member"),
            models.CheckConstraint(
                condition=Q(probationary=False) | Q(grade=""), name="review_probationary_not_graded"
            ),
        ]

    def __str__(self):
        return f"{self.review} · {self.member}"


class MutualAssessment(models.Model):
    """One member's opinion of another in the same review (党员互评)."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="mutual_assessments"
    )
    assessor = models.ForeignKey(
        ReviewEntry, verbose_name=_("assessed by"), on_delete=models.CASCADE, related_name="given"
    )
    assessee = models.ForeignKey(
        ReviewEntry, verbose_name=_("member assessed"), on_delete=models.CASCADE, related_name="received"
    )
    opinion = models.CharField(_("opinion"), max_length=20, choices=Grade.choices)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mutual assessment")
        verbose_name_plural = _("mutual assessments")
        constraints = [
            models.UniqueConstraint(fields=["assessor", "assessee"], name="uniq_mutual_assessment"),
            models.CheckConstraint(condition=~Q(assessor=F("assessee")), name="mutual_not_self"),
        ]

    def __str__(self):
        return f"{self.assessor} → {self.assessee}"
