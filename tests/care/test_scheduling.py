"""Visit scheduling (idempotent), reminders and escalation, and the life events illness and death."""

import datetime as dt

import pytest

from care import services
from care.models import BenefitRule, Condolence, Grant, Pairing, Visit, VisitPolicy
from notifications.jobs import run_job
from notifications.models import Delivery
from tests.care.factories import make_member
from tests.factories import UserFactory

D = dt.date


def visits(**kw):
    return list(Visit.objects.filter(**kw).order_by("pk"))


class TestHardship:
    def test_every_quarter_once(self, alice, branch_a1):
        m = make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        make_member(branch_a1, born=D(1970, 1, 1))  # not in hardship
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 1
        [v] = visits(member=m)
        assert (v.kind, v.due_on, v.assigned_to, v.period_key) == ("home", D(2026, 6, 30), alice, "2026-Q2")
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 0
        assert services.visits_plan(as_of=D(2026, 5, 20)) == 0
        assert services.visits_plan(as_of=D(2026, 7, 1)) == 1
        assert len(visits(member=m)) == 2

    def test_the_pairing_helper_is_responsible_when_they_have_an_account(self, alice, branch_a1):
        m = make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        helper_user = UserFactory()
        helper = make_member(branch_a1, born=D(1980, 1, 1), user=helper_user)
        services.pairing_create(helper=helper, helped=m, starts_on=D(2026, 1, 1), by=alice)
        services.visits_plan(as_of=D(2026, 4, 2))
        assert visits(member=m)[0].assigned_to == helper_user

    def test_deceased_members_are_not_planned(self, alice, branch_a1):
        make_member(branch_a1, born=D(1970, 1, 1), hardship=True, died_on=D(2026, 1, 1))
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 0


class TestFestivals:
    @pytest.fixture
    def people(self, branch_a1, organ_branch):
        return {
            "eighty_on_the_day": make_member(branch_a1, born=D(1946, 2, 17), admitted=D(1990, 1, 1)),
            "eighty_a_day_later": make_member(branch_a1, born=D(1946, 2, 18), admitted=D(1990, 1, 1)),
            "pre1949": make_member(
                organ_branch, born=D(1930, 1, 1), admitted=D(1949, 9, 30), full=D(1950, 9, 30)
            ),
        }

    @pytest.fixture
    def county_wide(self):
        """The county office widens the festival visits to every sector (the paper's scope is rural)."""
        VisitPolicy.objects.filter(target="elderly").update(sector="")

    def test_before_the_spring_festival_which_moves_each_year(self, alice, people, county_wide):
        # Spring Festival 2026 is 17 February; the policy plans 30 days ahead
        assert services.visits_plan(as_of=D(2026, 1, 17)) == 0
        assert services.visits_plan(as_of=D(2026, 1, 18)) == 2
        planned = {v.member_id: v for v in visits(kind="festival")}
        assert set(planned) == {people["eighty_on_the_day"].pk, people["pre1949"].pk}
        assert all(v.due_on == D(2026, 2, 17) and v.period_key == "2026-spring" for v in planned.values())
        assert services.visits_plan(as_of=D(2026, 2, 10)) == 0

    def test_on_the_first_of_july(self, alice, people, county_wide):
        assert services.visits_plan(as_of=D(2026, 6, 1)) == 3
        assert {v.due_on for v in visits(kind="festival")} == {D(2026, 7, 1)}
        assert services.visits_plan(as_of=D(2026, 7, 1)) == 0

    def test_by_default_only_rural_members_are_visited(self, alice, people):
        """Section 2.4: the festival visits (慰问) are for rural members; the pre-1949 member of an organ
        branch is not planned until the county office widens the policy."""
        assert VisitPolicy.objects.get(target="elderly").sector == "rural"
        assert services.visits_plan(as_of=D(2026, 6, 1)) == 2
        assert {v.member_id for v in visits(kind="festival")} == {
            people["eighty_on_the_day"].pk,
            people["eighty_a_day_later"].pk,
        }


