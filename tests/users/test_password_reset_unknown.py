"""issue 13, Low 20: a reset asked for an unknown address does not point to the closed sign-up page."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_reset_mail_for_an_unknown_address_has_no_sign_up_link(client):
    client.post(reverse("account_reset_password"), {"email": "stranger@example.com"})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert reverse("account_signup") not in body
    assert "县委组织部" in body  # where an account comes from instead
