from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("orgs/<int:pk>/", views.totals, name="totals"),
    path("orgs/<int:pk>/export/<str:fmt>/", views.totals_export, name="totals_export"),
    path("orgs/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/record/", views.record_new, name="record_new"),
    path("members/<int:pk>/relief/", views.relief_new, name="relief_new"),
    path("members/<int:pk>/pay/", views.payment_new, name="payment_new"),
    path("reliefs/<int:pk>/approve/", views.relief_approve, name="relief_approve"),
]
