"""Reads of the outbox. A user sees only their own deliveries (the outbox is personal, not scoped by org)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Delivery


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Delivery]:
    """The user's notifications, newest first; digests themselves are not listed (their items are)."""
    qs = Delivery.objects.filter(user=user).exclude(kind="digest")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.only("pk", "subject", "url", "kind", "status", "created_at", "read_at")


def unread_count(*, user) -> int:
    return inbox_for(user=user, unread_only=True).count()
