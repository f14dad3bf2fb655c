from django.conf import settings
from django.urls import reverse

from notifications.models import Delivery
from tests.conftest import login

URL = reverse("notifications:preferences")


def test_shows_the_current_choice(client, alice):
    response = login(client, alice).get(URL)
    assert response.status_code == 200
    assert response.context["form"].initial["notification_frequency"] == "immediate"


def test_saves_frequency_and_language_and_switches_the_site_language(client, alice):
    response = login(client, alice).post(URL, {"notification_frequency": "weekly", "language": "en"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.notification_frequency, alice.language) == ("weekly", "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_bad_choice_keeps_the_form_with_an_error(client, alice):
    response = login(client, alice).post(URL, {"notification_frequency": "hourly", "language": "en"})
    assert response.status_code == 200
    assert "notification_frequency" in response.context["form"].errors
    assert 'value="en" checked' in response.content.decode()  # what the user chose is kept
    alice.refresh_from_db()
    assert alice.notification_frequency == "immediate"


def test_choosing_no_email_drops_waiting_digest_messages(client, alice):
    Delivery.objects.create(key="w", kind="t", user=alice, subject="s", body_text="x", status="digest")
    login(client, alice).post(URL, {"notification_frequency": "none", "language": "zh-hans"})
    assert Delivery.objects.get(key="w").status == "skipped"


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL).status_code == 302
