"""Two editors of one record (issue 13, 8): the second save no longer silently reverts the first's change.
Each edit form carries the record's version (updated_at) as drawn; a save over a newer version is refused
with a message, and the form keeps what the second editor typed."""

import datetime as dt

import pytest
from django.test import Client

from branches.selectors import scope_for
from education.forms import MeetingForm
from members.forms import MemberForm
from tests.conftest import login
from tests.education.conftest import held


def _post_data(form) -> dict:
    """What the browser would submit for the form as drawn (its initial values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
            continue
        if isinstance(value, dt.date | dt.time):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def _member_page(member, user):
    member.refresh_from_db()
    return _post_data(MemberForm(instance=member, scope=scope_for(user)))


def test_second_member_editor_is_told_and_the_first_change_stays(client, alice, bob, member_a1):
    url = f"/members/{member_a1.pk}/edit/"
    first, second = login(client, alice), login(Client(), bob)
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    page_a, page_b = _member_page(member_a1, alice), _member_page(member_a1, bob)  # both drawn now

    response = first.post(url, {**page_a, "phone": "13800000001"})
    assert response.status_code == 302
    response = second.post(url, {**page_b, "address": "新地址 7 号"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "新地址 7 号" in content  # what bob typed is still in the form
    assert "Someone else changed" in content or "别人" in content or "他人" in content
    member_a1.refresh_from_db()
    assert member_a1.phone == "13800000001"  # alice's change was not reverted
    assert member_a1.address != "新地址 7 号"

    # bob reloads and makes his change again: both are kept
    response = second.post(url, {**_member_page(member_a1, bob), "address": "新地址 7 号"})
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert (member_a1.phone, member_a1.address) == ("13800000001", "新地址 7 号")


def test_a_single_editor_saves_as_before(client, alice, member_a1):
    url = f"/members/{member_a1.pk}/edit/"
    response = login(client, alice).post(url, {**_member_page(member_a1, alice), "phone": "13900000000"})
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.phone == "13900000000"


def _meeting_page(meeting):
    meeting.refresh_from_db()
    return _post_data(MeetingForm(instance=meeting, organization=meeting.organization))


@pytest.fixture
def meeting(branch_a1):
    return held(branch_a1, dt.date(2026, 3, 1), "themed_day", topic="学习党章")


def test_second_meeting_editor_is_told_and_the_first_change_stays(client, alice, bob, meeting):
    url = f"/education/meetings/{meeting.pk}/edit/"
    first, second = login(client, alice), login(Client(), bob)
    page_a, page_b = _meeting_page(meeting), _meeting_page(meeting)

    assert first.post(url, {**page_a, "place": "村委会二楼"}).status_code == 302
    response = second.post(url, {**page_b, "topic": "学习新修订的条例"})
    assert response.status_code == 200
    assert "学习新修订的条例" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.place, meeting.topic) == ("村委会二楼", "学习党章")

    assert second.post(url, {**_meeting_page(meeting), "topic": "学习新修订的条例"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.place, meeting.topic) == ("村委会二楼", "学习新修订的条例")
