"""Admin for the three officers' visit logs and follow-ups (the assignments are in branches/admin.py): read-only
and scoped (an officer logs visits and closes follow-ups on the officers' pages, through officers.services)."""

from django.contrib import admin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import FollowUp, VisitLog


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["description", "due_on", "done_on", "done_note"]
    readonly_fields = fields


@admin.register(VisitLog)
class VisitLogAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["visited_on", "organization", "officer", "purpose"]
    list_filter = ["visited_on", "assignment__kind"]
    search_fields = ["organization__name", "organization__code", "officer__email", "officer__name", "purpose"]
    date_hierarchy = "visited_on"
    inlines = [FollowUpInline]
    list_select_related = ["organization", "officer"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["description", "organization", "due_on", "done_on"]
    list_filter = [("done_on", admin.EmptyFieldListFilter), "due_on"]
    search_fields = ["description", "organization__name", "organization__code"]
    list_select_related = ["organization"]
