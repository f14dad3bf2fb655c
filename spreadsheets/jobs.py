"""Abandoned uploads lose their file (personal data) after IMPORT_UPLOAD_KEEP_HOURS."""

import datetime as dt

from notifications.jobs import periodic_job

from . import services


@periodic_job("import_uploads_purge")
def import_uploads_purge(as_of: dt.date) -> int:
    return services.uploads_purge()
