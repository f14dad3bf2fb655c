from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

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
    search_fields = ["name"]
    inlines = [IndicatorInline]


class ContractLineInline(ReadOnlyInline):
    model = ContractLine
    fields = ["group", "name", "weight", "self_score", "score", "reason"]
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: contracts, their indicators, signatures and evaluations change through the pages (and their
    services), which enforce the rules (weights add up to 100, who issues, signs and evaluates, when)."""

    list_display = ["year", "parent", "organization", "status", "score", "vetoed", "grade"]
    list_filter = ["year", "status", "vetoed"]
    search_fields = ["organization__name", "organization__code", "parent__name"]
    raw_id_fields = ["parent", "organization", "signer", "parent_signer", "evaluated_by"]
    list_select_related = ["parent", "organization", "grade"]
    inlines = [ContractLineInline]


class AttachmentInline(ReadOnlyInline):
    model = DutyReportAttachment
    fields = ["original_name", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(DutyReport)
class DutyReportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: reports are written, submitted (late or not) and attached to on their pages."""

    list_display = ["year", "organization", "author", "submitted_at", "late"]
    list_filter = ["year", "late"]
    search_fields = ["organization__name", "organization__code", "title", "author__name"]
    raw_id_fields = ["organization", "author"]
    inlines = [AttachmentInline]
