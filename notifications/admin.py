from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, JobRun


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom, when, and what failed."""

    list_display = ["created_at", "kind", "user", "subject", "status", "attempts", "sent_at", "read_at"]
    list_filter = [
        "status",
        "kind",
        ("created_at", admin.DateFieldListFilter),
        ("sent_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["key", "subject", "user__email", "user__name"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    fieldsets = [
        (None, {"fields": ["key", "kind", "user", "status", "url", "digest"]}),
        (_("Message"), {"fields": ["subject", "body_text"]}),
        (_("Sending"), {"fields": ["attempts", "claimed_at", "sent_at", "read_at", "error", "created_at"]}),
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "as_of", "started_at", "finished_at", "created", "failed"]
    list_filter = ["job", ("error", admin.EmptyFieldListFilter)]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    @admin.display(boolean=True, description=_("failed"))
    def failed(self, obj):
        return bool(obj.error)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
