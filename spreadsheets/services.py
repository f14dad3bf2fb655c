"""Writes for browser imports: storing an upload, caching its preview, and letting go of the file."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.spreadsheets.importing import ImportReport

from .models import ImportUpload


def upload_create(*, user, kind: str, file) -> ImportUpload:
    return ImportUpload.objects.create(user=user, kind=kind, file=file, original_name=file.name[:255])


def upload_record_preview(*, upload: ImportUpload, report: ImportReport) -> None:
    """Keep what the preview found, so that reloading the page does not read the file again."""
    width = len(report.headers)
    upload.row_count, upload.error_count = len(report.rows), len(report.errors)
    upload.result = {
        "preview": {
            "headers": report.headers,
            "rows": [
                [number, [_json(c) for c in (cells + [None] * width)[:width]]]
                for number, cells in report.raw_preview
            ],
            "errors": [str(e) for e in report.errors],
        }
    }
    upload.save(update_fields=["row_count", "error_count", "result"])


def _json(cell):
    return cell.isoformat() if isinstance(cell, dt.date) else cell


def upload_release_file(*, upload: ImportUpload) -> None:
    """Delete the stored file (after the transaction that used it commits); the row keeps the result."""
    if not upload.file:
        return
    name, storage = str(upload.file.name), upload.file.storage
    ImportUpload.objects.filter(pk=upload.pk).update(file="")
    upload.file = ""
    transaction.on_commit(lambda: storage.delete(name))


def uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of uploads nobody applied within IMPORT_UPLOAD_KEEP_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=getattr(settings, "IMPORT_UPLOAD_KEEP_HOURS", 24))
    count = 0
    for upload in ImportUpload.objects.filter(created__lt=cutoff).exclude(file=""):
        upload_release_file(upload=upload)
        count += 1
    return count
