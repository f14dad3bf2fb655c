"""Admin: the rules table is reference data the county edits here; candidates and steps are written only
through the pages (recruitment.services), so they are read-only."""

from django.contrib import admin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import Candidate, RecruitmentRule, Step


@admin.register(RecruitmentRule)
class RecruitmentRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "value", "unit", "text", "order"]
    list_editable = ["value", "text"]
    readonly_fields = ["code", "unit"]
    ordering = ["order", "code"]

    def has_add_permission(self, request):
        return False  # the services know the seeded codes only

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(ReadOnlyInline):
    model = Step
    fields = ["kind", "on", "ends_on", "hours", "decided_by", "document", "recorded_by"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "organization"
    list_display = ["name", "organization", "applied_on", "activist_on", "target_on", "admitted_on"]
    search_fields = ["name", "organization__name", "organization__code"]
    list_select_related = ["organization"]
    date_hierarchy = "applied_on"
    inlines = [StepInline]
