"""Admin for reference data (meeting kinds, study targets) and read access to the rest: meetings, plans,
study records, attachments and calendar feeds change through the pages and their services. A new version
of a meeting requirement is added through `services.requirement_change`."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from . import services
from .models import (
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingPlan,
    MeetingRequirement,
    StudyRecord,
    StudyTarget,
)


class RequirementInline(ReadOnlyInline):
    """The versions of a kind's rule, read-only: a new one is added on its own page (through the service)."""

    model = MeetingRequirement
    fields = ["effective_from", "period", "minimum", "applies_to", "note", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(MeetingKind)
class MeetingKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "order", "remind_days_before"]
    inlines = [RequirementInline]


class RequirementForm(forms.ModelForm):
    class Meta:
        model = MeetingRequirement
        fields = ["kind", "effective_from", "period", "minimum", "applies_to", "note"]

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("effective_from"):
            services.requirement_check(kind=data["kind"], effective_from=data["effective_from"])
        return data


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(admin.ModelAdmin):
    """Versions are appended, never edited or deleted (the history stays as applied)."""

    form = RequirementForm
    list_display = ["kind", "effective_from", "period", "minimum", "applies_to", "created_by"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = services.requirement_change(by=request.user, **form.cleaned_data)
        obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at


@admin.register(StudyTarget)
class StudyTargetAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "hours", "note"]


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "status", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "organization", "topic", "status", "source"]
    list_filter = ["status", "source", "kinds"]
    search_fields = ["topic", "organization__name", "organization__code"]
    raw_id_fields = ["organization", "party_group", "plan", "created_by"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]
    list_select_related = ["organization"]


@admin.register(MeetingPlan)
class MeetingPlanAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "frequency", "day", "month_of_period", "is_active"]
    list_filter = ["frequency", "is_active"]
    search_fields = ["organization__name", "organization__code"]
    raw_id_fields = ["organization", "party_group", "created_by"]
    list_select_related = ["organization"]


@admin.register(StudyRecord)
class StudyRecordAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "date", "hours", "channel"]
    list_filter = ["channel"]
    search_fields = ["member__name", "member__organization__name"]
    date_hierarchy = "date"
    raw_id_fields = ["member", "created_by"]
    list_select_related = ["member"]


@admin.register(MeetingAttachment)
class MeetingAttachmentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "meeting__organization"
    list_display = ["name", "meeting", "size", "uploaded_at"]
    search_fields = ["name", "meeting__topic", "meeting__organization__name"]
    raw_id_fields = ["meeting", "uploaded_by"]
    list_select_related = ["meeting"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name", "organization__code"]
    raw_id_fields = ["organization", "created_by"]
    list_select_related = ["organization"]
    exclude = ["token"]
