import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "忘记密码？" in page  # "Forgot your password?" in Chinese


def test_sign_in_with_email_and_password_lands_on_home(client):
    UserFactory(email="wang@example.com", language="en")
    response = client.post(
        reverse("account_login"), {"login": "WANG@example.com", "password": "pass-word-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert response.cookies["django_language"].value == "en"  # the user's own language


def test_wrong_password_keeps_the_email_and_says_so(client):
    UserFactory(email="wang@example.com")
    response = client.post(reverse("account_login"), {"login": "wang@example.com", "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="wang@example.com"' in body
    assert response.context["form"].errors


def test_signup_creates_no_account(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "signup_closed" in [t.name.split("/")[-1].removesuffix(".html") for t in response.templates]
    client.post(
        reverse("account_signup"),
        {"email": "intruder@example.com", "password1": "Very-long-pass-1", "password2": "Very-long-pass-1"},
    )
    assert not User.objects.filter(email="intruder@example.com").exists()


def test_password_reset_by_email_end_to_end(client, django_capture_on_commit_callbacks):
    UserFactory(email="li@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "li@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link.split("testserver", 1)[-1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"password1": "New-spring-2025", "password2": "New-spring-2025"}, follow=True
    )
    assert "account/password_reset_from_key_done.html" in [t.name for t in response.templates]
    assert client.login(email="li@example.com", password="New-spring-2025")


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "pass-word-123", "password1": "Autumn-moon-88", "password2": "Autumn-moon-88"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Autumn-moon-88")


def test_logout_by_post(client):
    client.force_login(UserFactory())
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 302
