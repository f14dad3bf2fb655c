from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the office above or by import, never by public sign-up; after signing in the
    site speaks the user's chosen language."""

    def is_open_for_signup(self, request):
        return False

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def _get_login_attempts_cache_key(self, request, **credentials):
        """allauth counts failed sign-ins per address (5 in 5 minutes, then "too many attempts"): counted per
        address and client IP, a stranger elsewhere cannot lock a known user out. allauth's limit of 10
        failures a minute per IP still holds; the roles that can do harm also sign in with a second factor
        (MFA_REQUIRED_ROLES)."""
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"
        )
