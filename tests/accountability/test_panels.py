from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from accountability.panels import organization_panels
from branches.selectors import scope_for
from tests.accountability.conftest import TODAY, evaluated
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_org_page_panels(bob, alice, dora, township_a, branch_a1, library, django_assert_max_num_queries):
    evaluated(township_a, branch_a1, by_parent=bob, by_child=alice, minus=Decimal("12"))
    scope = scope_for(bob)
    with django_assert_max_num_queries(2):
        panels = organization_panels(org=branch_a1, scope=scope, as_of=TODAY)
    html = "".join(render_to_string(p.template, {"panel": p}) for p in panels)
    assert "较好" in html
    assert organization_panels(org=branch_a1, scope=scope_for(UserFactory()), as_of=TODAY) == []
