from django.urls import path

app_name = "officers"

urlpatterns: list = []
