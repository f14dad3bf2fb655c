"""Admin: members' standing rows are read-only (notices, suggestions, reviews are written by their services)."""

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import Notice, Review, Suggestion


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "organization", "published_on"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "kind", "organization", "submitted_on", "due_on", "answered_on"]
    list_filter = ["kind", "answered_on"]
    list_select_related = ["organization"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "year", "held_on", "closed_on"]
    list_filter = ["year"]
    list_select_related = ["organization"]
