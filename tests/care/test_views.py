"""Care pages: scoping (outsider 404 on every view), constant query counts, forms that keep input."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from care import services
from care.models import BenefitRule, Condolence, Grant, Pairing, Visit
from care.services import grants as grants_module
from tests.care.factories import make_member
from tests.conftest import login

D = dt.date
TODAY = timezone.localdate()


@pytest.fixture
def poor(branch_a1):
    return make_member(branch_a1, born=D(1960, 1, 1), hardship=True, name="困难甲")


@pytest.fixture
def objects(poor, alice, dora, branch_a1):
    rule = BenefitRule.objects.get(code="subsidy_poor")
    grant = services.grant_create(member=poor, rule=rule, granted_on=TODAY, by=alice)
    visit = services.visit_create(member=poor, kind=Visit.Kind.HOME, planned_on=TODAY, by=alice)
    helper = make_member(branch_a1, born=D(1975, 1, 1), name="帮扶人")
    dead = make_member(branch_a1, born=D(1930, 1, 1), name="已故")
    condolence = services.member_record_death(member=dead, died_on=TODAY, by=alice)
    return {"grant": grant, "visit": visit, "helper": helper, "condolence": condolence}


def all_urls(objects, poor, branch_a1, township_a):
    g, v, c = objects["grant"], objects["visit"], objects["condolence"]
    return [
        reverse("care:org", args=[branch_a1.pk]),
        reverse("care:eligible", args=[branch_a1.pk]),
        reverse("care:grants", args=[branch_a1.pk]),
        reverse("care:visits", args=[branch_a1.pk]),
        reverse("care:pairings", args=[branch_a1.pk]),
        reverse("care:service_point", args=[branch_a1.pk]),
        reverse("care:budget", args=[township_a.pk]),
        reverse("care:member", args=[poor.pk]),
        reverse("care:grant_create", args=[poor.pk]),
        reverse("care:visit_create", args=[poor.pk]),
        reverse("care:pairing_create", args=[poor.pk]),
        reverse("care:member_illness", args=[poor.pk]),
        reverse("care:member_death", args=[poor.pk]),
        reverse("care:grant_pay", args=[g.pk]),
        reverse("care:grant_cancel", args=[g.pk]),
        reverse("care:visit_done", args=[v.pk]),
        reverse("care:condolence", args=[c.pk]),
    ]


def test_outsider_gets_404_on_every_view(client, charlie, objects, poor, branch_a1, township_a):
    login(client, charlie)
    for url in all_urls(objects, poor, branch_a1, township_a):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert client.post(reverse("care:grants_bulk", args=[branch_a1.pk]), {}).status_code == 404


def test_secretary_sees_every_page(client, alice, objects, poor, branch_a1, township_a):
    login(client, alice)
    for url in all_urls(objects, poor, branch_a1, township_a):
        if "budget" in url:
            assert client.get(url).status_code == 404  # budgets are the county office's
            continue
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_sign_in(client, branch_a1):
    r = client.get(reverse("care:org", args=[branch_a1.pk]))
    assert r.status_code == 302 and "login" in r["Location"]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["care:eligible", "care:grants", "care:visits", "care:pairings", "care:org"])
def test_query_count_does_not_grow_with_members(
    client, bob, branch_a1, township_a, page, django_assert_num_queries
):
    login(client, bob)
    url = reverse(page, args=[township_a.pk])
    helper = make_member(branch_a1, born=D(1980, 1, 1))

    def add(n):
        for _ in range(n):
            m = make_member(branch_a1, born=D(1940, 1, 1), hardship=True)
            Visit.objects.create(
                member=m, organization=branch_a1, kind="home", planned_on=TODAY, due_on=TODAY
            )
            Pairing.objects.create(helper=helper, helped=m, organization=branch_a1, starts_on=TODAY)
        services.grants_create_for_eligible(org=township_a, granted_on=TODAY, by=bob)

    add(5)
    few = _count(client, url)
    add(95)
    many = _count(client, url)
    assert few == many, (few, many)
    with django_assert_num_queries(few):
        client.get(url)


def test_member_page_query_count_is_bounded(client, alice, poor, objects, django_assert_num_queries):
    login(client, alice)
    url = reverse("care:member", args=[poor.pk])
    before = _count(client, url)
    for _ in range(10):
        services.visit_create(member=poor, kind=Visit.Kind.HOME, planned_on=TODAY, by=alice)
    with django_assert_num_queries(before):
        client.get(url)


def test_eligible_list_shows_served_and_unserved(client, bob, township_a, branch_a1, branch_a2):
    a = make_member(branch_a1, born=D(1960, 1, 1), hardship=True, name="甲困")
    b = make_member(branch_a2, born=D(1960, 1, 1), hardship=True, name="乙困")
    make_member(branch_a1, born=D(1990, 1, 1), name="不符合")
    login(client, bob)
    rule = BenefitRule.objects.get(code="subsidy_poor")
    g = services.grant_create(member=a, rule=rule, granted_on=TODAY, by=bob)
    services.grants_approve(grants=[g], by=bob)
    services.grant_mark_paid(grant=g, paid_on=TODAY, method="cash", handed_over_by="王书记", by=bob)
    url = reverse("care:eligible", args=[township_a.pk])
    names = lambda r: [row.member.name for row in r.context["rows"]]  # noqa: E731
    assert names(client.get(url)) == ["甲困", "乙困"]
    assert names(client.get(url, {"rule": "subsidy_poor", "served": "no"})) == ["乙困"]
    assert names(client.get(url, {"rule": "subsidy_poor", "served": "yes"})) == ["甲困"]
    body = client.get(url).content.decode()
    assert a.id_number not in body and a.masked_id_number in body
    assert b.name in body


class TestGrantFlow:
    def test_township_secretary_turns_the_years_list_into_paid_grants(
        self, client, bob, alice, township_a, branch_a1, branch_a2
    ):
        make_member(branch_a1, born=D(1960, 1, 1), admitted=D(2000, 1, 1), hardship=True, name="困一")
        make_member(branch_a2, born=D(1940, 1, 1), admitted=D(2000, 1, 1), name="老二")  # 80+ rural
        make_member(branch_a2, born=D(1990, 1, 1), name="年轻")
        login(client, bob)
        r = client.post(
            reverse("care:grants_bulk", args=[township_a.pk]), {"granted_on": TODAY.isoformat(), "rule": ""}
        )
        assert r.status_code == 302
        planned = Grant.objects.filter(status="planned")
        assert sorted(planned.values_list("member__name", "rule__code")) == [
            ("困一", "subsidy_poor"),
            ("老二", "subsidy_80"),
        ]
        # running it again plans nothing twice
        client.post(
            reverse("care:grants_bulk", args=[township_a.pk]), {"granted_on": TODAY.isoformat(), "rule": ""}
        )
        assert Grant.objects.count() == 2
        # approve all
        r = client.post(
            reverse("care:grants", args=[township_a.pk]) + "?status=planned",
            {"grant": [g.pk for g in planned]},
        )
        assert r.status_code == 302
        assert set(Grant.objects.values_list("status", flat=True)) == {"approved"}
        # the branch secretary records the payment
        login(client, alice)
        g = Grant.objects.get(member__name="困一")
        r = client.post(
            reverse("care:grant_pay", args=[g.pk]),
            {"paid_on": TODAY.isoformat(), "amount": "500.00", "method": "cash", "handed_over_by": "张书记"},
        )
        assert r.status_code == 302
        g.refresh_from_db()
        assert (g.status, g.paid_on, g.handed_over_by, g.paid_recorded_by) == ("paid", TODAY, "张书记", alice)
        # a second grant of the same benefit for the same member and year is refused, with a clear message
        r = client.post(
            reverse("care:grant_create", args=[g.member_id]),
            {"rule": g.rule_id, "granted_on": TODAY.isoformat(), "amount": "", "override_reason": ""},
        )
        assert r.status_code == 200
        with translation.override(r.wsgi_request.LANGUAGE_CODE):
            duplicate = grants_module._duplicate_message(g.rule, g.period_key)
        assert duplicate in [e for errors in r.context["form"].errors.values() for e in errors]
        assert duplicate in r.content.decode()
        assert r.context["form"]["granted_on"].value() == TODAY.isoformat()  # keeps what was typed
        assert Grant.objects.filter(member=g.member).count() == 1

    def test_branch_secretary_cannot_approve(self, client, alice, branch_a1):
        m = make_member(branch_a1, born=D(1960, 1, 1), hardship=True)
        g = services.grant_create(
            member=m, rule=BenefitRule.objects.get(code="subsidy_poor"), granted_on=TODAY, by=alice
        )
        login(client, alice)
        client.post(reverse("care:grants", args=[branch_a1.pk]), {"grant": [g.pk]})
        g.refresh_from_db()
        assert g.status == "planned"

    def test_not_eligible_needs_the_county_office_and_a_reason(self, client, alice, dora, branch_a1):
        m = make_member(branch_a1, born=D(1990, 1, 1))
        rule = BenefitRule.objects.get(code="subsidy_poor")
        login(client, alice)
        data = {"rule": rule.pk, "granted_on": TODAY.isoformat(), "amount": "", "override_reason": "火灾"}
        r = client.post(reverse("care:grant_create", args=[m.pk]), data)
        assert r.status_code == 200 and not Grant.objects.exists()
        login(client, dora)
        r = client.post(reverse("care:grant_create", args=[m.pk]), {**data, "override_reason": ""})
        assert r.status_code == 200 and not Grant.objects.exists()
        r = client.post(reverse("care:grant_create", args=[m.pk]), data)
        assert r.status_code == 302
        assert Grant.objects.get().override_reason == "火灾"


class TestLifeEventViews:
    def test_record_illness_plans_a_visit(self, client, alice, poor):
        login(client, alice)
        since = TODAY - dt.timedelta(days=1)
        r = client.post(
            reverse("care:member_illness", args=[poor.pk]), {"illness": "骨折", "since": since.isoformat()}
        )
        assert r.status_code == 302
        poor.refresh_from_db()
        assert (poor.illness, poor.ill_since) == ("骨折", since)
        v = Visit.objects.get(member=poor, kind="illness")
        assert v.due_on == since + dt.timedelta(days=7) and v.assigned_to == alice

    def test_record_death(self, client, alice, poor):
        login(client, alice)
        r = client.post(
            reverse("care:member_death", args=[poor.pk]), {"died_on": TODAY.isoformat(), "confirm": "on"}
        )
        assert r.status_code == 302
        poor.refresh_from_db()
        assert poor.died_on == TODAY
        assert Condolence.objects.filter(member=poor).exists()

    def test_death_in_the_future_is_refused_and_input_kept(self, client, alice, poor):
        login(client, alice)
        future = (TODAY + dt.timedelta(days=3)).isoformat()
        r = client.post(reverse("care:member_death", args=[poor.pk]), {"died_on": future, "confirm": "on"})
        assert r.status_code == 200 and r.context["form"]["died_on"].value() == future
        poor.refresh_from_db()
        assert poor.died_on is None

    def test_visit_before_birth_is_refused(self, client, alice, poor):
        login(client, alice)
        r = client.post(
            reverse("care:visit_create", args=[poor.pk]),
            {"kind": "home", "planned_on": "1950-01-01", "due_on": "", "visitors": "", "notes": ""},
        )
        assert r.status_code == 200 and r.context["form"].errors
        assert not Visit.objects.filter(member=poor).exists()

    def test_condolence_confirmation_completes_the_visit(self, client, alice, objects):
        c = objects["condolence"]
        login(client, alice)
        r = client.post(
            reverse("care:condolence", args=[c.pk]),
            {
                "attendees": "张书记、李委员",
                "wreath_confirmed_on": TODAY.isoformat(),
                "attendance_confirmed_on": TODAY.isoformat(),
            },
        )
        assert r.status_code == 302
        assert Visit.objects.get(member=c.member, kind="condolence").status == "done"


class TestRulesAndNetwork:
    def test_county_records_a_rule_change(self, client, dora):
        login(client, dora)
        url = reverse("care:rule_change", args=["subsidy_80"])
        assert client.get(url).status_code == 200
        data = {
            "effective_from": "2030-01-01",
            "amount": "400",
            "in_kind": "",
            "note": "提高标准",
            "c-TOTAL_FORMS": "2",
            "c-INITIAL_FORMS": "0",
            "c-0-group": "1",
            "c-0-kind": "rural",
            "c-0-number": "",
            "c-0-date": "",
            "c-1-group": "1",
            "c-1-kind": "min_age",
            "c-1-number": "75",
            "c-1-date": "",
        }
        assert client.post(url, data).status_code == 302
        assert BenefitRule.objects.get(code="subsidy_80").versions.count() == 2

    def test_rule_without_conditions_is_refused_in_the_form(self, client, dora):
        login(client, dora)
        data = {
            "effective_from": "2030-01-01",
            "amount": "400",
            "in_kind": "",
            "note": "x",
            "c-TOTAL_FORMS": "1",
            "c-INITIAL_FORMS": "0",
            "c-0-group": "1",
            "c-0-kind": "",
            "c-0-number": "",
            "c-0-date": "",
        }
        r = client.post(reverse("care:rule_change", args=["subsidy_80"]), data)
        assert r.status_code == 200 and r.context["form"].non_field_errors()
        assert BenefitRule.objects.get(code="subsidy_80").versions.count() == 1

    def test_only_county_changes_rules(self, client, bob):
        login(client, bob)
        assert client.get(reverse("care:rule_change", args=["subsidy_80"])).status_code == 404
        assert client.get(reverse("care:rules")).status_code == 200

    def test_service_point_and_member_sees_theirs(self, client, alice, dora, branch_a1, township_a, county):
        from tests.factories import UserFactory

        login(client, alice)
        r = client.post(
            reverse("care:service_point", args=[branch_a1.pk]),
            {
                "name": "甲一村党员服务点",
                "address": "村委会",
                "contact_person": "王",
                "phone": "123",
                "opening_hours": "周一至周五",
                "is_active": "on",
            },
        )
        assert r.status_code == 302
        services.service_point_save(by=dora, organization=township_a, name="甲镇党员服务站")
        services.service_point_save(by=dora, organization=county, name="县党员服务中心")
        user = UserFactory()
        make_member(branch_a1, born=D(1950, 1, 1), user=user)
        login(client, user)
        r = client.get(reverse("care:mine"))
        assert [p.level for p in r.context["points"]] == ["point", "station", "center"]
        assert client.get(reverse("care:org", args=[branch_a1.pk])).status_code == 404

    def test_budget_set_by_county(self, client, dora, township_a):
        login(client, dora)
        r = client.post(
            reverse("care:budget", args=[township_a.pk]), {"year": TODAY.year, "amount": "10000", "note": ""}
        )
        assert r.status_code == 302
        r = client.get(reverse("care:org", args=[township_a.pk]))
        [line] = r.context["budgets"]
        assert line.budget == 10000 and line.left == 10000


def test_network_lists_only_points_in_scope(
    client, alice, charlie, branch_a1, branch_b1, django_assert_num_queries
):
    services.service_point_save(by=alice, organization=branch_a1, name="甲一村党员服务点")
    services.service_point_save(by=charlie, organization=branch_b1, name="乙一村党员服务点")
    login(client, charlie)
    r = client.get(reverse("care:network"))
    assert [p.name for p in r.context["page"]] == ["乙一村党员服务点"]
    login(client, alice)
    n = _count(client, reverse("care:network"))
    with django_assert_num_queries(n):
        r = client.get(reverse("care:network"))
    assert [p.name for p in r.context["page"]] == ["甲一村党员服务点"]
