from django.contrib import admin

from .models import ImportUpload


@admin.register(ImportUpload)
class ImportUploadAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "kind", "original_name", "row_count", "error_count", "applied_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "original_name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "kind",
        "file",
        "original_name",
        "created",
        "applied_at",
        "row_count",
        "error_count",
        "result",
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def has_add_permission(self, request):
        return False
