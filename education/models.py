"""三会一课 and study (党员教育经常化, section 2.3 of the paper).

The rules are data: a MeetingKind (支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员) has
MeetingRequirement versions (period, minimum count, who it applies to) effective from a date, so a county that
tightens a rule records the change and the history stays. Meetings are records of one sitting that may count
as several kinds; attendance is one row per member who should attend, recorded when the meeting is recorded as
held (the roster changes nothing in it afterwards) and corrected only by stated actions kept in the history.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization, PartyGroup
from members.models import Member


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AppliesTo(models.TextChoices):
    ALL = "all", _("Every branch")
    COMMITTEE = "committee", _("Branches with a committee (7 or more full members)")
    GROUP = "group", _("Each party group")


class MeetingKind(models.Model):
    """One kind of organizational life. The frequency is in MeetingRequirement (versioned)."""

    GENERAL_MEETING = "general_meeting"  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting"  # 支部委员会会议
    GROUP_MEETING = "group_meeting"  # 党小组会
    PARTY_LECTURE = "party_lecture"  # 党课
    THEMED_DAY = "themed_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会
    MEMBER_REVIEW = "member_review"  # 民主评议党员

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before the period ends"),
        default=7,
        validators=[MaxValueValidator(180)],
        help_text=_(
            "The secretary is reminded this many days before a period ends with the meeting missing."
        ),
    )

    class Meta:
        verbose_name = _("meeting kind")
        verbose_name_plural = _("meeting kinds")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.name_en if lang.startswith("en") else self.name_zh


class MeetingRequirement(models.Model):
    """A version of a kind's required frequency, in force from `effective_from`.

    A period (month, quarter, year) is measured against the version in force on the period's FIRST day; a
    change effective mid-period therefore applies from the next period on. `minimum` 0 means not required.
    Rows are never edited in place: a change is a new row, so the history of the rules stays readable.
    """

    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("meeting kind"), on_delete=models.CASCADE, related_name="requirements"
    )
    effective_from = models.DateField(_("effective from"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField(
        _("minimum per period"), default=1, validators=[MaxValueValidator(31)]
    )
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices)
    note = models.CharField(_("reason for the change"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting requirement")
        verbose_name_plural = _("meeting requirements")
        ordering = ["kind__order", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="uniq_requirement_version"),
        ]

    def __str__(self):
        return f"{self.kind} {self.minimum}/{self.get_period_display()} ≥ {self.effective_from}"


DEFAULT_STUDY_CHANNELS = "remote,lecture,training"  # concentrated study (集中学习); self-study does not count


class StudyTarget(models.Model):
    """The annual concentrated-study target (default 32 hours), versioned like the meeting rules: the
    target in force on 1 January applies to the whole year, with the study channels that count toward it
    (集中学习: remote education, party lectures and training; self-study does not count)."""

    effective_from = models.DateField(_("effective from"), unique=True)
    hours = models.DecimalField(
        _("hours a year"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    channels = models.CharField(
        _("channels that count"),
        max_length=100,
        default=DEFAULT_STUDY_CHANNELS,
        help_text=_(
            "Codes of the study channels that count toward the target, separated by commas "
            "(remote, lecture, training, self_study)."
        ),
    )
    note = models.CharField(_("reason for the change"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("study target")
        verbose_name_plural = _("study targets")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.hours} h ≥ {self.effective_from}"

    @property
    def channel_codes(self) -> list[str]:
        return [c.strip() for c in self.channels.split(",") if c.strip()]

    def clean(self):
        unknown = set(self.channel_codes) - set(StudyRecord.Channel.values)
        if unknown:
            raise ValidationError(
                {"channels": _("Unknown study channels: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
            )
        self.channels = ",".join(self.channel_codes)


class MeetingPlan(models.Model):
    """A branch's regular schedule (the committee on the 10th of each month, a lecture in the first month of
    each quarter...). Planned meetings for the coming months are generated from it, one per occurrence."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every quarter")
        YEARLY = "yearly", _("Every year")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="meeting_plans"
    )
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_plans",
    )
    kinds = models.ManyToManyField(MeetingKind, verbose_name=_("meeting kinds"), related_name="plans")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    day = models.PositiveSmallIntegerField(
        _("day of the month"),
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("In shorter months the last day is used."),
    )
    month_of_period = models.PositiveSmallIntegerField(
        _("month of the period"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "For a quarterly plan 1–3 (first to third month of the quarter); for a yearly plan 1–12."
        ),
    )
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting plan")
        verbose_name_plural = _("meeting plans")
        ordering = ["organization_id", "frequency", "day", "pk"]

    def __str__(self):
        return f"{self.organization} · {self.get_frequency_display()} · {self.day}"

    def clean(self):
        if self.frequency == self.Frequency.QUARTERLY and self.month_of_period > 3:
            raise ValidationError({"month_of_period": _("A quarter has three months: choose 1, 2 or 3.")})
        if (
            self.party_group_id
            and self.organization_id
            and self.party_group.organization_id != self.organization_id
        ):
            raise ValidationError({"party_group": _("The party group belongs to another organization.")})


class Meeting(models.Model):
    """One sitting: planned (a date ahead, or not yet recorded) or held (minutes and attendance entered).

    A sitting may count as several kinds (a 党员大会 held as the month's 主题党日) and is counted for each.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        PLAN = "plan", _("From a plan")
        IMPORTED = "imported", _("Imported ledger")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="meetings"
    )
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kinds = models.ManyToManyField(MeetingKind, verbose_name=_("meeting kinds"), related_name="meetings")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=50, blank=True)  # 主持人
    recorder = models.CharField(_("recorder"), max_length=50, blank=True)  # 记录人
    lecturer = models.CharField(_("lecturer"), max_length=50, blank=True)  # 授课人 (党课)
    invited = models.CharField(_("invited non-members"), max_length=255, blank=True)  # 列席人员
    minutes = models.TextField(_("minutes"), blank=True)
    votes = models.BooleanField(
        _("votes are taken"),
        default=False,
        help_text=_("Admission or confirmation of members, elections, sanctions: a quorum is needed."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.RECORDED)
    plan = models.ForeignKey(
        MeetingPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    occurrence = models.DateField(_("planned occurrence"), null=True, blank=True)  # the plan's original date
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
        help_text=_(
            "For a party lecture: the study hours it gives each member present. Empty: its duration "
            "(start to end time)."
        ),
    )
    # For imported ledgers without names (no attendance rows): 应到人数 / 实到人数.
    expected_count = models.PositiveIntegerField(_("expected"), null=True, blank=True)
    attended_count = models.PositiveIntegerField(_("attended"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["organization", "date"]),
            models.Index(fields=["status", "date"]),
            # the lists' order: the newest 50 of a county's meetings read from the index, not sorted
            models.Index(fields=["-date", "-start_time", "-id"], name="meeting_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "occurrence"], condition=Q(plan__isnull=False), name="uniq_plan_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gte=models.F("start_time")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.topic or self.organization}"


class Attendance(models.Model):
    """One expected attendee of a meeting (应到), fixed when the meeting is recorded as held; a planned
    meeting has rows only for the exceptions marked ahead (absent, excused)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")  # 出席
        EXCUSED = "excused", _("Excused")  # 请假
        ABSENT = "absent", _("Absent")  # 缺席

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="uniq_attendance"),
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


def attachment_path(instance: MeetingAttachment, filename: str) -> str:
    # A random name: the original is kept in `name`; files are served only through the scoped view.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"education/meetings/{instance.meeting_id}/{secrets.token_hex(12)}.{ext}"


class MeetingAttachment(models.Model):
    """A photo or a scanned sign-in sheet (jpg/png/pdf, at most 5 MB), served only through a scoped view."""

    ALLOWED_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
    MAX_BYTES = 5 * 1024 * 1024

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class StudyRecord(models.Model):
    class Channel(models.TextChoices):
        REMOTE = "remote", _("Remote education")  # 现代远程教育
        LECTURE = "lecture", _("Party lecture")  # 党课
        SELF_STUDY = "self_study", _("Self-study")  # 自学
        TRAINING = "training", _("Training")  # 集中培训

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="study_records"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    content = models.CharField(_("what was studied"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self):
        return f"{self.member} {self.date} {self.hours}h"


class CalendarFeed(models.Model):
    """A secret iCal URL for one branch. Revoking sets `revoked_at`; a new feed gets a new token."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(revoked_at__isnull=True), name="one_active_feed_per_org"
            ),
        ]

    def __str__(self):
        return f"{self.organization} feed"
