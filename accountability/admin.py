from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin

from .models import (
    Contract,
    ContractLine,
    DutyReport,
    DutyReportAttachment,
    GradeBand,
    Indicator,
    IndicatorGroup,
    YearDeadlines,
)


@admin.register(YearDeadlines)
class YearDeadlinesAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "signing_deadline",
        "self_evaluation_deadline",
        "evaluation_deadline",
        "duty_report_deadline",
    ]


@admin.register(GradeBand)
class GradeBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "code", "min_score"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "position"]
    list_filter = ["year"]
    inlines = [IndicatorInline]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    fields = ["group", "name", "weight", "self_score", "score", "reason"]


@admin.register(Contract)
class ContractAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Read mostly: contracts change through the pages (and their services), which enforce the rules."""

    list_display = ["year", "parent", "organization", "status", "score", "vetoed", "grade"]
    list_filter = ["year", "status", "vetoed"]
    search_fields = ["organization__name", "organization__code", "parent__name"]
    raw_id_fields = ["parent", "organization", "signer", "parent_signer", "evaluated_by"]
    list_select_related = ["parent", "organization", "grade"]
    inlines = [ContractLineInline]


class AttachmentInline(admin.TabularInline):
    model = DutyReportAttachment
    extra = 0
    fields = ["original_name", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(DutyReport)
class DutyReportAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["year", "organization", "author", "submitted_at", "late"]
    list_filter = ["year", "late"]
    search_fields = ["organization__name", "title"]
    raw_id_fields = ["organization", "author"]
    inlines = [AttachmentInline]
