"""The admin for the county office. Non-superuser staff see only their scope (scope_for)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import OfficerAssignment, Organization, PartyGroup, RoleAssignment
from .selectors import scope_for
from .services import organization_create, organization_update, role_assign, role_revoke


class ScopedAdminMixin:
    """Limit the changelist and every object to the user's scope; `scope_field` is the path to Organization."""

    scope_field = "organization"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scope_for(request.user).filter(qs, self.scope_field)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """django-simple-history saves an old version on POST for anyone who may view: reading the admin (the
        township's read-only group, the county office on domain rows) must not write through it."""
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organization and not request.user.is_superuser:
            kwargs["queryset"] = scope_for(request.user).organizations(write=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_field = ""
    list_display = ["indented_name", "code", "kind", "sector", "is_active"]
    list_filter = ["kind", "sector", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]
    list_per_page = 100

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return f"{'— ' * obj.depth}{obj.name}"

    def save_model(self, request, obj, form, change):
        # The materialized path is kept by the services only.
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("path", "depth")}
        if change:
            stored = Organization.objects.get(pk=obj.pk)
            organization_update(org=stored, **data)
        else:
            created = organization_create(**data)
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


@admin.register(PartyGroup)
class PartyGroupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "central_household"]
    list_filter = ["organization__sector"]
    search_fields = ["name", "organization__name", "organization__code"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Roles are given and taken away, never edited: through role_assign / role_revoke, which keep the admin
    groups and is_staff in step with the roles (branches.admin_access)."""

    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "user__name", "organization__name", "organization__code"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        created = role_assign(user=obj.user, organization=obj.organization, role=obj.role)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        role_revoke(assignment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            role_revoke(assignment=assignment, by=request.user)


@admin.register(OfficerAssignment)
class OfficerAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["officer", "kind", "organization", "starts_on", "ends_on"]
    list_filter = ["kind", ("ends_on", admin.EmptyFieldListFilter)]
    search_fields = ["officer__email", "officer__name", "organization__name", "organization__code"]
    autocomplete_fields = ["officer", "organization"]
    list_select_related = ["officer", "organization"]
