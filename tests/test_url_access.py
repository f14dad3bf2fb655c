"""Every URL of ours sends an anonymous visitor to sign in, except the token URLs listed below by name.

A guard over all routes at once, so a view that forgets (or loses) @login_required fails here: a 404 or 405
is not accepted, since a view without @login_required that looks up its path parameter answers 404 too. A
POST-only view is asked by POST. Each app's own tests cover the signed-in outsider (404) per view.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

OUR_NAMESPACES = {
    "dashboard",
    "branches",
    "officers",
    "members",
    "spreadsheets",
    "notifications",
    "education",
    "care",
    "accountability",
    "dues",
    "recruitment",
    "standing",
}
# Routes an anonymous visitor may reach, with the reason: the secret in the URL is the credential.
TOKEN_ROUTES = {
    "education:calendar_feed": "the iCal feed: calendar apps cannot sign in, so the secret token in the URL is "
    "the key (renewed or revoked on the calendar page); a wrong token is 404",
}
# Token URLs that are not ours (allauth's, so not walked here) and must stay reachable without signing in:
# "account_reset_password_from_key", the password reset link, which is also the invitation to set a first
# password (users.services.user_invite / user_set_password_url).
CONVERTER_SAMPLES = {
    "int": "1",
    "year": "2026",  # common.converters.YearConverter
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "x",
}


def _routes(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and namespace in OUR_NAMESPACES:
            yield namespace, entry.name, prefix + str(entry.pattern)


def _sample_url(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_SAMPLES[m.group(1) or "str"], route)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(set(_routes()))


def test_all_apps_have_routes():
    assert {ns for ns, _name, _route in ROUTES} >= OUR_NAMESPACES - {"dashboard"}


def test_token_routes_are_still_routes():
    assert set(TOKEN_ROUTES) <= {f"{ns}:{name}" for ns, name, _route in ROUTES}


@pytest.mark.parametrize(("namespace", "name", "route"), ROUTES, ids=lambda v: str(v))
def test_anonymous_is_sent_to_sign_in(client, namespace, name, route):
    url = _sample_url(route)
    response = client.get(url)
    if f"{namespace}:{name}" in TOKEN_ROUTES:
        assert response.status_code == 404, (url, response.status_code)  # a made-up token opens nothing
        return
    if response.status_code == 405:  # a POST-only view
        response = client.post(url)
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"] == f"{reverse('account_login')}?next={url}", (url, response["Location"])
