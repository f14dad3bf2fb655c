"""The care figures of the organization page (eligible, granted, paid per benefit) are cached under the
versions of the tables they are computed from (care.selectors.COUNTS_TABLES, common.table_versions): every way
of writing what they count makes the next request count again, and nothing else does.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from branches.models import Organization
from branches.selectors import scope_for
from care import panels, selectors
from care.models import BenefitRule, Grant, RuleCondition, RuleVersion
from common.table_versions import table_versions
from members.models import Member
from tests.care.factories import make_member
from tests.concurrency import seeded  # noqa: F401  (a fixture: the benefit rules back after a flush)
from tests.conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

D = dt.date
AS_OF = D(2026, 6, 15)


@pytest.fixture
def world(seeded, county, township_a, branch_a1, branch_a2, branch_b1, dora, bob):  # noqa: F811
    Organization.objects.filter(pk__in=[branch_a1.pk, branch_a2.pk, branch_b1.pk]).update(sector="rural")
    old = make_member(branch_a1, born=D(1940, 1, 1), hardship=True)
    poor = make_member(branch_a2, born=D(1960, 1, 1), hardship=True)
    make_member(branch_b1, born=D(1941, 1, 1), hardship=True)
    rules = {r.code: r for r in selectors.rules_in_force(as_of=AS_OF)}
    grant = Grant.objects.create(
        rule=rules["subsidy_poor"].rule,
        member=old,
        organization=branch_a1,
        township=township_a,
        period_key=rules["subsidy_poor"].period_key,
        year=AS_OF.year,
        granted_on=AS_OF,
        status=Grant.Status.APPROVED,
    )
    return {
        "county": county,
        "township": township_a,
        "a1": branch_a1,
        "a2": branch_a2,
        "b1": branch_b1,
        "dora": dora,
        "bob": bob,
        "old": old,
        "poor": poor,
        "grant": grant,
        "rules": rules,
    }


def counts(org, user) -> list:
    org = Organization.objects.get(pk=org.pk)
    [panel] = panels.organization_panels(org=org, scope=scope_for(user), as_of=AS_OF)
    return [
        (c["rule"].code, c["eligible"], c["granted"], c["paid"], c["unserved"])
        for c in panel.context["counts"]
    ]


def fresh(org, user) -> list:
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return counts(org, user)


def new_grant(w, member, status):
    rule = w["rules"]["subsidy_80"]
    return Grant.objects.create(
        rule=rule.rule,
        member=member,
        organization=member.organization,
        township=w["township"],
        period_key=rule.period_key,
        year=AS_OF.year,
        granted_on=AS_OF,
        status=status,
    )


WRITES = {
    "an eligible member admitted": lambda w: make_member(w["a2"], born=D(1939, 5, 5), hardship=True),
    "a member died": lambda w: Member.objects.filter(pk=w["old"].pk).update(died_on=D(2026, 1, 1)),
    "a member out of hardship": lambda w: Member.objects.filter(pk=w["poor"].pk).update(hardship=False),
    "a member moved out of the township": lambda w: Member.objects.filter(pk=w["poor"].pk).update(
        organization=w["b1"]
    ),
    "a grant planned": lambda w: new_grant(w, w["old"], Grant.Status.PLANNED),
    "a grant paid": lambda w: Grant.objects.filter(pk=w["grant"].pk).update(
        status=Grant.Status.PAID, paid_on=AS_OF
    ),
    "a grant cancelled": lambda w: Grant.objects.filter(pk=w["grant"].pk).update(
        status=Grant.Status.CANCELLED
    ),
    "a branch no longer rural": lambda w: Organization.objects.filter(pk=w["a1"].pk).update(
        sector="community"
    ),
    "a condition changed": lambda w: RuleCondition.objects.filter(
        version=w["rules"]["subsidy_80"].version, kind=RuleCondition.Kind.MIN_AGE
    ).update(number=90),
}
COUNTY_UNCHANGED = {"a member moved out of the township"}


@pytest.mark.parametrize("root", ["county", "township"])
@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_counts_read_is_seen_at_once(world, write, root):
    org, user = world[root], world["dora"] if root == "county" else world["bob"]
    before = counts(org, user)
    assert before == fresh(org, user)
    assert counts(org, user) == before  # from the cache now
    version = table_versions(selectors.COUNTS_TABLES)
    WRITES[write](world)
    assert table_versions(selectors.COUNTS_TABLES) != version
    after = counts(org, user)
    assert after == fresh(org, user)
    if not (root == "county" and write in COUNTY_UNCHANGED):
        assert after != before


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    scope = scope_for(world["dora"])
    first = counts(org, world["dora"])
    with django_assert_num_queries(2):  # the rules' versions, the counts' versions
        panels.organization_panels(org=org, scope=scope, as_of=AS_OF)
    assert counts(org, world["dora"]) == first


def test_each_organization_and_scope_has_its_own_counts(world):
    for root, user in (("county", "dora"), ("township", "dora"), ("township", "bob"), ("a1", "bob")):
        assert counts(world[root], world[user]) == fresh(world[root], world[user])
    assert counts(world["county"], world["dora"]) != counts(world["township"], world["dora"])


def test_writes_to_other_tables_keep_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    scope = scope_for(world["dora"])
    panels.organization_panels(org=org, scope=scope, as_of=AS_OF)
    world["dora"].name = "Dora D."
    world["dora"].save()
    with django_assert_num_queries(2):  # the rules' versions, the counts' versions
        panels.organization_panels(org=org, scope=scope, as_of=AS_OF)


def test_the_organization_page_shows_a_grant_paid_at_once(client, world):
    login(client, world["dora"])
    url = reverse("branches:detail", args=[world["county"].pk])
    client.get(url)
    client.get(url)
    Grant.objects.filter(pk=world["grant"].pk).update(status=Grant.Status.PAID, paid_on=AS_OF)
    [panel] = [p for p in client.get(url).context["panels"] if p.template == "care/panels/organization.html"]
    assert {c["rule"].code: c["paid"] for c in panel.context["counts"]}["subsidy_poor"] == 1


RULE_WRITES = {
    "a condition changed": WRITES["a condition changed"],
    "a rule ended": lambda w: BenefitRule.objects.filter(pk=w["rules"]["cup_50"].rule.pk).update(
        valid_to=D(2026, 1, 31)
    ),
    "a version's amount changed": lambda w: RuleVersion.objects.filter(
        pk=w["rules"]["subsidy_80"].version.pk
    ).update(amount=999),
}


def shown_rules(rules) -> list:
    return [
        (r.code, r.version.pk, r.version.amount, [[(c.kind, c.number, c.date) for c in g] for g in r.groups])
        for r in rules
    ]


@pytest.mark.parametrize("write", RULE_WRITES)
def test_the_rules_in_force_are_read_again_after_a_write_to_them(world, write, django_assert_num_queries):
    before = shown_rules(selectors.rules_in_force(as_of=AS_OF))
    with django_assert_num_queries(1):  # the versions
        assert shown_rules(selectors.rules_in_force(as_of=AS_OF)) == before
    RULE_WRITES[write](world)
    after = shown_rules(selectors.rules_in_force(as_of=AS_OF))
    assert after == shown_rules(selectors._rules_in_force(as_of=AS_OF, codes=None)) != before


LIST_FILTERS = [
    {},
    {"rule_code": "subsidy_poor"},
    {"served": "no"},
    {"served": "yes"},
    {"rule_code": "subsidy_80", "served": "no"},
    {"query": "x"},
]


def list_count(org, user, **chosen) -> int:
    org = Organization.objects.get(pk=org.pk)
    rules = selectors.rules_in_force(as_of=AS_OF)
    args = {"org": org, "scope": scope_for(user), "as_of": AS_OF, "rules": rules, **chosen}
    counted = selectors.eligible_count(**args)
    assert counted == selectors.eligible_members(**args).count()  # the cached count is the list's
    return counted


@pytest.mark.parametrize("write", WRITES)
def test_the_eligible_lists_count_is_counted_again_after_every_write(world, write):
    org, user = world["township"], world["bob"]
    before = [list_count(org, user, **chosen) for chosen in LIST_FILTERS]
    assert [list_count(org, user, **chosen) for chosen in LIST_FILTERS] == before  # from the cache now
    WRITES[write](world)
    [list_count(org, user, **chosen) for chosen in LIST_FILTERS]  # each equal to the list's own count


def test_the_eligible_lists_count_is_cached(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    rules = selectors.rules_in_force(as_of=AS_OF)
    args = {"org": org, "scope": scope_for(world["dora"]), "as_of": AS_OF, "rules": rules, "served": "no"}
    first = selectors.eligible_count(**args)
    with django_assert_num_queries(1):  # the versions
        assert selectors.eligible_count(**args) == first
    with django_assert_num_queries(2):  # another search: the versions and its count
        selectors.eligible_count(**{**args, "query": "甲"})


def page_rows(org, user, **chosen) -> list:
    org = Organization.objects.get(pk=org.pk)
    rules = selectors.rules_in_force(as_of=AS_OF)
    args = {"org": org, "scope": scope_for(user), "as_of": AS_OF, "rules": rules, **chosen}
    shown = selectors.eligible_page(**args, number=1, per_page=50)
    listed = selectors.eligible_rows(selectors.eligible_members(**args)[:50], rules=rules)
    as_seen = lambda rows: [(r.member.pk, r.member.name, r.benefit_cells) for r in rows]  # noqa: E731
    assert as_seen(shown) == as_seen(listed)  # the cached page is the list's
    return as_seen(shown)


@pytest.mark.parametrize("write", WRITES)
def test_the_eligible_lists_page_is_read_again_after_every_write(world, write):
    org, user = world["township"], world["bob"]
    before = [page_rows(org, user, **chosen) for chosen in LIST_FILTERS]
    assert [page_rows(org, user, **chosen) for chosen in LIST_FILTERS] == before  # from the cache now
    WRITES[write](world)
    after = [page_rows(org, user, **chosen) for chosen in LIST_FILTERS]  # each equal to the list's own rows
    assert after != before


def test_a_renamed_member_shows_on_the_eligible_list_at_once(client, world):
    login(client, world["bob"])
    url = reverse("care:eligible", args=[world["township"].pk])
    client.get(url)
    Member.objects.filter(pk=world["poor"].pk).update(name="改了名")
    assert "改了名" in [row.member.name for row in client.get(url).context["rows"]]
