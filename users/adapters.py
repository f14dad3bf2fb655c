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