class TestPolicyScope:
    """VisitPolicy.sector: the paper's festival and hardship visits default to the rural sector, illness
    visits and the 50-year cup stay county-wide; the scheduler honours whatever the county sets."""

    def test_the_defaults_follow_the_paper(self, db):
        sectors = dict(VisitPolicy.objects.values_list("target", "sector"))
        assert sectors == {"hardship": "rural", "elderly": "rural", "ill": "", "party_age": ""}

    def test_hardship_visits_only_in_rural_organizations(self, alice, branch_a1, organ_branch):
        rural = make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        make_member(organ_branch, born=D(1970, 1, 1), hardship=True)
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 1
        assert [v.member for v in visits(kind="home")] == [rural]

    def test_a_policy_set_to_another_sector(self, alice, branch_a1, organ_branch):
        make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        organ = make_member(organ_branch, born=D(1970, 1, 1), hardship=True)
        VisitPolicy.objects.filter(target="hardship").update(sector="organ")
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 1
        assert [v.member for v in visits(kind="home")] == [organ]

    def test_the_cup_ceremony_is_county_wide(self, alice, organ_branch):
        make_member(organ_branch, born=D(1950, 1, 1), admitted=D(1975, 6, 30), full=D(1976, 6, 30))
        assert services.visits_plan(as_of=D(2026, 6, 1)) == 1

    def test_illness_visit_honours_the_sector(self, alice, branch_a1, organ_branch):
        VisitPolicy.objects.filter(target="ill").update(sector="rural")
        organ = make_member(organ_branch, born=D(1970, 1, 1))
        rural = make_member(branch_a1, born=D(1970, 1, 1))
        assert services.member_fell_ill(member=organ, since=D(2026, 3, 1), by=alice) is None
        assert services.member_fell_ill(member=rural, since=D(2026, 3, 1), by=alice) is not None

    def test_departed_members_are_not_planned(self, alice, branch_a1):
        from members.models import Member

        m = make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        Member.objects.filter(pk=m.pk).update(departed_on=D(2026, 3, 1), departure_reason="transferred_out")
        assert services.visits_plan(as_of=D(2026, 4, 2)) == 0
        assert services.visits_plan(as_of=D(2026, 1, 2)) == 1  # still on the roll in the first quarter


class TestCupCeremony:
    def test_planned_in_the_month_party_age_reaches_fifty(self, alice, branch_a1):
        june = make_member(branch_a1, born=D(1950, 1, 1), admitted=D(1975, 6, 30), full=D(1976, 6, 30))
        make_member(branch_a1, born=D(1950, 1, 1), admitted=D(1975, 7, 1), full=D(1976, 7, 1))
        make_member(branch_a1, born=D(1950, 1, 1), admitted=D(1975, 5, 31), full=D(1976, 5, 31))
        services.visits_plan(as_of=D(2026, 6, 1))
        [v] = visits(kind="ceremony")
        assert (v.member, v.due_on) == (june, D(2026, 6, 30))
        services.visits_plan(as_of=D(2026, 6, 20))
        assert len(visits(kind="ceremony")) == 1

    def test_full_member_on_29_february_reaches_fifty_on_1_march(self, alice, branch_a1):
        m = make_member(branch_a1, born=D(1950, 1, 1), admitted=D(1975, 2, 1), full=D(1976, 2, 29))
        services.visits_plan(as_of=D(2026, 2, 1))
        assert visits(kind="ceremony") == []
        services.visits_plan(as_of=D(2026, 3, 1))
        assert [v.member for v in visits(kind="ceremony")] == [m]


class TestReminders:
    def test_remind_then_overdue_then_escalate_each_once(self, alice, bob, branch_a1):
        m = make_member(branch_a1, born=D(1970, 1, 1))
        v = services.visit_create(
            member=m, kind="home", planned_on=D(2026, 3, 1), due_on=D(2026, 3, 10), by=alice
        )
        assert services.visits_remind(as_of=D(2026, 3, 1)) == 0
        assert services.visits_remind(as_of=D(2026, 3, 7)) == 1
        assert services.visits_remind(as_of=D(2026, 3, 8)) == 0
        assert services.visits_remind(as_of=D(2026, 3, 11)) == 1
        assert services.visits_remind(as_of=D(2026, 3, 17)) == 1  # 7 days after due: the township hears of it
        assert services.visits_remind(as_of=D(2026, 3, 18)) == 0
        kinds = sorted(Delivery.objects.values_list("kind", "user__email"))
        assert kinds == [
            ("care_visit_due", "alice@example.com"),
            ("care_visit_escalated", "bob@example.com"),
            ("care_visit_overdue", "alice@example.com"),
        ]
        services.visit_complete(visit=v, done_on=D(2026, 3, 18), visitors="Alice", by=alice)
        assert services.visits_remind(as_of=D(2026, 3, 30)) == 0

    def test_job_twice_plans_and_sends_nothing_twice(self, alice, branch_a1):
        make_member(branch_a1, born=D(1970, 1, 1), hardship=True)
        first = run_job("care_visits", as_of=D(2026, 6, 28))
        assert first == 1  # planned for Q2 and due in 2 days: reminded
        assert run_job("care_visits", as_of=D(2026, 6, 28)) == 0
        assert Visit.objects.count() == 1 and Delivery.objects.count() == 1


class TestIllness:
    def test_plans_within_the_policys_days_and_tells_the_secretary(self, alice, branch_a1):
        m = make_member(branch_a1, born=D(1950, 1, 1))
        v = services.member_fell_ill(member=m, since=D(2026, 5, 3), by=alice)
        assert (v.kind, v.planned_on, v.due_on, v.assigned_to) == (
            "illness",
            D(2026, 5, 3),
            D(2026, 5, 10),
            alice,
        )
        assert Delivery.objects.filter(kind="care_visit_planned", user=alice).count() == 1
        assert services.member_fell_ill(member=m, since=D(2026, 5, 3), by=alice) == v
        assert Visit.objects.count() == 1 and Delivery.objects.count() == 1

    def test_the_number_of_days_is_configurable(self, alice, branch_a1):
        VisitPolicy.objects.filter(target="ill").update(within_days=3)
        m = make_member(branch_a1, born=D(1950, 1, 1))
        assert services.member_fell_ill(member=m, since=D(2026, 5, 3), by=alice).due_on == D(2026, 5, 6)

    def test_the_scheduler_catches_an_illness_recorded_elsewhere(self, alice, branch_a1):
        m = make_member(branch_a1, born=D(1950, 1, 1), ill_since=D(2026, 5, 3), illness="肺炎")
        services.visits_plan(as_of=D(2026, 5, 4))
        services.member_fell_ill(member=m, since=D(2026, 5, 3), by=alice)
        assert len(visits(member=m, kind="illness")) == 1


