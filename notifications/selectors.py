"""Reads of the outbox. A user sees only their own deliveries (the outbox is personal, not scoped by org)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Delivery


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Delivery]:
    """The user's notifications, newest first; digests themselves are not listed (their items are)."""
    qs = Delivery.objects.filter(user=user).exclude(kind="digest")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.only("pk", "subject", "url", "kind", "status", "created_at", "read_at")


def unread_count(*, user) -> int:
    return inbox_for(user=user, unread_only=True).count()


def unread_recent(*, user, limit: int) -> list[Delivery]:
    """The user's latest unread notifications."""
    return list(inbox_for(user=user, unread_only=True)[:limit])


def delivery_get_own(*, user, pk: int) -> Delivery:
    """The user's own delivery; someone else's is the same 404 as a missing one."""
    return get_object_or_404(Delivery.objects.only("pk", "user_id", "url", "read_at"), pk=pk, user=user)
