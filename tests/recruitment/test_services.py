"""The procedure's rules, each pinned at its edge; refusals carry the rule's text."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.models import Member
from recruitment import procedure, services
from recruitment.models import Candidate, RecruitmentRule, Stage, Step
from recruitment.selectors import rules_get
from tests.factories import MemberFactory
from tests.recruitment.helpers import APPLIED, applicant, dates_for, full_members, idn, walk

pytestmark = pytest.mark.django_db
Kind = Step.Kind


@pytest.fixture
def people(branch_a1):
    return full_members(branch_a1)


def rule_text(code: str) -> str:
    return RecruitmentRule.objects.get(code=code).text


def record(candidate, kind, on, by, **kw):
    return services.step_record(candidate=candidate, kind=kind, on=on, by=by, **kw)


def progress_of(candidate, on):
    candidate = Candidate.objects.select_related("member").get(pk=candidate.pk)
    return procedure.progress(candidate=candidate, steps=candidate.steps.all(), rules=rules_get(), on=on)


def test_the_rules_are_seeded_as_data():
    rules = rules_get()
    assert rules["activist_before_target"].value == 1 and rules["activist_before_target"].unit == "years"
    assert rules["training_hours"].value == 24 and rules["notice_days"].unit == "working_days"
    assert {"min_age", "talk_within", "check_interval", "approval_within", "introducers"} <= set(rules)


def test_applicant_is_18_on_the_application_day(branch_a1, alice):
    born = dt.date(2005, 3, 1)
    with pytest.raises(ValidationError) as e:
        services.candidate_apply(
            organization=branch_a1,
            name="少年",
            id_number=idn(1, born),
            applied_on=dt.date(2023, 2, 28),
            by=alice,
        )
    assert rule_text("min_age") in str(e.value.message_dict["applied_on"])
    assert not Candidate.objects.exists()
    c = services.candidate_apply(
        organization=branch_a1, name="青年", id_number=idn(1, born), applied_on=dt.date(2023, 3, 1), by=alice
    )
    assert c.birth_date == born and c.gender == "male"
    assert c.steps.get().kind == Kind.APPLICATION


def test_application_checks_the_id_number_and_refuses_roster_members(branch_a1, alice, member_a1):
    with pytest.raises(ValidationError) as e:
        services.candidate_apply(
            organization=branch_a1, name="甲", id_number="110101199001011234", applied_on=APPLIED, by=alice
        )
    assert "id_number" in e.value.message_dict
    with pytest.raises(ValidationError, match="already on the roster"):
        services.candidate_apply(
            organization=branch_a1, name="张三", id_number=member_a1.id_number, applied_on=APPLIED, by=alice
        )


def test_application_goes_to_a_basic_organization(township_a, bob):
    with pytest.raises(ValidationError) as e:
        services.candidate_apply(
            organization=township_a, name="甲", id_number=idn(2), applied_on=APPLIED, by=bob
        )
    assert "organization" in e.value.message_dict


def test_talk_is_owed_within_one_month_late_the_day_after(branch_a1, alice):
    c = applicant(branch_a1, alice, applied=dt.date(2024, 1, 31))
    p = progress_of(c, dt.date(2024, 2, 29))
    assert (p.stage, p.next_step, p.due, p.late) == (Stage.APPLICANT, Kind.TALK, dt.date(2024, 2, 29), False)
    assert progress_of(c, dt.date(2024, 3, 1)).late
    # A late talk is recorded (and was flagged), not refused.
    record(c, Kind.TALK, dt.date(2024, 3, 5), alice)
    assert progress_of(c, dt.date(2024, 3, 5)).next_step == Kind.ACTIVIST


def test_activist_needs_two_full_members_as_cultivating_contacts(branch_a1, alice, people):
    c = applicant(branch_a1, alice)
    record(c, Kind.TALK, dt.date(2023, 1, 20), alice)
    probationary = MemberFactory(organization=branch_a1, name="预备甲", probationary=True)
    with pytest.raises(ValidationError) as e:
        record(c, Kind.ACTIVIST, dt.date(2023, 3, 1), alice, people=[people[0], probationary])
    assert "预备甲" in str(e.value) and rule_text("cultivating_contacts") in str(e.value)
    with pytest.raises(ValidationError) as e:
        record(c, Kind.ACTIVIST, dt.date(2023, 3, 1), alice, people=[people[0]])
    assert rule_text("cultivating_contacts") in str(e.value)
    step = record(c, Kind.ACTIVIST, dt.date(2023, 3, 1), alice, people=people)
    assert set(step.people.all()) == set(people)
    c.refresh_from_db()
    assert c.activist_on == dt.date(2023, 3, 1)


def test_development_target_after_one_calendar_year_as_activist(branch_a1, alice, people):
    c = applicant(branch_a1, alice, applied=dt.date(2024, 1, 10))
    record(c, Kind.TALK, dt.date(2024, 1, 20), alice)
    record(c, Kind.ACTIVIST, dt.date(2024, 3, 1), alice, people=people)
    with pytest.raises(ValidationError) as e:
        record(c, Kind.TARGET, dt.date(2025, 2, 28), alice)
    assert rule_text("activist_before_target") in str(e.value) and "2025-03-01" in str(e.value)
    assert progress_of(c, dt.date(2025, 2, 28)).earliest == dt.date(2025, 3, 1)
    record(c, Kind.TARGET, dt.date(2025, 3, 1), alice)
    assert progress_of(c, dt.date(2025, 3, 1)).stage == Stage.TARGET


def test_the_interval_is_read_from_the_rules_table(branch_a1, alice, people):
    RecruitmentRule.objects.filter(code="activist_before_target").update(value=2)
    c = applicant(branch_a1, alice, applied=dt.date(2022, 1, 10))
    record(c, Kind.TALK, dt.date(2022, 1, 20), alice)
    record(c, Kind.ACTIVIST, dt.date(2022, 3, 1), alice, people=people)
    with pytest.raises(ValidationError, match="2024-03-01"):
        record(c, Kind.TARGET, dt.date(2023, 3, 1), alice)
    RecruitmentRule.objects.filter(code="talk_within").update(value=2)
    other = applicant(branch_a1, alice, n=2, applied=dt.date(2024, 1, 31))
    assert progress_of(other, dt.date(2024, 2, 1)).due == dt.date(2024, 3, 31)


def test_periodic_check_is_owed_six_months_after_the_last(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ACTIVIST, people=people)
    activist = c.activist_on
    assert progress_of(c, activist).due == procedure.add_months(activist, 6)
    record(c, Kind.CHECK, activist + dt.timedelta(days=100), alice)
    assert progress_of(c, activist + dt.timedelta(days=100)).due == procedure.add_months(
        activist + dt.timedelta(days=100), 6
    )
    with pytest.raises(ValidationError, match="Out of order"):
        record(c, Kind.CHECK, activist + dt.timedelta(days=50), alice)


def test_steps_out_of_order_are_refused(branch_a1, alice, people):
    c = applicant(branch_a1, alice)
    with pytest.raises(ValidationError, match="Out of order: first record Talk"):
        record(c, Kind.ACTIVIST, dt.date(2023, 3, 1), alice, people=people)
    c = walk(c, alice, until=Kind.TARGET, people=people)
    with pytest.raises(ValidationError, match="Out of order: first record Pre-review above"):
        record(c, Kind.ADMISSION, c.target_on + dt.timedelta(days=100), alice, decided_by="支部党员大会")
    with pytest.raises(ValidationError, match="Introducers, Political review, Concentrated training"):
        record(
            c,
            Kind.NOTICE,
            c.target_on + dt.timedelta(days=50),
            alice,
            ends_on=c.target_on + dt.timedelta(days=60),
        )
    with pytest.raises(ValidationError, match="before"):
        record(c, Kind.POLITICAL_REVIEW, c.target_on - dt.timedelta(days=1), alice)
    with pytest.raises(ValidationError, match="already recorded"):
        record(c, Kind.TARGET, c.target_on, alice)


def test_a_future_date_is_refused(branch_a1, alice):
    c = applicant(branch_a1, alice)
    with pytest.raises(ValidationError, match="future"):
        record(c, Kind.TALK, dt.date.today() + dt.timedelta(days=3), alice)


def test_introducers_are_full_members(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.TARGET, people=people)
    probationary = MemberFactory(organization=branch_a1, name="预备乙", probationary=True)
    with pytest.raises(ValidationError) as e:
        record(c, Kind.INTRODUCERS, c.target_on, alice, people=[people[0], probationary])
    assert "预备乙" in str(e.value) and rule_text("introducers") in str(e.value)
    record(c, Kind.INTRODUCERS, c.target_on, alice, people=people)


def test_training_of_at_least_24_hours(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.TARGET, people=people)
    with pytest.raises(ValidationError) as e:
        record(c, Kind.TRAINING, c.target_on, alice, hours=23)
    assert rule_text("training_hours") in str(e.value)
    assert record(c, Kind.TRAINING, c.target_on, alice, hours=24).hours == 24


def test_public_notice_of_at_least_five_working_days(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.TRAINING, people=people)
    thursday = dates_for(c)[Kind.NOTICE] + dt.timedelta(days=3)
    assert thursday.weekday() == 3
    with pytest.raises(ValidationError) as e:  # Thu, Fri, Mon, Tue: four working days
        record(c, Kind.NOTICE, thursday, alice, ends_on=thursday + dt.timedelta(days=5))
    assert rule_text("notice_days") in str(e.value)
    record(c, Kind.NOTICE, thursday, alice, ends_on=thursday + dt.timedelta(days=6))  # … Wed: five
    end = thursday + dt.timedelta(days=6)
    with pytest.raises(ValidationError, match="pre-review follows the public notice"):
        record(c, Kind.PRE_REVIEW, end, alice)
    record(c, Kind.PRE_REVIEW, end + dt.timedelta(days=1), alice)


def test_admission_puts_the_person_on_the_roster_on_probation(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ADMISSION, people=people)
    member = c.member
    assert member.id_number == c.id_number and member.organization == branch_a1
    assert member.admitted_on == c.admitted_on and member.status == Member.Status.PROBATIONARY
    p = progress_of(c, c.admitted_on)
    assert (p.stage, p.next_step) == (Stage.PROBATIONARY, Kind.APPROVAL)
    assert p.due == procedure.add_months(c.admitted_on, 3)


def test_admission_matches_a_member_already_on_the_roster(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.PRE_REVIEW, people=people)
    existing = MemberFactory(
        organization=branch_a1, id_number=c.id_number, birth_date=c.birth_date, probationary=True
    )
    c = walk(c, alice, until=Kind.ADMISSION, people=people, start_after=Kind.PRE_REVIEW)
    assert c.member == existing
    assert Member.objects.filter(id_number=c.id_number).count() == 1


def test_approval_is_owed_within_three_months_of_the_admission(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ADMISSION, people=people)
    due = procedure.add_months(c.admitted_on, 3)
    assert not progress_of(c, due).late
    assert progress_of(c, due + dt.timedelta(days=1)).late
    with pytest.raises(ValidationError, match="Say who decided it"):
        record(c, Kind.APPROVAL, c.admitted_on + dt.timedelta(days=10), alice)


def test_full_membership_through_the_roster_after_approval_and_a_year(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ADMISSION, people=people)
    year_later = c.admitted_on.replace(year=c.admitted_on.year + 1)
    with pytest.raises(ValidationError, match="Approval above"):
        services.candidate_confirm(candidate=c, on=year_later, meeting="支部大会", by=alice)
    c = walk(c, alice, until=Kind.OATH, people=people, start_after=Kind.ADMISSION)
    assert progress_of(c, c.oath_on).next_step == procedure.FULL
    with pytest.raises(ValidationError, match="probation year"):
        services.candidate_confirm(
            candidate=c, on=year_later - dt.timedelta(days=1), meeting="支部大会", by=alice
        )
    services.candidate_confirm(candidate=c, on=year_later, meeting="支部大会", by=alice)
    c.member.refresh_from_db()
    assert c.member.full_member_on == year_later
    p = progress_of(c, year_later)
    assert (p.stage, p.since, p.next_step) == (Stage.FULL, year_later, "")
    assert progress_of(c, year_later - dt.timedelta(days=1)).stage == Stage.PROBATIONARY


def test_probation_extended_through_the_roster(branch_a1, alice, people):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.OATH, people=people)
    ends = c.admitted_on.replace(year=c.admitted_on.year + 1) + dt.timedelta(days=180)
    services.candidate_extend_probation(
        candidate=c, decided_on=c.oath_on, ends_on=ends, reason="考察不足", by=alice
    )
    assert progress_of(c, c.oath_on).due == ends
