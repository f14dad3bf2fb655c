"""An uploaded spreadsheet kept between preview and confirm, so that confirm applies exactly the file that was
previewed (and an operator can see later who imported what, and with which result)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportUpload(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("import kind"), max_length=50)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
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
