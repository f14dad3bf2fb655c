from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from branches.admin import ScopedAdminMixin
from branches.selectors import scope_for
from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from . import idnumbers
from .models import BranchOfficer, CommitteeTerm, Member, SensitiveAccess, Transfer


@admin.register(Member)
class MemberAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: members change through the roster pages and members.services (ID number rules, transfers
    with write scope on the source, deaths, departures), each change in the history with who made it."""

    list_display = [
        "name",
        "masked_id",
        "gender",
        "organization",
        "full_member_on",
        "masked_phone",
        "died_on",
        "departed_on",
    ]
    list_filter = [
        "gender",
        "departure_reason",
        "veteran_cadre",
        "hardship",
        "is_mobile",
        "organization__kind",
        "organization__sector",
    ]
    search_fields = ["name", "phone", "=id_number"]
    autocomplete_fields = ["organization", "party_group", "user"]
    list_select_related = ["organization"]
    date_hierarchy = "admitted_on"
    # Personal data shown masked here as on every page for whoever does not edit the member (the admin edits
    # nobody): the roster's member page reveals the full values, recorded (SensitiveAccess).
    exclude = ["id_number", "birth_date", "phone"]
    readonly_fields = ["masked_id", "masked_birth_date", "masked_phone"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return idnumbers.mask(obj.id_number)

    @admin.display(description=_("birth date"))
    def masked_birth_date(self, obj):
        return idnumbers.mask_birth_date(obj.birth_date)

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return idnumbers.mask_phone(obj.phone)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "member__organization"
    list_display = ["member", "from_organization", "to_organization", "transferred_on", "created_by"]
    list_filter = [("transferred_on", admin.DateFieldListFilter)]
    date_hierarchy = "transferred_on"
    search_fields = ["member__name", "from_organization__name", "to_organization__name"]
    autocomplete_fields = ["member", "from_organization", "to_organization"]
    list_select_related = ["member", "from_organization", "to_organization", "created_by"]
    readonly_fields = ["created_by", "created_at"]


class BranchOfficerInline(ReadOnlyInline):
    model = BranchOfficer
    fields = ["member", "position", "duty"]
    readonly_fields = fields


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: terms and officers change through committee_term_save (one secretary, living members)."""

    list_display = ["organization", "elected_on", "ends_on"]
    list_filter = [("ends_on", admin.DateFieldListFilter)]
    search_fields = ["organization__name", "organization__code"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    inlines = [BranchOfficerInline]


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    """Read-only: the record of who saw full ID numbers."""

    list_display = ["at", "user", "member", "field", "detail"]
    list_filter = ["field"]
    search_fields = ["user__email", "member__name"]
    list_select_related = ["user", "member"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scope_for_accesses(request, qs)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def scope_for_accesses(request, qs):
    scope = scope_for(request.user)
    return qs.filter(scope.q("member__organization")) if scope.is_county is False else qs
