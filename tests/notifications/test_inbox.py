import pytest
from django.urls import reverse

from notifications.models import Delivery
from tests.conftest import login

INBOX = reverse("notifications:inbox")


def _delivery(user, n, **kw):
    return Delivery.objects.create(
        key=f"t:{user.pk}:{n}",
        kind=kw.pop("kind", "t"),
        user=user,
        subject=f"提醒{n}",
        body_text="x",
        url=kw.pop("url", "/home/"),
        **kw,
    )


def test_inbox_lists_only_own_notifications_not_digests(client, alice, charlie):
    _delivery(alice, 1)
    _delivery(alice, 2, kind="digest")
    _delivery(charlie, 3)
    response = login(client, alice).get(INBOX)
    assert [d.subject for d in response.context["page"].object_list] == ["提醒1"]


def test_inbox_paginates_and_filters_unread(client, alice):
    for n in range(35):
        _delivery(alice, n)
    Delivery.objects.filter(subject="提醒0").update(read_at="2025-01-01T00:00Z")
    login(client, alice)
    page = client.get(INBOX).context["page"]
    assert page.paginator.count == 35 and len(page.object_list) == 30
    assert client.get(INBOX, {"page": 2}).context["page"].number == 2
    assert client.get(INBOX, {"unread": "1"}).context["page"].paginator.count == 34


@pytest.mark.parametrize("rows", [3, 60])
def test_inbox_query_count_does_not_grow(client, alice, rows, django_assert_num_queries):
    for n in range(rows):
        _delivery(alice, n)
    login(client, alice)
    # session, user, page count, page rows, unread count (+ the scope's 2 for the navigation)
    with django_assert_num_queries(7):
        assert client.get(INBOX).status_code == 200


def test_mark_read_own(client, alice):
    d = _delivery(alice, 1)
    response = login(client, alice).post(reverse("notifications:read", args=[d.pk]))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.read_at is not None


def test_mark_read_with_htmx_returns_the_badge(client, alice):
    d = _delivery(alice, 1)
    response = login(client, alice).post(reverse("notifications:read", args=[d.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="read-{d.pk}"' in response.content.decode()


def test_someone_elses_delivery_is_404(client, alice, charlie):
    d = _delivery(alice, 1)
    login(client, charlie)
    assert client.post(reverse("notifications:read", args=[d.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[d.pk])).status_code == 404
    d.refresh_from_db()
    assert d.read_at is None


def test_mark_read_needs_post(client, alice):
    d = _delivery(alice, 1)
    assert login(client, alice).get(reverse("notifications:read", args=[d.pk])).status_code == 405


def test_open_marks_read_and_follows_only_local_links(client, alice):
    local = _delivery(alice, 1, url="/members/5/")
    evil = _delivery(alice, 2, url="https://evil.example.com/")
    login(client, alice)
    assert client.get(reverse("notifications:open", args=[local.pk]))["Location"] == "/members/5/"
    assert client.get(reverse("notifications:open", args=[evil.pk]))["Location"] == INBOX
    assert Delivery.objects.filter(user=alice, read_at__isnull=True).count() == 0


def test_mark_all_read_touches_only_own(client, alice, charlie):
    _delivery(alice, 1)
    _delivery(alice, 2)
    other = _delivery(charlie, 3)
    login(client, alice).post(reverse("notifications:read_all"))
    assert not Delivery.objects.filter(user=alice, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(INBOX).status_code == 302
