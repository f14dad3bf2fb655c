"""issue 13, Low 18: no page or export for a signed-in user may be stored (Cache-Control: no-store).

Every URL pattern of the members and care apps is requested from the resolver (no list to keep up), with the
ids of a real member and organization where the pattern takes one; whatever the answer (page, export,
redirect, 404), it must not be stored."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _patterns(namespace: str):
    resolver = next(
        r for r in get_resolver().url_patterns if isinstance(r, URLResolver) and r.namespace == namespace
    )
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLPattern):
            yield pattern.name, str(pattern.pattern)


PAGES = [(ns, name, route) for ns in ("members", "care") for name, route in _patterns(ns)]


@pytest.mark.parametrize(("namespace", "name", "route"), PAGES, ids=[f"{n}:{m}" for n, m, _ in PAGES])
def test_every_members_and_care_page_is_not_stored(
    client, dora, branch_a1, member_a1, namespace, name, route
):
    kwargs = {}
    if "<int:pk>" in route:
        kwargs["pk"] = branch_a1.pk if "org" in route else member_a1.pk
    if "<slug:code>" in route:
        kwargs["code"] = "none"
    response = login(client, dora).get(reverse(f"{namespace}:{name}", kwargs=kwargs))
    assert "no-store" in response.get("Cache-Control", ""), (
        response.status_code,
        response.get("Cache-Control"),
    )


def test_member_export_is_not_stored(client, dora, member_a1):
    response = login(client, dora).get(reverse("members:export"), {"format": "csv"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
