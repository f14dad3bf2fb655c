import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from notifications.models import Delivery
from tests.factories import UserFactory
from users.models import User
from users.services import user_create, user_invite


@pytest.mark.django_db
def test_user_create_normalizes_email_and_sets_unusable_password_without_one():
    user = user_create(email="  Wang.Fang@Example.COM ", name="王芳")
    assert user.email == "wang.fang@example.com"
    assert user.name == "王芳"
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_user_create_with_password_can_sign_in(client):
    user_create(email="li@example.com", name="李", password="Red-lantern-2024")
    assert client.login(email="li@example.com", password="Red-lantern-2024")


@pytest.mark.django_db
def test_user_create_refuses_duplicate_email_case_insensitively():
    UserFactory(email="zhao@example.com")
    with pytest.raises(ValidationError) as e:
        user_create(email="ZHAO@example.com", name="赵")
    assert "email" in e.value.message_dict
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "not-an-email", "a@b"])
def test_user_create_refuses_invalid_email(email):
    with pytest.raises(ValidationError):
        user_create(email=email, name="x")


@pytest.mark.django_db
def test_user_create_refuses_weak_password():
    with pytest.raises(ValidationError) as e:
        user_create(email="weak@example.com", name="x", password="123")
    assert "password" in e.value.message_dict
    assert not User.objects.exists()


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


@pytest.mark.django_db(transaction=True)
def test_invitation_link_sets_password_and_user_can_sign_in(client, settings):
    settings.SITE_URL = "http://testserver"
    user = user_create(email="new@example.com", name="新用户")
    user.notification_frequency = User.NotificationFrequency.WEEKLY  # an invitation ignores the digest choice
    user.save()
    user_invite(user=user)
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
    user_invite(user=user)
    user_invite(user=user)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(kind="invite", user=user).count() == 1
