"""After restoring a backup (or copying a database): every table version under a new token, so that nothing
cached for another copy of the data is ever read for this one (common.table_versions.versions_renew)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from common.table_versions import versions_renew


class Command(BaseCommand):
    help = "Give every table version a new token (run after restoring a backup, before serving)."

    def handle(self, *args, **options):
        count = versions_renew()
        self.stdout.write(f"{count} table versions renewed")
