from django.urls import path

from . import views

app_name = "spreadsheets"

urlpatterns = [
    path("", views.import_index, name="index"),
    path("uploads/<int:pk>/", views.import_preview, name="preview"),
    path("uploads/<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("<slug:kind>/", views.import_upload, name="upload"),
    path("<slug:kind>/template.<str:fmt>", views.import_template, name="template"),
]
