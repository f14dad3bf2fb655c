"""The recruitment pages: the pipeline (branch, township, county), a person's page and steps, the rules.
Every view: the outsider gets 404, and a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from recruitment.models import Candidate, Step
from tests.conftest import login
from tests.factories import make_branch
from tests.recruitment.helpers import applicant, full_members, idn, walk

pytestmark = pytest.mark.django_db
Kind = Step.Kind


@pytest.fixture
def person(branch_a1, alice):
    return applicant(branch_a1, alice)


def pipeline_url(org=None):
    return reverse("recruitment:pipeline") + (f"?org={org.pk}" if org else "")


def test_branch_pipeline_lists_people_by_stage_with_next_step(client, alice, branch_a1, person):
    activist = walk(
        applicant(branch_a1, alice, n=2), alice, until=Kind.ACTIVIST, people=full_members(branch_a1)
    )
    login(client, alice)
    response = client.get(pipeline_url(branch_a1))
    assert response.status_code == 200
    html = response.content.decode()
    assert person.name in html and activist.name in html
    by_stage = {label: [r.candidate for r in rows] for label, rows in response.context["people"]}
    assert list(by_stage.values())[:2] == [[person], [activist]]
    assert "已逾期" in html  # the talk of 2023 is long overdue


def test_branch_pipeline_queries_do_not_grow(client, alice, branch_a1, django_assert_max_num_queries):
    people = full_members(branch_a1)
    for n in range(1, 4):
        walk(applicant(branch_a1, alice, n=n), alice, until=Kind.ACTIVIST, people=people)
    login(client, alice)
    client.get(pipeline_url(branch_a1))  # warm the session
    with django_assert_max_num_queries(16) as few:
        client.get(pipeline_url(branch_a1))
    count = len(few)
    for n in range(4, 10):
        walk(applicant(branch_a1, alice, n=n), alice, until=Kind.ACTIVIST, people=people)
    with django_assert_max_num_queries(count):
        assert client.get(pipeline_url(branch_a1)).status_code == 200


def test_township_and_county_pipeline_counts_in_a_fixed_number_of_queries(
    client, bob, dora, township_a, branch_a1, branch_a2, county, alice, django_assert_num_queries
):
    people = full_members(branch_a1)
    applicant(branch_a1, alice, n=1)
    walk(applicant(branch_a2, alice, n=2), alice, until=Kind.ACTIVIST, people=people)
    login(client, bob)
    client.get(pipeline_url(township_a))
    response = client.get(pipeline_url(township_a))
    rows = {r.code: r.counts for r in response.context["children"]}
    assert rows["B-A1"]["applicant"] == 1 and rows["B-A2"]["activist"] == 1
    counts = {code: n for code, _label, n in response.context["counts"]}
    assert counts == {"applicant": 1, "activist": 1, "target": 0, "probationary": 0, "full": 0}
    years = dict(response.context["years"])
    assert years[2023][:2] == [2, 1]
    # the counts (one query each: the stages, the children and their counts, the years as one UNION ALL)
    with django_assert_num_queries(9):
        client.get(pipeline_url(township_a))
    # More organizations and people: the same number of queries.
    for i in range(3):
        branch = make_branch(township_a, code=f"B-X{i}")
        walk(applicant(branch, alice, n=10 + i), alice, until=Kind.TARGET, people=people)
    with django_assert_num_queries(9):
        assert client.get(pipeline_url(township_a)).status_code == 200
    login(client, dora)
    client.get(pipeline_url())
    with django_assert_num_queries(9):
        response = client.get(pipeline_url())
    assert response.context["org"] == county
    assert sum(r.counts["target"] for r in response.context["children"]) == 3


def test_pipeline_of_another_township_is_404(client, charlie, branch_a1, township_a):
    login(client, charlie)
    assert client.get(pipeline_url(branch_a1)).status_code == 404
    assert client.get(pipeline_url(township_a)).status_code == 404
    assert client.get(pipeline_url()).status_code == 200  # their own


def test_pipeline_for_someone_without_a_role_is_404(client, member_a1, django_user_model):
    user = django_user_model.objects.create_user(email="x@example.com", password="pass-word-123")
    login(client, user)
    assert client.get(pipeline_url()).status_code == 404


def test_record_an_application(client, alice, branch_a1, django_assert_max_num_queries):
    login(client, alice)
    url = reverse("recruitment:candidate_new") + f"?org={branch_a1.pk}"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organization": branch_a1.pk,
            "name": "李四",
            "id_number": idn(7),
            "applied_on": "2024-05-06",
            "ethnicity": "汉族",
        },
    )
    candidate = Candidate.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "recruitment:candidate", args=[candidate.pk]
    )
    assert candidate.applied_on == dt.date(2024, 5, 6)


def test_application_form_shows_the_rule_when_refused(client, alice, branch_a1):
    login(client, alice)
    born = dt.date(2010, 1, 1)
    response = client.post(
        reverse("recruitment:candidate_new"),
        {"organization": branch_a1.pk, "name": "少年", "id_number": idn(8, born), "applied_on": "2024-05-06"},
    )
    assert response.status_code == 200 and "十八周岁" in response.content.decode()
    assert not Candidate.objects.exists()


def test_outsider_cannot_record_an_application_in_another_branch(client, charlie, branch_a1):
    login(client, charlie)
    response = client.post(
        reverse("recruitment:candidate_new"),
        {"organization": branch_a1.pk, "name": "李四", "id_number": idn(7), "applied_on": "2024-05-06"},
    )
    assert response.status_code == 200 and not Candidate.objects.exists()  # not a choice


def test_an_officer_cannot_open_the_application_form(client, branch_a1, django_user_model):
    from branches.models import RoleAssignment
    from tests.factories import make_role

    officer = django_user_model.objects.create_user(email="o@example.com", password="pass-word-123")
    make_role(officer, branch_a1, RoleAssignment.Role.OFFICER)
    login(client, officer)
    assert client.get(reverse("recruitment:candidate_new")).status_code == 404


def test_person_page(client, alice, bob, person, django_assert_max_num_queries):
    login(client, alice)
    url = reverse("recruitment:candidate", args=[person.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    assert person.name in html and reverse("recruitment:step_new", args=[person.pk, "talk"]) in html
    assert reverse("recruitment:step_new", args=[person.pk, "activist"]) not in html
    login(client, bob)
    assert client.get(url).status_code == 200


def test_person_page_outsider_404(client, charlie, person):
    login(client, charlie)
    assert client.get(reverse("recruitment:candidate", args=[person.pk])).status_code == 404


def test_record_a_step(client, alice, person, django_assert_max_num_queries):
    login(client, alice)
    url = reverse("recruitment:step_new", args=[person.pk, "talk"])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="step-form-talk"' in partial.content
    response = client.post(url, {"on": "2023-01-20", "decided_by": "王书记", "document": "谈话记录"})
    assert response.status_code == 302
    step = person.steps.get(kind="talk")
    assert (step.on, step.decided_by, step.recorded_by) == (dt.date(2023, 1, 20), "王书记", alice)


def test_a_refused_step_shows_the_rule(client, alice, branch_a1, person):
    people = full_members(branch_a1)
    walk(person, alice, until=Kind.ACTIVIST, people=people)
    person.refresh_from_db()
    login(client, alice)
    too_early = person.activist_on.replace(year=person.activist_on.year + 1) - dt.timedelta(days=1)
    response = client.post(
        reverse("recruitment:step_new", args=[person.pk, "target"]), {"on": too_early.isoformat()}
    )
    assert response.status_code == 200 and "一年以上" in response.content.decode()
    assert not person.steps.filter(kind="target").exists()


def test_activist_step_offers_full_members(client, alice, branch_a1, person):
    people = full_members(branch_a1)
    walk(person, alice, until=Kind.TALK, people=people)
    login(client, alice)
    response = client.post(
        reverse("recruitment:step_new", args=[person.pk, "activist"]),
        {"on": "2023-03-01", "people": [p.pk for p in people], "decided_by": "支部委员会"},
    )
    assert response.status_code == 302
    assert set(person.steps.get(kind="activist").people.all()) == set(people)


def test_step_outsider_and_reader_get_404(client, charlie, bob, person, branch_a1, django_user_model):
    url = reverse("recruitment:step_new", args=[person.pk, "talk"])
    login(client, charlie)
    assert client.get(url).status_code == 404
    assert client.post(url, {"on": "2023-01-20"}).status_code == 404
    assert not person.steps.filter(kind="talk").exists()
    login(client, bob)
    assert client.get(reverse("recruitment:step_new", args=[person.pk, "application"])).status_code == 404
    assert client.get(reverse("recruitment:step_new", args=[person.pk, "nonsense"])).status_code == 404


def test_confirm_and_extend(client, alice, charlie, branch_a1, person, django_assert_max_num_queries):
    walk(person, alice, until=Kind.OATH, people=full_members(branch_a1))
    person.refresh_from_db()
    login(client, charlie)
    for name in ("confirm", "extend"):
        assert client.get(reverse(f"recruitment:{name}", args=[person.pk])).status_code == 404
    login(client, alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("recruitment:extend", args=[person.pk])).status_code == 200
    year_later = person.admitted_on.replace(year=person.admitted_on.year + 1)
    response = client.post(
        reverse("recruitment:confirm", args=[person.pk]),
        {"on": year_later.isoformat(), "meeting": "支部党员大会"},
    )
    assert response.status_code == 302
    person.member.refresh_from_db()
    assert person.member.full_member_on == year_later
    # Once full, the probation is not extended: the roster's service says why.
    response = client.post(
        reverse("recruitment:extend", args=[person.pk]),
        {
            "decided_on": year_later.isoformat(),
            "ends_on": (year_later + dt.timedelta(days=100)).isoformat(),
            "reason": "x",
        },
    )
    assert response.status_code == 200


def test_rules_page(client, dora, charlie, django_assert_max_num_queries):
    login(client, dora)
    url = reverse("recruitment:rules")
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert "一年以上" in response.content.decode() and "个工作日" in response.content.decode()


def test_rules_page_needs_a_role(client, django_user_model):
    user = django_user_model.objects.create_user(email="y@example.com", password="pass-word-123")
    login(client, user)
    assert client.get(reverse("recruitment:rules")).status_code == 404
