from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

_BLANK = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


@login_required
def blank(request):
    return HttpResponse(_BLANK.render({}, request))


urlpatterns = [path("bench/blank/", blank, name="bench_blank"), path("", include("config.urls"))]
