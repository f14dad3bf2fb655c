"""The study page above the branches (a township, the county): one row per organization with members of its
own, its members' figures summed (member_figures, grouped passes), each row opening the organization's own
member list. The figures agree with the per-member annotations of the branch page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from branches.selectors import scope_for
from education.models import Attendance, StudyRecord
from education.selectors import (
    MemberFigures,
    member_figures,
    members_progress,
    study_channels_for,
    with_absence,
    with_study_hours,
)
from members.models import Member
from tests.conftest import login
from tests.factories import UserFactory, make_branch

from .conftest import attend, full_members, held, member

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 9, 30)


def _absent_three_times(org, m):
    for day in (dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)):
        attend(held(org, day, "themed_day"), m, Attendance.Status.ABSENT)


def test_member_figures_agree_with_the_annotations(branch_a1):
    early = dt.date(2010, 1, 1)
    present_then_absent = member(branch_a1, admitted_on=early)
    attend(held(branch_a1, dt.date(2026, 1, 10), "themed_day"), present_then_absent)
    _absent_three_times(branch_a1, present_then_absent)
    never_present = member(branch_a1, admitted_on=early)  # six months without organizational life
    for day in (dt.date(2026, 5, 2), dt.date(2026, 6, 2)):
        attend(held(branch_a1, day, "themed_day"), never_present, Attendance.Status.ABSENT)
    excused = member(branch_a1, admitted_on=early)
    attend(held(branch_a1, dt.date(2026, 6, 3), "themed_day"), excused, Attendance.Status.ABSENT)
    attend(held(branch_a1, dt.date(2026, 6, 4), "themed_day"), excused, Attendance.Status.EXCUSED)
    new = member(branch_a1, admitted_on=dt.date(2026, 6, 1))  # admitted within the window: not flagged
    attend(held(branch_a1, dt.date(2026, 7, 2), "themed_day"), new, Attendance.Status.ABSENT)
    studied = member(branch_a1, admitted_on=early)
    StudyRecord.objects.create(
        member=studied, date=dt.date(2026, 2, 1), hours=3, channel="remote", content="学"
    )
    StudyRecord.objects.create(
        member=studied, date=dt.date(2026, 2, 2), hours=5, channel="self_study", content="学"
    )
    nothing = member(branch_a1, admitted_on=early)

    members = Member.objects.filter(organization=branch_a1)
    figures = member_figures(members, year=2026, as_of=AS_OF, channels=study_channels_for(year=2026))
    annotated = with_study_hours(with_absence(members, as_of=AS_OF), year=2026)
    for m in annotated:
        got = figures.get(m.pk, MemberFigures())
        assert (got.last_present, got.absence_streak, got.no_life_6m, got.study_hours) == (
            m.last_present,
            m.absence_streak,
            m.no_life_6m,
            m.study_hours,
        ), m.pk
    assert figures[present_then_absent.pk].absence_streak == 3
    assert figures[never_present.pk].no_life_6m is True
    assert figures[excused.pk].no_life_6m is False
    assert figures[new.pk].no_life_6m is False
    assert figures[studied.pk].study_hours == Decimal("3")
    assert nothing.pk not in figures

    # the branch page's rows (members_progress, from these figures) in the order and with the attributes the
    # annotations give, both orders
    scope = scope_for(UserFactory(is_superuser=True))
    for order, ordering in (
        ("absence", (F("absence_streak").desc(), F("study_hours").asc(), "name", "pk")),
        ("study", (F("study_hours").asc(), "name", "pk")),
    ):
        rows = members_progress(scope=scope, organization=branch_a1, year=2026, as_of=AS_OF, order=order)
        assert [(m.pk, m.last_present, m.absence_streak, m.no_life_6m, m.study_hours) for m in rows] == [
            (m.pk, m.last_present, m.absence_streak, m.no_life_6m, m.study_hours)
            for m in annotated.order_by(*ordering)
        ], order


def test_township_page_sums_each_branch_and_opens_it(client, bob, township_a, branch_a1, branch_a2):
    a, b, *_ = full_members(branch_a1, 3)
    _absent_three_times(branch_a1, a)
    StudyRecord.objects.create(member=b, date=dt.date(2026, 2, 1), hours=40, channel="remote", content="学")
    full_members(branch_a2, 2)
    login(client, bob)
    r = client.get(reverse("education:org_members", args=[township_a.pk]) + "?year=2026")
    assert r.status_code == 200
    rows = {u.organization.pk: u for u in r.context["page"]}
    assert set(rows) == {branch_a1.pk, branch_a2.pk}  # the township has no members of its own
    one = rows[branch_a1.pk]
    assert (one.members, one.absence_alerts, one.behind) == (3, 1, 2)
    assert one.mean_hours == Decimal("13.3")
    assert (rows[branch_a2.pk].members, rows[branch_a2.pk].behind) == (2, 2)
    body = r.content.decode()
    assert reverse("education:org_members", args=[branch_a1.pk]) in body
    # the branch's own page still lists its members
    r = client.get(reverse("education:org_members", args=[branch_a1.pk]) + "?year=2026")
    assert {m.pk for m in r.context["page"]} == {m.pk for m in Member.objects.filter(organization=branch_a1)}


def test_township_page_query_count_does_not_grow(client, bob, township_a, django_assert_num_queries):
    login(client, bob)
    url = reverse("education:org_members", args=[township_a.pk])
    for i in range(3):
        full_members(make_branch(township_a, code=f"U{i:03d}"), 2)
    client.get(url)
    with django_assert_num_queries(13) as few:
        assert client.get(url).status_code == 200
    for i in range(3, 30):
        branch = make_branch(township_a, code=f"U{i:03d}")
        _absent_three_times(branch, full_members(branch, 3)[0])
    with django_assert_num_queries(len(few.captured_queries)):
        r = client.get(url)
    assert len(r.context["page"].object_list) == 20  # UNITS_PER_PAGE
    assert r.context["page"].paginator.count == 30


def test_outsider_gets_404(client, charlie, township_a):
    login(client, charlie)
    assert client.get(reverse("education:org_members", args=[township_a.pk])).status_code == 404
