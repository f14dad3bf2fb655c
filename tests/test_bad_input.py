"""Bad input in a URL or its query string is a 404 or a page with a clear message, never a 500 (issue 13, 13)."""

import pytest
from django.urls import reverse

from tests.conftest import login


@pytest.mark.parametrize(
    "url",
    ["/members/new/?organization=abc", "/members/new/?organization=", "/members/new/?organization=1x"],
)
def test_member_create_ignores_an_organization_that_is_not_a_number(client, alice, url):
    response = login(client, alice).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/orgs/new/?parent=abc", "/orgs/new/?parent=9999999999999999999999"])
def test_organization_create_ignores_a_parent_that_is_not_a_number(client, dora, url):
    response = login(client, dora).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("year", [0, 1999, 2101, 10000])
def test_ledger_of_an_impossible_year_is_404(client, alice, branch_a1, year):
    response = login(client, alice).get(f"/education/orgs/{branch_a1.pk}/ledger/{year}/")
    assert response.status_code == 404


def test_ledger_of_a_possible_year_still_renders(client, alice, branch_a1):
    response = login(client, alice).get(f"/education/orgs/{branch_a1.pk}/ledger/2000/")
    assert response.status_code == 200


@pytest.mark.parametrize("year", [0, 10000])
def test_deadlines_of_an_impossible_year_is_404(client, dora, year):
    response = login(client, dora).get(f"/accountability/deadlines/{year}/")
    assert response.status_code == 404


@pytest.mark.parametrize("year", [0, 10000])
def test_library_of_an_impossible_year_is_404(client, dora, year):
    response = login(client, dora).get(f"/accountability/library/{year}/")
    assert response.status_code == 404


@pytest.mark.parametrize("year", [2000, 2100])
def test_library_at_the_ends_of_the_range_renders(client, dora, year):
    response = login(client, dora).get(f"/accountability/library/{year}/")
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["%00", "abc%00def", "a%20b", "%E4%B8%AD"])
def test_calendar_feed_with_a_malformed_token_is_404_for_anyone(client, db, token):
    response = client.get(f"/education/calendar/{token}.ics")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_nul_in_a_query_parameter_or_form_is_a_400(client, alice, branch_a1):
    """Found by the fuzzer on PostgreSQL: /education/?kind=%00 answered 500."""
    login(client, alice)
    assert client.get("/education/", {"kind": "\x00"}).status_code == 400
    assert client.get("/members/", {"q": "a\x00b"}).status_code == 400
    assert client.get("/members/new/?organization=1%00").status_code == 400
    assert client.post(reverse("members:create"), {"name": "\x00"}).status_code == 400
    assert client.get("/education/", {"kind": "x"}).status_code == 200
