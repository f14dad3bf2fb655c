"""Reads of accounts."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models import F


def emails_confirmed(*, emails: Iterable[str]) -> set[str]:
    """Of `emails` (lower case), those that are an account's own address and were confirmed by its holder:
    the confirmation link of an e-mail change, or the invitation / password-reset link sent to it."""
    emails = {e.lower() for e in emails if e}
    if not emails:
        return set()
    return set(
        EmailAddress.objects.filter(email__in=emails, verified=True, user__email=F("email")).values_list(
            "email", flat=True
        )
    )
