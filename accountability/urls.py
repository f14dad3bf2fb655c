from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.contracts, name="contracts"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/issue-all/", views.contracts_issue_all, name="contracts_issue_all"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/indicators/", views.contract_lines, name="contract_lines"),
    path("contracts/<int:pk>/issue/", views.contract_issue, name="contract_issue"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract_sign"),
    path(
        "contracts/<int:pk>/self-evaluation/", views.contract_self_evaluation, name="contract_self_evaluation"
    ),
    path("contracts/<int:pk>/evaluation/", views.contract_evaluation, name="contract_evaluation"),
    path("signing/", views.signing, name="signing"),
    path("rankings/", views.rankings, name="rankings"),
    path("performance.<str:fmt>", views.performance_export, name="performance_export"),
    path("library/<year:year>/", views.library, name="library"),
    path("library/<year:year>/copy/", views.library_copy, name="library_copy"),
    path("library/<year:year>/groups/new/", views.group_new, name="group_new"),
    path("library/<year:year>/indicators/new/", views.indicator_edit, name="indicator_new"),
    path("library/<year:year>/indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("deadlines/<year:year>/", views.deadlines, name="deadlines"),
    path("duty-reports/", views.duty_reports, name="duty_reports"),
    path("duty-reports/new/", views.duty_report_new, name="duty_report_new"),
    path("duty-reports/<int:pk>/", views.duty_report_detail, name="duty_report_detail"),
    path("duty-reports/<int:pk>/edit/", views.duty_report_edit, name="duty_report_edit"),
    path("duty-reports/<int:pk>/submit/", views.duty_report_submit, name="duty_report_submit"),
    path("duty-reports/<int:pk>/attachments/", views.duty_attachment_upload, name="duty_attachment_upload"),
    path("attachments/<int:pk>/", views.duty_attachment_download, name="duty_attachment_download"),
    path("attachments/<int:pk>/delete/", views.duty_attachment_delete, name="duty_attachment_delete"),
]
