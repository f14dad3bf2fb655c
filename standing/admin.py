"""Admin: members' standing rows are read-only (notices, suggestions, reviews are written by their services) and
scoped like every list; a suggestion's sender is never shown here."""

from django.contrib import admin

from branches.admin import ScopedAdminMixin
from common.admin import ReadOnlyAdminMixin

from .models import Notice, Review, Suggestion


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "organization", "published_on"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "kind", "organization", "submitted_on", "due_on", "answered_on"]
    # The sender is shown only to the receiving office, on the site (standing.selectors): never in the admin.
    exclude = ["member"]
    list_filter = ["kind", "answered_on"]
    list_select_related = ["organization"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "year", "held_on", "closed_on"]
    list_filter = ["year"]
    list_select_related = ["organization"]
