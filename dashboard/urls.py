from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/<int:org_id>/", views.organization, name="org"),
]
