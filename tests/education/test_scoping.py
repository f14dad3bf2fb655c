"""Every education view: the outsider (charlie, another township's secretary) gets 404; readers can't write."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from education.models import CalendarFeed, MeetingAttachment, MeetingPlan
from education.services import attachment_add
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_role

from .conftest import held

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def objects(branch_a1, today, alice):
    member = MemberFactory(organization=branch_a1)
    meeting = held(branch_a1, today, "themed_day")
    attachment = attachment_add(by=alice, meeting=meeting, file=SimpleUploadedFile("签到表.png", PNG))
    plan = MeetingPlan.objects.create(organization=branch_a1, frequency="monthly", day=1)
    return {"member": member, "meeting": meeting, "attachment": attachment, "plan": plan, "org": branch_a1}


def urls(o):
    m, org = o["meeting"].pk, o["org"].pk
    return [
        ("get", reverse("education:meetings") + f"?org={org}"),
        ("get", reverse("education:meeting_create") + f"?org={org}"),
        ("get", reverse("education:meeting_detail", args=[m])),
        ("get", reverse("education:meeting_edit", args=[m])),
        ("get", reverse("education:meeting_attendance", args=[m])),
        ("post", reverse("education:attendance_mark", args=[m, o["member"].pk])),
        ("post", reverse("education:meeting_held", args=[m])),
        ("post", reverse("education:meeting_cancel", args=[m])),
        ("get", reverse("education:meeting_print", args=[m])),
        ("post", reverse("education:attachment_upload", args=[m])),
        ("get", reverse("education:attachment_download", args=[o["attachment"].pk])),
        ("post", reverse("education:attachment_delete", args=[o["attachment"].pk])),
        ("get", reverse("education:compliance") + f"?org={org}"),
        ("get", reverse("education:compliance_org", args=[org])),
        ("get", reverse("education:ledger", args=[org, 2026])),
        ("get", reverse("education:plan_list", args=[org])),
        ("post", reverse("education:plan_list", args=[org])),
        ("get", reverse("education:plan_edit", args=[o["plan"].pk])),
        ("post", reverse("education:plan_stop", args=[o["plan"].pk])),
        ("get", reverse("education:calendar_manage", args=[org])),
        ("post", reverse("education:calendar_manage", args=[org])),
        ("get", reverse("education:org_members", args=[org])),
        ("get", reverse("education:study_create", args=[org])),
        ("get", reverse("education:member_record", args=[o["member"].pk])),
    ]


def test_outsider_gets_404_everywhere(client, charlie, objects):
    login(client, charlie)
    for method, url in urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert MeetingAttachment.objects.exists()
    assert MeetingPlan.objects.get().is_active


def test_township_secretary_sees_everything(client, bob, objects):
    login(client, bob)
    for method, url in urls(objects):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_officer_reads_but_cannot_write(client, branch_a1, objects):
    officer = UserFactory()
    make_role(officer, branch_a1, "officer")
    login(client, officer)
    assert client.get(reverse("education:meeting_detail", args=[objects["meeting"].pk])).status_code == 200
    assert client.get(reverse("education:meeting_edit", args=[objects["meeting"].pk])).status_code == 404
    assert client.post(reverse("education:meeting_held", args=[objects["meeting"].pk])).status_code == 404
    assert (
        client.get(reverse("education:meeting_attendance", args=[objects["meeting"].pk])).status_code == 404
    )


def test_anonymous_is_sent_to_sign_in(client, objects):
    response = client.get(reverse("education:meeting_detail", args=[objects["meeting"].pk]))
    assert response.status_code == 302 and "login" in response.url


def test_member_sees_only_own_record(client, branch_a1, objects):
    user = UserFactory()
    me = MemberFactory(organization=branch_a1, user=user)
    make_role(user, branch_a1, "member")
    login(client, user)
    assert client.get(reverse("education:my_record")).status_code == 200
    assert client.get(reverse("education:member_record", args=[objects["member"].pk])).status_code == 404
    assert client.get(reverse("education:meeting_detail", args=[objects["meeting"].pk])).status_code == 404
    assert me.pk


def test_attachment_served_only_through_the_scoped_view(client, alice, objects):
    login(client, alice)
    r = client.get(reverse("education:attachment_download", args=[objects["attachment"].pk]))
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert "education/meetings/" in objects["attachment"].file.name
    assert "签到表" not in objects["attachment"].file.name  # stored under a random name


def test_calendar_feed_token_and_revocation(client, alice, objects, today):
    login(client, alice)
    org = objects["org"]
    client.post(reverse("education:calendar_manage", args=[org.pk]), {"action": "renew"})
    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    client.logout()
    r = client.get(reverse("education:calendar_feed", args=[feed.token]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert "BEGIN:VEVENT" in body and "主题党日" in body
    login(client, alice)
    client.post(reverse("education:calendar_manage", args=[org.pk]), {"action": "renew"})
    client.logout()
    assert client.get(reverse("education:calendar_feed", args=[feed.token])).status_code == 404
    new = CalendarFeed.objects.get(revoked_at__isnull=True)
    assert client.get(reverse("education:calendar_feed", args=[new.token])).status_code == 200
    login(client, alice)
    client.post(reverse("education:calendar_manage", args=[org.pk]), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("education:calendar_feed", args=[new.token])).status_code == 404
    assert client.get(reverse("education:calendar_feed", args=["guess"])).status_code == 404


def test_rules_page_county_changes_others_read(client, dora, alice):
    login(client, alice)
    assert client.get(reverse("education:rules")).status_code == 200
    assert client.post(reverse("education:rules"), {}).status_code == 404
    login(client, dora)
    from education.models import MeetingKind, MeetingRequirement

    kind = MeetingKind.objects.get(code="party_lecture")
    r = client.post(
        reverse("education:rules"),
        {
            "kind": kind.pk,
            "effective_from": "2027-01-01",
            "period": "month",
            "minimum": 1,
            "applies_to": "all",
            "note": "县委要求每月一次",
        },
    )
    assert r.status_code == 302
    assert MeetingRequirement.objects.filter(
        kind=kind, effective_from=dt.date(2027, 1, 1), created_by=dora
    ).exists()
    r = client.post(
        reverse("education:rules"),
        {
            "kind": kind.pk,
            "effective_from": "2020-01-01",
            "period": "month",
            "minimum": 1,
            "applies_to": "all",
        },
    )
    assert r.status_code == 200 and "2027-01-01" in r.content.decode()
