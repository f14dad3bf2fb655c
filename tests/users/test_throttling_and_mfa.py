"""issue 13, Medium 12: sign-in throttling that holds across workers and cannot lock a user out from
elsewhere, the client IP behind a proxy, two-factor sign-in required by role; Low 20: check --deploy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _settings_of(module: str, code: str, **env) -> str:
    """Run `code` in a fresh interpreter with `module` as the settings (production settings read the
    environment when imported, so they cannot be switched inside this process)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "CELERY_BROKER_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY=secrets.token_urlsafe(60), **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


def test_production_cache_is_the_brokers_redis():
    out = _settings_of(
        "config.settings.production",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])",
        CELERY_BROKER_URL="redis://cache.example:6379/0",
    )
    assert "django.core.cache.backends.redis.RedisCache redis://cache.example:6379/0" in out


def test_cache_url_wins_and_embedded_default_is_memory():
    out = _settings_of(
        "config.settings.production",
        "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])",
        CELERY_BROKER_URL="redis://broker:6379/0",
        CACHE_URL="redis://cache:6379/2",
    )
    assert "redis://cache:6379/2" in out
    out = _settings_of(
        "config.settings.local",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
    )
    assert "LocMemCache" in out


def test_check_deploy_prints_no_warning():
    out = _settings_of(
        "config.settings.production",
        "from django.core.management import call_command; call_command('check', deploy=True)",
        ALLOWED_HOSTS="party.example",
    )
    assert "System check identified no issues" in out, out


# -- throttling ----------------------------------------------------------------------------------------------


def _fail(client, email, ip, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": "wrong"}, REMOTE_ADDR=ip, **extra
    )


def _sign_in(client, email, ip, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": "pass-word-123"}, REMOTE_ADDR=ip, **extra
    )


def test_a_stranger_cannot_lock_a_known_user_out(client):
    UserFactory(email="wang@example.com")
    for _ in range(6):
        _fail(client, "wang@example.com", "203.0.113.9")
    blocked = _sign_in(client, "wang@example.com", "203.0.113.9")
    assert blocked.status_code == 200  # the stranger's address is throttled, even with the right password
    assert _sign_in(client, "wang@example.com", "198.51.100.7").status_code == 302


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_client_ip_counts(client):
    UserFactory(email="wang@example.com")
    for _ in range(6):
        _fail(client, "wang@example.com", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (
        _sign_in(client, "wang@example.com", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
        == 200
    )
    # the same proxy, another client
    assert (
        _sign_in(client, "wang@example.com", "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        == 302
    )


# -- two-factor sign-in ---------------------------------------------------------------------------------------


@override_settings(MFA_REQUIRED_ROLES=["county_admin", "township_secretary", "township_staff"])
def test_township_secretary_is_sent_to_set_up_two_factor_first(client, bob, alice):
    client.post(reverse("account_login"), {"login": bob.email, "password": "pass-word-123"})
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    setup = client.get(reverse("mfa_activate_totp"))  # allauth asks for the password again first
    assert setup.status_code == 302 and setup["Location"].startswith(reverse("account_reauthenticate"))
    client.post(setup["Location"], {"password": "pass-word-123"})
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200 and "data:image/svg+xml" in setup.content.decode()  # the QR code
    Authenticator.objects.create(user=bob, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("dashboard:home")).status_code == 200
    client.logout()
    client.force_login(alice)  # a branch secretary: no second factor required
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_two_factor_is_not_required_in_the_default_settings(client, bob):
    client.force_login(bob)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_production_requires_two_factor_for_county_and_township_roles():
    out = _settings_of(
        "config.settings.production",
        "from django.conf import settings; print(sorted(settings.MFA_REQUIRED_ROLES))",
    )
    assert "['county_admin', 'township_secretary', 'township_staff']" in out
