"""Admin for the three officers' visit logs and follow-ups (the assignments are in branches/admin.py)."""

from django.contrib import admin

from .models import FollowUp, VisitLog


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["description", "due_on", "done_on", "done_note"]


@admin.register(VisitLog)
class VisitLogAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "organization", "officer", "purpose"]
    list_filter = ["visited_on"]
    search_fields = ["organization__name", "organization__code", "officer__email", "purpose"]
    raw_id_fields = ["assignment", "organization", "officer"]
    date_hierarchy = "visited_on"
    inlines = [FollowUpInline]
    list_select_related = ["organization", "officer"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["description", "organization", "due_on", "done_on"]
    list_filter = ["done_on", "due_on"]
    search_fields = ["description", "organization__name"]
    raw_id_fields = ["visit", "organization"]
    list_select_related = ["organization"]
