"""An uploaded spreadsheet kept between preview and confirm, so that confirm applies exactly the file that was
previewed (and an operator can see later who imported what, and with which result).

The file holds personal data (ID numbers): it is stored under a random name, never served (media is not a URL
of this site), and deleted as soon as it is applied, or after IMPORT_UPLOAD_KEEP_HOURS when abandoned
(spreadsheets.jobs). The row stays, with the counts and the result."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_path(instance, filename: str) -> str:
    """A random name: the original one (often a person's or an organization's) is kept in `original_name`."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ImportUpload(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("import kind"), max_length=50)
    file = models.FileField(_("file"), upload_to=upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    created = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("spreadsheet upload")
        verbose_name_plural = _("spreadsheet uploads")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.kind} {self.original_name} {self.created:%Y-%m-%d %H:%M}"
