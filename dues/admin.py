"""Dues rows have rules (brackets, ranges, approval from above, payments at least what is due): read-only here,
written through dues.services from the pages and imports."""

from django.contrib import admin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin

from .models import DuesRecord, DuesRelief, Payment


@admin.register(DuesRecord)
class DuesRecordAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "starts_month", "category", "base", "fixed_amount"]
    list_filter = ["category"]
    search_fields = ["member__name"]
    list_select_related = ["member"]


@admin.register(DuesRelief)
class DuesReliefAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "kind", "amount", "first_month", "last_month", "decided_on", "approved_on"]
    list_filter = ["kind"]
    search_fields = ["member__name"]
    list_select_related = ["member"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "paid_on", "first_month", "last_month", "amount", "due", "extra"]
    date_hierarchy = "paid_on"
    search_fields = ["member__name"]
    list_select_related = ["member"]
