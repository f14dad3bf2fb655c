from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.member_me, name="me"),
    path("new/", views.member_create, name="create"),
    path("export/", views.member_export, name="export"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/death/", views.member_record_death, name="death"),
    path("<int:pk>/depart/", views.member_depart, name="depart"),
    path("<int:pk>/depart/undo/", views.member_departure_undo, name="departure_undo"),
    path("<int:pk>/confirm/", views.member_confirm, name="confirm"),
    path("<int:pk>/extend-probation/", views.member_extend_probation, name="extend_probation"),
    path("<int:pk>/id-number/", views.member_reveal_id, name="reveal_id"),
    path("orgs/<int:pk>/committee/new/", views.committee_create, name="committee_create"),
    path("committee/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
]