class TestDeath:
    def test_ends_everything_planned_and_starts_the_condolence(self, alice, bob, branch_a1):
        m = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(2000, 1, 1), hardship=True)
        other = make_member(branch_a1, born=D(1980, 1, 1))
        rule = BenefitRule.objects.get(code="subsidy_poor")
        paid = services.grant_create(member=m, rule=rule, granted_on=D(2025, 3, 1), by=alice)
        services.grants_approve(grants=[paid], by=bob)
        services.grant_mark_paid(
            grant=paid, paid_on=D(2025, 3, 2), method="cash", handed_over_by="王", by=alice
        )
        pending = services.grant_create(member=m, rule=rule, granted_on=D(2026, 3, 1), by=alice)
        v = services.visit_create(
            member=m, kind="home", planned_on=D(2026, 5, 1), due_on=D(2026, 5, 5), by=alice
        )
        services.visits_remind(as_of=D(2026, 5, 4))
        Delivery.objects.update(status=Delivery.Status.DIGEST)
        pairing = services.pairing_create(helper=other, helped=m, starts_on=D(2026, 1, 1), by=alice)

        m.died_on = D(2026, 5, 4)
        m.save()
        c = services.member_died(member=m, died_on=D(2026, 5, 4), by=alice)

        assert c.organization == branch_a1 and not c.is_complete
        v.refresh_from_db()
        assert v.status == "cancelled"
        assert Grant.objects.get(pk=pending.pk).status == "cancelled"
        assert Grant.objects.get(pk=paid.pk).status == "paid"
        assert Pairing.objects.get(pk=pairing.pk).ends_on == D(2026, 5, 4)
        assert Delivery.objects.get(kind="care_visit_due").status == Delivery.Status.SKIPPED
        condolence_visit = Visit.objects.get(member=m, kind="condolence")
        assert condolence_visit.status == "planned" and condolence_visit.assigned_to == alice
        told = set(Delivery.objects.filter(kind="care_condolence").values_list("user__email", flat=True))
        assert told == {"alice@example.com", "bob@example.com"}
        # nothing new is planned for them, and a second call changes nothing
        assert services.visits_plan(as_of=D(2026, 7, 1)) == 0
        services.member_died(member=m, died_on=D(2026, 5, 4), by=alice)
        assert Condolence.objects.count() == 1 and Visit.objects.filter(kind="condolence").count() == 1
        assert Delivery.objects.filter(kind="care_condolence").count() == 2

    def test_visits_after_death_are_refused_except_condolence(self, alice, branch_a1):
        from django.core.exceptions import ValidationError

        m = make_member(branch_a1, born=D(1940, 1, 1), died_on=D(2026, 1, 1))
        with pytest.raises(ValidationError):
            services.visit_create(member=m, kind="home", planned_on=D(2026, 1, 2), by=alice)
        services.visit_create(member=m, kind="home", planned_on=D(2026, 1, 1), by=alice)
        with pytest.raises(ValidationError):
            services.visit_create(member=m, kind="condolence", planned_on=D(2025, 12, 31), by=alice)
        services.visit_create(member=m, kind="condolence", planned_on=D(2026, 1, 3), by=alice)

    def test_record_death_refuses_a_second_different_date(self, alice, branch_a1):
        from django.core.exceptions import ValidationError

        m = make_member(branch_a1, born=D(1940, 1, 1))
        services.member_record_death(member=m, died_on=D(2026, 1, 1), by=alice)
        with pytest.raises(ValidationError):
            services.member_record_death(member=m, died_on=D(2026, 1, 2), by=alice)
        assert m.history.first().died_on == D(2026, 1, 1)  # recorded in the member's history


def test_death_recorded_on_the_roster_starts_condolence_at_the_next_daily_run(alice, bob, branch_a1):
    """The roster's death form does not know about care; the daily job picks recent deaths up, once."""
    recent = make_member(branch_a1, born=D(1940, 1, 1), died_on=D(2026, 5, 4))
    make_member(branch_a1, born=D(1930, 1, 1), died_on=D(2020, 1, 1))  # long ago: no new process
    run_job("care_visits", as_of=D(2026, 5, 5))
    assert list(Condolence.objects.values_list("member_id", flat=True)) == [recent.pk]
    run_job("care_visits", as_of=D(2026, 5, 6))
    assert Condolence.objects.count() == 1
    assert Visit.objects.filter(member=recent, kind="condolence").count() == 1
