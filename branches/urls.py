from django.urls import path

from . import views

app_name = "branches"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create, name="create"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/children/", views.organization_tree_children, name="tree_children"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/groups/new/", views.party_group_create, name="group_create"),
    path("groups/<int:pk>/edit/", views.party_group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", views.party_group_delete, name="group_delete"),
]
