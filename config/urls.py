from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from users import views as user_views

admin.site.site_header = "县域党建管理 · County party-building"
admin.site.site_title = "党建管理"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("admin/", admin.site.urls),
    # before allauth's own: only a confirmed address becomes primary (issue 13)
    path("accounts/email/", user_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("home/", include("dashboard.urls")),
    path("orgs/", include("branches.urls")),
    path("officers/", include("officers.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("members/", include("members.urls")),
    path("imports/", include("spreadsheets.urls")),
    path("notifications/", include("notifications.urls")),
    path("education/", include("education.urls")),
    path("care/", include("care.urls")),
    path("accountability/", include("accountability.urls")),
    path("dues/", include("dues.urls")),
    path("standing/", include("standing.urls")),
]
# Uploaded files (imports, meeting and duty-report attachments) are never served from MEDIA_URL: attachments go
# through scoped views, import files are read by the import and deleted.
