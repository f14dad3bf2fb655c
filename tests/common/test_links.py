"""common.links.id_url (issue 14): reverse() once per view, the id put in its place: the same links as reverse()."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, re_path, reverse

from common.links import ID_PLACEHOLDER, id_url


def _view(request, pk):
    return HttpResponse()


urlpatterns = [
    path("things/<int:pk>/edit/", _view, name="thing"),
    re_path(r"^short/(?P<pk>[0-9]{1,3})/$", _view, name="short"),  # the mark does not fit: reverse() each
]


def test_the_links_are_reverses_links():
    links = id_url("dues:member")
    for pk in (7, 1, 123456, 0, 7):
        assert links(pk) == reverse("dues:member", args=[pk])


@override_settings(ROOT_URLCONF=__name__)
def test_a_route_that_does_not_take_the_mark_is_reversed_each_time():
    links = id_url("short")
    assert [links(pk) for pk in (5, 42, 999)] == ["/short/5/", "/short/42/", "/short/999/"]
    assert links._parts is None


@override_settings(ROOT_URLCONF=__name__)
def test_text_after_the_id_is_kept():
    links = id_url("thing")
    assert [links(pk) for pk in (3, 10)] == ["/things/3/edit/", "/things/10/edit/"]


@pytest.mark.parametrize(
    "name", ["branches:detail", "branches:tree_children", "members:detail", "dues:payment_new", "care:member"]
)
def test_id_url_is_reverse(name):
    url = id_url(name)
    for pk in (1, 7, 38, 98765, ID_PLACEHOLDER + 1):
        assert url(pk) == reverse(name, args=[pk])
