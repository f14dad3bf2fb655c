import datetime as dt

import pytest
from django.template.loader import render_to_string

from branches.selectors import scope_for
from recruitment.panels import organization_panels
from tests.factories import UserFactory
from tests.recruitment.helpers import applicant, full_members, walk

pytestmark = pytest.mark.django_db


def test_org_page_recruitment_panel(alice, bob, branch_a1, township_a, django_assert_max_num_queries):
    applicant(branch_a1, alice, n=1)
    walk(applicant(branch_a1, alice, n=2), alice, until="activist", people=full_members(branch_a1))
    scope = scope_for(bob)
    with django_assert_max_num_queries(1):
        (panel,) = organization_panels(org=township_a, scope=scope, as_of=dt.date(2026, 1, 1))
    assert [n for _label, n in panel.context["counts"]] == [1, 1, 0, 0, 0]
    html = render_to_string(panel.template, {"panel": panel})
    assert f"?org={township_a.pk}" in html
    assert organization_panels(org=branch_a1, scope=scope_for(UserFactory()), as_of=dt.date(2026, 1, 1)) == []
