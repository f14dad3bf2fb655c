from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("network/", views.network, name="network"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<slug:code>/change/", views.rule_version_create, name="rule_change"),
    path("org/<int:pk>/", views.org_detail, name="org"),
    path("org/<int:pk>/eligible/", views.eligible_list, name="eligible"),
    path("org/<int:pk>/eligible/grant/", views.grants_bulk_create, name="grants_bulk"),
    path("org/<int:pk>/grants/", views.grant_list, name="grants"),
    path("org/<int:pk>/visits/", views.visit_list, name="visits"),
    path("org/<int:pk>/pairings/", views.pairing_list, name="pairings"),
    path("org/<int:pk>/service-point/", views.service_point_edit, name="service_point"),
    path("org/<int:pk>/budget/", views.budget_edit, name="budget"),
    path("member/<int:pk>/", views.member_detail, name="member"),
    path("member/<int:pk>/grant/", views.grant_create, name="grant_create"),
    path("member/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("member/<int:pk>/pairing/", views.pairing_create, name="pairing_create"),
    path("member/<int:pk>/illness/", views.member_illness, name="member_illness"),
    path("member/<int:pk>/death/", views.member_death, name="member_death"),
    path("grants/<int:pk>/pay/", views.grant_pay, name="grant_pay"),
    path("grants/<int:pk>/cancel/", views.grant_cancel, name="grant_cancel"),
    path("visits/<int:pk>/done/", views.visit_complete, name="visit_done"),
    path("condolences/<int:pk>/", views.condolence_detail, name="condolence"),
]
