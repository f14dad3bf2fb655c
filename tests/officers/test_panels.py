import datetime as dt

import pytest
from django.template.loader import render_to_string

from branches.models import OfficerAssignment
from branches.selectors import scope_for
from common.panels import organization_panels as all_organization_panels
from officers.panels import organization_panels
from officers.services import officer_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def test_org_page_officers_panel(bob, dora, branch_a1, branch_a2, django_assert_max_num_queries):
    officer_assign(
        officer=UserFactory(name="联络员甲"),
        organization=branch_a1,
        kind=OfficerAssignment.Kind.LIAISON,
        starts_on=dt.date(2026, 1, 1),
        by=dora,
    )
    scope = scope_for(bob)
    with django_assert_max_num_queries(2):
        panels = organization_panels(org=branch_a1, scope=scope, as_of=TODAY)
    html = "".join(render_to_string(p.template, {"panel": p}) for p in panels)
    assert "联络员甲" in html
    assert [p.order for p in all_organization_panels(org=branch_a1, scope=scope, as_of=TODAY)].count(61) == 1
    assert organization_panels(org=branch_a2, scope=scope, as_of=TODAY) == []  # no officer, no follow-up
    assert organization_panels(org=branch_a1, scope=scope_for(UserFactory()), as_of=TODAY) == []
