"""Every URL of ours refuses an anonymous visitor: a redirect to sign-in, or 404 for token URLs (iCal feeds).

A guard over all routes at once, so a new view that forgets @login_required fails here; each app's own tests
cover the signed-in outsider (404) per view.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

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
}
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


@pytest.mark.parametrize(("namespace", "name", "route"), ROUTES, ids=lambda v: str(v))
def test_anonymous_is_sent_to_sign_in_or_gets_404(client, namespace, name, route):
    url = _sample_url(route)
    response = client.get(url)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"], (url, response["Location"])
    else:
        assert response.status_code in (404, 405), (url, response.status_code)
