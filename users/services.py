"""Writes to accounts. Accounts are created by the office above or by an import, never by public sign-up
(users.adapters.NoSignupAccountAdapter); a new account without a password receives an invitation to set one."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SYSTEM_EMAIL, User


def system_user() -> User:
    """The system actor, for writes that no signed-in person makes (commands, command-line imports, demo
    seeding, Celery jobs): services require a `by`, and history, `created_by` and the like record "system".

    An inactive account with an unusable password (it can never sign in) and the superuser flag, so that its
    scope is the whole county, like an operator's at the command line (`branches.selectors.COUNTY_SCOPE`).
    Created on first use."""
    user, _created = User.objects.get_or_create(
        email=SYSTEM_EMAIL,
        defaults={
            "name": "system",
            "is_active": False,
            "is_superuser": True,
            "password": make_password(None),
        },
    )
    return user


def user_create(*, email: str, name: str, password: str | None = None, language: str | None = None) -> User:
    """Create an account that signs in by e-mail.

    The e-mail is normalized to lower case and must be unused (case-insensitively). A given password is
    checked against the site's password validators; without one the account gets an unusable password and
    the caller sends the invitation (`notifications.services.invitation_send`) so the person sets their own.
    Raises ValidationError with a message the operator can act on.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(email)s” is not a valid e-mail address.") % {"email": email}}
        ) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("An account with the e-mail %(email)s exists already.") % {"email": email}}
        )
    user = User(email=email, name=(name or "").strip()[:100], language=language or settings.LANGUAGE_CODE)
    if password:
        try:
            validate_password(password, user=user)
        except ValidationError as e:
            raise ValidationError({"password": e.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_password_url(*, user: User) -> str:
    """An absolute link to allauth's set-password form (password reset from key) for `user`.

    The token (allauth's token generator) is valid for PASSWORD_RESET_TIMEOUT and becomes invalid once the
    password changes, so the link works exactly once."""
    from allauth.account import app_settings as allauth_settings
    from allauth.account.utils import user_pk_to_url_str

    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token}
    )
    return settings.SITE_URL.rstrip("/") + path


def user_email_confirm(*, user: User) -> None:
    """The holder of `user.email` followed a link sent to it (the invitation, a password reset): the address
    is confirmed (allauth's EmailAddress, verified and primary). Only a confirmed address lets an import give
    an existing account a role (members.importers.UserImporter)."""
    if not user.email:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not address.verified or not address.primary:
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
