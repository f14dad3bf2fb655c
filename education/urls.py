from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/attendance/<int:member_id>/", views.attendance_mark, name="attendance_mark"),
    path(
        "meetings/<int:pk>/attendance/<str:action>/",
        views.attendance_correct,
        name="attendance_correct",
    ),
    path("meetings/<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("compliance/", views.compliance_overview, name="compliance"),
    path("compliance/<int:org_id>/", views.compliance_org, name="compliance_org"),
    path("compliance/<int:org_id>/missing/", views.compliance_missing, name="compliance_missing"),
    path("orgs/<int:org_id>/ledger/<year:year>/", views.ledger, name="ledger"),
    path(
        "orgs/<int:org_id>/ledger/<year:year>/attendance/", views.ledger_attendance, name="ledger_attendance"
    ),
    path("orgs/<int:org_id>/plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/stop/", views.plan_stop, name="plan_stop"),
    path("orgs/<int:org_id>/calendar/", views.calendar_manage, name="calendar_manage"),
    path("calendar/<slug:token>.ics", views.calendar_ics, name="calendar_feed"),
    path("orgs/<int:org_id>/members/", views.org_members, name="org_members"),
    path("orgs/<int:org_id>/study/new/", views.study_create, name="study_create"),
    path("members/<int:member_id>/", views.member_record, name="member_record"),
    path("me/", views.my_record, name="my_record"),
    path("rules/", views.rules, name="rules"),
]
