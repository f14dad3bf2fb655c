import datetime as dt

from branches.selectors import scope_for
from care import panels
from tests.care.factories import make_member

D = dt.date


def test_member_panel_says_why(alice, branch_a1, django_assert_num_queries):
    m = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(2000, 1, 1), hardship=True)
    scope = scope_for(alice)
    with django_assert_num_queries(3):
        [panel] = panels.member_panels(member=m, scope=scope, as_of=D(2026, 6, 15))
    assert [b.rule.code for b in panel.context["benefits"]] == ["subsidy_80", "subsidy_poor"]
    assert (
        panel.context["benefits"][0].reasons == ["农村党员; 年满80周岁"]
        or panel.context["benefits"][0].reasons
    )


def test_panels_are_empty_for_an_outsider(charlie, branch_a1):
    m = make_member(branch_a1, born=D(1940, 1, 1))
    scope = scope_for(charlie)
    assert panels.member_panels(member=m, scope=scope, as_of=D(2026, 6, 15)) == []
    assert panels.organization_panels(org=branch_a1, scope=scope, as_of=D(2026, 6, 15)) == []


def test_organization_panel_constant_queries(bob, township_a, branch_a1, django_assert_num_queries):
    scope = scope_for(bob)
    for n in (3, 30):
        for _ in range(n):
            make_member(branch_a1, born=D(1940, 1, 1), hardship=True)
        with django_assert_num_queries(3):
            [panel] = panels.organization_panels(org=township_a, scope=scope, as_of=D(2026, 6, 15))
    counts = {c["rule"].code: c["eligible"] for c in panel.context["counts"]}
    assert counts["subsidy_poor"] == 33
