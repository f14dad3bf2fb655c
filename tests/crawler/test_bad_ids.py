"""Ids read from a query string or a form that are not database ids: a superscript digit (which str.isdigit()
accepts and int() refuses) and a number past any integer column. Found by the fuzzer (test_fuzz.py); each
answered 500 before: now a 404, or the value is ignored."""

import pytest
from django.urls import reverse

from care.models import Grant
from education.models import Meeting
from tests.conftest import login

pytestmark = pytest.mark.django_db
BAD = ["²", "9" * 40, "9" * 5000, "-1", "0"]


@pytest.mark.parametrize("value", BAD)
def test_grant_approval_ignores_ids_that_are_not_ids(client, bob, branch_a1, value):
    response = login(client, bob).post(reverse("care:grants", args=[branch_a1.pk]), {"grant": [value]})
    assert response.status_code == 302
    assert not Grant.objects.exists()


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    ("route", "param"),
    [
        ("accountability:rankings", "parent"),
        ("accountability:signing", "issuer"),
        ("officers:visits", "organization"),
        ("education:meetings", "org"),
        ("education:meeting_create", "org"),
        ("education:compliance", "org"),
    ],
)
def test_a_page_asked_for_an_id_that_is_not_one_answers_404_or_ignores_it(client, dora, route, param, value):
    response = login(client, dora).get(reverse(route), {param: value})
    assert response.status_code in (200, 404)


def test_a_meeting_kind_past_any_id_is_refused_by_the_form(client, alice, branch_a1):
    url = reverse("education:meeting_create") + f"?org={branch_a1.pk}"
    response = login(client, alice).post(url, {"kinds": ["9" * 40], "date": "2026-01-05", "topic": "学习"})
    assert response.status_code == 200
    assert "kinds" in response.context["form"].errors
    assert not Meeting.objects.exists()
