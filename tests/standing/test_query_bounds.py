"""The same number of queries for a small and a larger branch on every page that lists members or rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import RoleAssignment
from standing.jobs import overdue_items, suggestion_escalate
from standing.models import Grade
from standing.services import notice_publish, review_follow_up, review_grade, review_open, suggestion_submit
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_branch, make_role

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _world(township_a, alice, n: int):
    branch = make_branch(township_a)
    make_role(alice, branch, RoleAssignment.Role.BRANCH_SECRETARY)
    alice.__dict__.pop("_scope_cache", None)
    user = UserFactory()
    make_role(user, branch, RoleAssignment.Role.MEMBER)
    MemberFactory(organization=branch, user=user)
    for i in range(n):
        MemberFactory(organization=branch, probationary=i % 5 == 0)
    notice = notice_publish(organization=branch, title="通知", body="正文", by=alice)
    for i in range(n // 5 + 1):
        suggestion_submit(member=user.member, kind="suggestion", subject=f"建议{i}", text="内容", by=user)
    review = review_open(organization=branch, year=TODAY.year, held_on=TODAY, by=alice)
    grades = {e.pk: Grade.QUALIFIED for e in review.entries.filter(probationary=False)}
    review_grade(review=review, grades=grades, by=alice)
    return {"branch": branch, "member_user": user, "notice": notice, "review": review}


PAGES = [
    ("standing:notices", None),
    ("standing:notice", "notice"),
    ("standing:suggestions", None),
    ("standing:reviews", None),
    ("standing:review", "review"),
    ("standing:review_grades", "review"),
    ("members:detail", "member"),
    ("branches:detail", "branch"),
]
MEMBER_PAGES = [("standing:me", None), ("standing:my_notice", "notice"), ("standing:my_review", "review")]


@pytest.mark.parametrize(("name", "arg"), PAGES + MEMBER_PAGES)
def test_same_query_count_for_a_small_and_a_larger_branch(client, township_a, alice, name, arg):
    counts = []
    for n in (3, 30):
        w = _world(township_a, alice, n)
        user = w["member_user"] if (name, arg) in MEMBER_PAGES else alice
        login(client, user)
        obj = {"notice": w["notice"], "review": w["review"], "branch": w["branch"]}.get(arg)
        if arg == "member":
            obj = w["member_user"].member
        url = reverse(name, args=[obj.pk] if obj is not None else [])
        counts.append(_count(client, url))
    assert counts[0] == counts[1], (
        f"{name}: {counts[0]} queries for the small branch, {counts[1]} for the larger"
    )


def test_the_branch_page_shows_the_latest_review(client, township_a, alice):
    w = _world(township_a, alice, 3)
    login(client, alice)
    page = client.get(reverse("branches:detail", args=[w["branch"].pk])).content.decode()
    assert reverse("standing:review", args=[w["review"].pk]) in page


def test_overdue_items_name_late_follow_ups_and_late_escalations(township_a, alice):
    w = _world(township_a, alice, 3)
    entry = w["review"].entries.filter(probationary=False).first()
    review_grade(review=w["review"], grades={entry.pk: Grade.UNQUALIFIED}, by=alice)
    entry.refresh_from_db()
    review_follow_up(entry=entry, measure="correction", due_on=TODAY + dt.timedelta(days=5), by=alice)
    assert overdue_items(as_of=TODAY, org_ids=None, grace=0) == {}
    items = overdue_items(as_of=TODAY + dt.timedelta(days=6), org_ids={w["branch"].pk}, grace=0)
    assert len(items[w["branch"].pk]) == 1
    later = TODAY + dt.timedelta(days=16)
    assert suggestion_escalate(later) >= 1
    items = overdue_items(as_of=later + dt.timedelta(days=16), org_ids=None, grace=0)
    assert len(items[township_a.pk]) >= 1
