from django.urls import path

from . import views

app_name = "recruitment"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("new/", views.candidate_new, name="candidate_new"),
    path("rules/", views.rules, name="rules"),
    path("<int:pk>/", views.candidate_detail, name="candidate"),
    path("<int:pk>/steps/<str:step>/", views.step_new, name="step_new"),
    path("<int:pk>/confirm/", views.candidate_confirm, name="confirm"),
    path("<int:pk>/extend-probation/", views.candidate_extend, name="extend"),
]
