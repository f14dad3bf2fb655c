from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin

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


class RequirementInline(admin.TabularInline):
    model = MeetingRequirement
    extra = 0
    readonly_fields = ["created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False  # versions are appended, never edited (the history stays as applied)


@admin.register(MeetingKind)
class MeetingKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "order", "remind_days_before"]
    inlines = [RequirementInline]


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(admin.ModelAdmin):
    list_display = ["kind", "effective_from", "period", "minimum", "applies_to", "created_by"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StudyTarget)
class StudyTargetAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "hours", "note"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "organization", "topic", "status", "source"]
    list_filter = ["status", "source", "kinds"]
    search_fields = ["topic", "organization__name", "organization__code"]
    raw_id_fields = ["organization", "party_group", "plan", "created_by"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]
    list_select_related = ["organization"]


@admin.register(MeetingPlan)
class MeetingPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "frequency", "day", "month_of_period", "is_active"]
    raw_id_fields = ["organization", "party_group", "created_by"]


@admin.register(StudyRecord)
class StudyRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "date", "hours", "channel"]
    raw_id_fields = ["member", "created_by"]


@admin.register(MeetingAttachment)
class MeetingAttachmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "meeting__organization"
    list_display = ["name", "meeting", "size", "uploaded_at"]
    raw_id_fields = ["meeting", "uploaded_by"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "created_at", "revoked_at"]
    raw_id_fields = ["organization", "created_by"]
    exclude = ["token"]
