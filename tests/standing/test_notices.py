import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.services import member_depart
from notifications.models import Delivery
from notifications.services import Message, notify_many
from standing.models import Notice, NoticeRecipient
from standing.services import notice_publish
from tests.conftest import login
from tests.factories import MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(alice, branch_a1, mia, ned):
    return notice_publish(organization=branch_a1, title="主题党日", body="本月15日召开", by=alice)


def test_publish_sends_to_the_subtree_on_the_roll_and_each_member_once_in_the_digest(
    bob, township_a, branch_a1, branch_a2, branch_b1, mia, ned, olaf
):
    gone = MemberFactory(organization=branch_a2, name="离开者")
    member_depart(member=gone, on=TODAY - dt.timedelta(days=1), reason="left", by=bob)
    no_account = MemberFactory(organization=branch_a2, name="无账号")
    notice = notice_publish(organization=township_a, title="通知", body="正文", by=bob)
    recipients = set(notice.recipients.values_list("member_id", flat=True))
    assert recipients == {mia.member.pk, ned.member.pk, no_account.pk}
    deliveries = Delivery.objects.filter(kind="notice")
    assert {d.user_id for d in deliveries} == {mia.pk, ned.pk}
    assert {d.key for d in deliveries} == {f"notice:{notice.pk}:{mia.pk}", f"notice:{notice.pk}:{ned.pk}"}
    assert all(d.status in (Delivery.Status.DIGEST, Delivery.Status.SKIPPED) for d in deliveries)


def test_the_same_key_is_not_delivered_twice(alice, branch_a1, mia):
    notice = notice_publish(organization=branch_a1, title="通知", body="正文", by=alice)
    delivery = Delivery.objects.get(kind="notice")
    again = Message(
        user=mia,
        key=delivery.key,
        kind="notice",
        template="standing/email/notice",
        context={"notice": notice, "organization": "x", "link": "/"},
    )
    assert notify_many(messages=[again]) == 0


def test_publish_to_chosen_members(alice, branch_a1, mia, ned):
    notice = notice_publish(organization=branch_a1, title="通知", body="正文", members=[ned.member], by=alice)
    assert list(notice.recipients.values_list("member_id", flat=True)) == [ned.member.pk]
    assert notice.chosen


def test_chosen_member_outside_the_organization_is_refused(alice, branch_a1, mia, olaf):
    with pytest.raises(ValidationError) as e:
        notice_publish(organization=branch_a1, title="通知", body="正文", members=[olaf.member], by=alice)
    assert "members" in e.value.message_dict
    assert not Notice.objects.exists()


@pytest.mark.parametrize(("title", "body", "field"), [("", "正文", "title"), ("标题", "  ", "body")])
def test_empty_notice_is_refused(alice, branch_a1, mia, title, body, field):
    with pytest.raises(ValidationError) as e:
        notice_publish(organization=branch_a1, title=title, body=body, by=alice)
    assert field in e.value.message_dict
    assert not Notice.objects.exists() and not Delivery.objects.exists()


def test_member_reads_and_the_sender_sees_the_receipt(client, alice, mia, notice):
    login(client, mia)
    page = client.get(reverse("standing:my_notice", args=[notice.pk]))
    assert page.status_code == 200 and "本月15日召开" in page.content.decode()
    receipt = NoticeRecipient.objects.get(notice=notice, member=mia.member)
    first = receipt.read_at
    assert first is not None
    client.get(reverse("standing:my_notice", args=[notice.pk]))
    receipt.refresh_from_db()
    assert receipt.read_at == first  # the first reading is the receipt
    login(client, alice)
    unread = client.get(reverse("standing:notice", args=[notice.pk]), {"show": "unread"})
    assert unread.context["counts"] == {"total": 2, "read": 1, "unread": 1}
    assert [r.member.name for r in unread.context["page"]] == ["内德"]
    read = client.get(reverse("standing:notice", args=[notice.pk]), {"show": "read"})
    assert [r.member.name for r in read.context["page"]] == ["米娅"]


def test_member_gets_404_for_a_notice_not_sent_to_them(client, alice, branch_a1, mia, ned):
    notice = notice_publish(organization=branch_a1, title="通知", body="正文", members=[ned.member], by=alice)
    login(client, mia)
    assert client.get(reverse("standing:my_notice", args=[notice.pk])).status_code == 404
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()


def test_member_cannot_open_the_senders_page(client, mia, notice):
    login(client, mia)
    assert client.get(reverse("standing:notice", args=[notice.pk])).status_code == 404
    assert client.get(reverse("standing:notices")).status_code == 404
    assert client.get(reverse("standing:notice_new")).status_code == 404


def test_outsider_secretary_gets_404(client, charlie, notice):
    login(client, charlie)
    assert client.get(reverse("standing:notice", args=[notice.pk])).status_code == 404
    assert client.get(reverse("standing:my_notice", args=[notice.pk])).status_code == 404
    assert (
        client.get(reverse("standing:notice_new"), {"organization": notice.organization_id}).status_code
        == 404
    )


def test_township_reads_its_branchs_notice(client, bob, notice):
    login(client, bob)
    assert client.get(reverse("standing:notice", args=[notice.pk])).status_code == 200


def test_publish_through_the_page(client, alice, branch_a1, mia, ned):
    login(client, alice)
    url = reverse("standing:notice_new") + f"?organization={branch_a1.pk}"
    assert client.get(reverse("standing:notice_new")).status_code == 200  # the organization picker
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "通知", "body": "正文", "members": [ned.member.pk]})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "standing:notice", args=[notice.pk]
    )
    assert list(notice.recipients.values_list("member_id", flat=True)) == [ned.member.pk]


def test_empty_post_saves_nothing(client, alice, branch_a1, mia):
    login(client, alice)
    url = reverse("standing:notice_new") + f"?organization={branch_a1.pk}"
    assert client.post(url, {}).status_code == 200
    assert not Notice.objects.exists()


def test_query_counts_do_not_grow_with_rows(
    client, alice, bob, branch_a1, mia, django_assert_max_num_queries
):
    for i in range(3):
        notice_publish(organization=branch_a1, title=f"通知{i}", body="正文", by=alice)
    for _i in range(5):
        MemberFactory(organization=branch_a1)
    notice = notice_publish(organization=branch_a1, title="多人", body="正文", by=alice)
    login(client, alice)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:notices")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:notice", args=[notice.pk])).status_code == 200
    login(client, mia)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:me")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:my_notice", args=[notice.pk])).status_code == 200


def test_outsider_list_does_not_show_the_notice(client, charlie, notice):
    login(client, charlie)
    assert notice not in list(client.get(reverse("standing:notices")).context["page"])


def test_index_sends_each_to_their_own_pages(client, alice, mia):
    login(client, mia)
    assert client.get(reverse("standing:index"))["Location"] == reverse("standing:me")
    login(client, alice)
    assert client.get(reverse("standing:index"))["Location"] == reverse("standing:notices")


def test_notice_form_pages_are_bounded(client, alice, branch_a1, mia, django_assert_max_num_queries):
    login(client, alice)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("standing:notice_new")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:notice_new"), {"organization": branch_a1.pk}).status_code == 200


def test_a_tampered_member_id_is_refused(client, alice, branch_a1, mia):
    login(client, alice)
    url = reverse("standing:notice_new") + f"?organization={branch_a1.pk}"
    response = client.post(url, {"title": "通知", "body": "正文", "members": ["9" * 40]})
    assert response.status_code == 200 and not Notice.objects.exists()
