from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from users.admin import UserAdmin as AccountAdmin
from users.models import User

from .models import Delivery, JobRun
from .services import deliveries_resend, invitation_send


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
    actions = ["send_again"]

    @admin.action(
        description=_("Send again (failed, or unknown after a worker stopped)"), permissions=["resend"]
    )
    def send_again(self, request, queryset):
        count = deliveries_resend(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_resend_permission(self, request):
        """ "Send again" is what change_delivery means here (the county office's group has it); the rows
        themselves are never edited."""
        return request.user.has_perm("notifications.change_delivery")

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
    search_fields = ["job", "error"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    @admin.display(boolean=True, description=_("failed"))
    def failed(self, obj):
        return bool(obj.error)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The accounts admin (users.admin) gains the invitation action here: the outbox sends it, and users, a layer
# below, does not import notifications.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AccountAdmin):
    actions = ["send_invitation"]  # the accounts admin itself has none

    @admin.action(description=_("Send an invitation to set a password"))
    def send_invitation(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            invitation_send(user=user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation queued.", "%(count)d invitations queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )
