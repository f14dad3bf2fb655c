"""Admin: reference data (policies, Spring Festival dates) and read access to the rest.
Rule changes go through the "record a change" page (care:rule_change) so that a rule without conditions
is refused and every change is a dated version; here versions are read-only. Grants, budgets, visits,
pairings, condolences and service points change through the pages and their services (approval by the
level above, budgets by the county, one grant per period, ...): read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import (
    BenefitRule,
    Condolence,
    Grant,
    LunarNewYear,
    Pairing,
    RuleCondition,
    RuleVersion,
    ServicePoint,
    TownshipBudget,
    Visit,
    VisitPolicy,
)


class RuleVersionInline(ReadOnlyInline):
    model = RuleVersion
    fields = ["effective_from", "amount", "in_kind", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


class RuleConditionInline(ReadOnlyInline):
    model = RuleCondition
    fields = ["group", "kind", "number", "date"]
    readonly_fields = fields


@admin.register(BenefitRule)
class BenefitRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["code"]
    inlines = [RuleVersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ["rule", "effective_from", "amount", "in_kind", "recorded_by"]
    list_filter = ["rule"]
    search_fields = ["rule__code", "rule__name"]
    list_select_related = ["rule", "recorded_by"]
    inlines = [RuleConditionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "level", "organization", "contact_person", "phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "organization__name"]
    raw_id_fields = ["organization"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["member", "rule", "period_key", "status", "amount", "organization", "paid_on"]
    list_filter = ["status", "rule", "year"]
    search_fields = ["member__name", "organization__name", "organization__code"]
    raw_id_fields = ["member", "organization", "township", "created_by", "approved_by", "paid_recorded_by"]
    list_select_related = ["member", "rule", "organization"]


@admin.register(TownshipBudget)
class TownshipBudgetAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    scope_field = "township"
    list_display = ["township", "year", "amount"]
    list_filter = ["year"]
    search_fields = ["township__name", "township__code"]
    list_select_related = ["township"]
    raw_id_fields = ["township"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["member", "organization", "kind", "status", "due_on", "done_on", "assigned_to"]
    list_filter = ["kind", "status", "policy", ("due_on", admin.DateFieldListFilter)]
    search_fields = ["member__name", "organization__name", "organization__code"]
    date_hierarchy = "due_on"
    raw_id_fields = ["member", "organization", "assigned_to", "created_by"]
    list_select_related = ["member", "organization", "assigned_to"]


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["helper", "helped", "organization", "starts_on", "ends_on"]
    list_filter = [("ends_on", admin.EmptyFieldListFilter)]
    search_fields = ["helper__name", "helped__name", "organization__name"]
    raw_id_fields = ["helper", "helped", "organization"]
    list_select_related = ["helper", "helped", "organization"]


@admin.register(Condolence)
class CondolenceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["member", "organization", "died_on", "wreath_confirmed_on", "attendance_confirmed_on"]
    list_filter = [("died_on", admin.DateFieldListFilter)]
    search_fields = ["member__name", "organization__name"]
    raw_id_fields = ["member", "organization", "started_by"]
    list_select_related = ["member", "organization"]


@admin.register(VisitPolicy)
class VisitPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "target", "visit_kind", "sector", "within_days", "lead_days", "is_active"]
    list_filter = ["target", "visit_kind", "sector", "is_active"]
    search_fields = ["code", "name"]


@admin.register(LunarNewYear)
class LunarNewYearAdmin(admin.ModelAdmin):
    list_display = ["year", "date"]
