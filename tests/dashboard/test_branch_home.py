"""The branch secretary's home (issue 15): the open items of their branch (meetings still owed this period,
visits due, reports due) and a 记录会议 button; nobody else's branch, and a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care import services as care
from education.models import MeetingKind
from education.services import meeting_create, meeting_mark_held
from tests.conftest import login
from tests.factories import MemberFactory

URL = reverse("dashboard:home")
pytestmark = pytest.mark.django_db


@pytest.fixture
def open_items(alice, branch_a1):
    today = timezone.localdate()
    members = MemberFactory.create_batch(3, organization=branch_a1)
    care.member_record_illness(member=members[0], illness="骨折", since=today, by=alice)
    return members


def test_branch_secretary_sees_open_items_and_the_record_button(client, alice, branch_a1, open_items):
    response = login(client, alice).get(URL)
    body = response.content.decode()
    (home,) = response.context["branch_homes"]
    assert home.organization == branch_a1
    assert {m.kind_label for m in home.meetings} >= {"主题党日"}  # monthly: owed until held
    assert [v.member for v in home.visits] == [open_items[0]]
    assert f'href="{reverse("education:meeting_create")}?org={branch_a1.pk}"' in body
    assert "记录会议" in body and "本期尚未召开的会议" in body and open_items[0].name in body


def test_a_held_meeting_is_no_longer_owed(client, alice, branch_a1, open_items):
    meeting = meeting_create(
        organization=branch_a1,
        kinds=MeetingKind.objects.filter(code="themed_day"),
        date=timezone.localdate(),
        topic="主题党日",
        minutes="记录",
        by=alice,
    )
    meeting_mark_held(meeting=meeting, by=alice)
    (home,) = login(client, alice).get(URL).context["branch_homes"]
    assert "主题党日" not in {m.kind_label for m in home.meetings}


def test_duty_report_is_due_around_its_deadline(client, alice, branch_a1):
    from dashboard import selectors_branch

    homes = selectors_branch.branch_homes(user=alice, as_of=dt.date(2027, 1, 10))
    reports = [(r.what, r.year, r.overdue) for r in homes[0].reports]
    assert ("duty_report", 2026, False) in reports
    homes = selectors_branch.branch_homes(user=alice, as_of=dt.date(2027, 1, 20))
    assert ("duty_report", 2026, True) in [(r.what, r.year, r.overdue) for r in homes[0].reports]
    homes = selectors_branch.branch_homes(user=alice, as_of=dt.date(2026, 6, 1))
    assert not [r for r in homes[0].reports if r.what == "duty_report"]


def test_others_have_no_branch_part_and_see_no_other_branch(client, bob, charlie, branch_a1, open_items):
    # a township secretary gets the township's dashboard (dashboard.html), which has no branch part
    assert not login(client, bob).get(URL).context.get("branch_homes")
    response = login(client, charlie).get(URL)
    assert [h.organization.code for h in response.context["branch_homes"]] == ["B-B1"]
    assert open_items[0].name not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_query_count_does_not_grow(client, alice, branch_a1, rows, django_assert_num_queries):
    today = timezone.localdate()
    for m in MemberFactory.create_batch(rows, organization=branch_a1):
        care.member_record_illness(member=m, illness="病", since=today - dt.timedelta(days=30), by=alice)
    login(client, alice)
    # the home page's 11 (test_home) and the branch part: compliance (7), visits, the two years' deadlines,
    # contracts, duty reports
    with django_assert_num_queries(23):
        assert client.get(URL).status_code == 200
