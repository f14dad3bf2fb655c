import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from users.models import User
from users.services import user_create


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
