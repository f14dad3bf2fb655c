"""Reads of the stored uploads. An upload belongs to its uploader: anybody else gets 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ImportUpload


def uploads_recent(*, user, limit: int = 10) -> QuerySet[ImportUpload]:
    """The user's latest uploads, newest first."""
    return ImportUpload.objects.filter(user=user)[:limit]


def upload_get_own(*, user, pk: int) -> ImportUpload:
    """The user's own upload; someone else's is the same 404 as a missing one."""
    return get_object_or_404(ImportUpload, pk=pk, user=user)
