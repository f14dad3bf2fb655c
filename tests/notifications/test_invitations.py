"""notifications.services.invitation_send: the invitation to set a password (the link comes from users)."""

import re

import pytest
from django.core import mail

from notifications.models import Delivery
from notifications.services import SET_PASSWORD_LINK, invitation_send
from users.models import User
from users.services import user_create


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


@pytest.mark.django_db(transaction=True)
def test_invitation_link_sets_password_and_user_can_sign_in(client, settings):
    settings.SITE_URL = "http://testserver"
    user = user_create(email="new@example.com", name="新用户")
    user.notification_frequency = User.NotificationFrequency.WEEKLY  # an invitation ignores the digest choice
    user.save()
    invitation_send(user=user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    link = _link(message)
    assert link in message.alternatives[0][0]

    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        form_url, {"password1": "Spring-river-77", "password2": "Spring-river-77"}, follow=True
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.has_usable_password()
    assert client.login(email="new@example.com", password="Spring-river-77")
    # The link worked once: after the password is set it is refused.
    client.logout()
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assert "password1" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_invitation_is_sent_once_a_day():
    user = user_create(email="once@example.com", name="一次")
    invitation_send(user=user)
    invitation_send(user=user)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(kind="invite", user=user).count() == 1


@pytest.mark.django_db
def test_outbox_keeps_no_live_set_password_link(django_capture_on_commit_callbacks):
    """issue 13, Low 19: the stored invitation carries a placeholder; the e-mail sent has the working link."""
    user = user_create(email="newcomer@example.com", name="新人")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(user=user)
    stored = Delivery.objects.get(user=user, kind="invite")
    assert "/accounts/password/reset/key/" not in stored.body_text + stored.body_html
    assert SET_PASSWORD_LINK in stored.body_text
    sent = mail.outbox[-1]
    assert "/accounts/password/reset/key/" in sent.body and SET_PASSWORD_LINK not in sent.body
    assert "/accounts/password/reset/key/" in sent.alternatives[0][0]
