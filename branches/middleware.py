"""Two-factor sign-in required by role (issue 13, Medium 12).

An account holding one of settings.MFA_REQUIRED_ROLES (production: the county office and the township roles;
a superuser too) that has no authenticator app yet is sent to allauth.mfa's set-up page before any other page.
The account pages (/accounts/: sign-out, the set-up itself, re-authentication) and static files stay open.
Once set up, the session remembers it: no query on later requests. Lives in branches because the roles do;
users knows no organization."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import scope_for

SESSION_KEY = "mfa_checked"


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        required = set(getattr(settings, "MFA_REQUIRED_ROLES", ()))
        user = getattr(request, "user", None)
        if required and user is not None and user.is_authenticated and not request.session.get(SESSION_KEY):
            if self._open(request.path):
                return self.get_response(request)
            scope = scope_for(user)
            needs_mfa = scope.is_superuser or bool(scope.roles.intersection(required))
            if (
                needs_mfa
                and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            ):
                return redirect("mfa_activate_totp")
            request.session[SESSION_KEY] = True
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        accounts = reverse("account_login").rsplit("/", 2)[0] + "/"
        return path.startswith((accounts, settings.STATIC_URL, "/i18n/"))
