"""Admin pieces that know no domain.

Domain rows with rules (meetings, plans, study records, grants, visits, contracts, members, ...) are written
only through their services, which the pages call; their admin pages are read-only (`ReadOnlyAdminMixin`,
`ReadOnlyInline`) so that no rule can be skipped there. An admin that does write domain rows calls the
service from `save_model` and shows its ValidationError as form errors."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ReadOnlyAdminMixin:
    """View only: no add, change or delete (the pages write through the services).

    save_model and delete_model refuse as well, for the paths that do not ask the permissions first:
    django-simple-history's history form saves an old version on POST ("revert") for anyone who may view."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        raise PermissionDenied

    def delete_model(self, request, obj):
        raise PermissionDenied


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
