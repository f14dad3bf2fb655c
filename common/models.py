from django.db import models
from django.utils.translation import gettext_lazy as _


class TableVersion(models.Model):
    """The version of one table's contents (common.table_versions): bumped by database triggers in every
    transaction that writes the table, whatever writes it (a form, the admin, an import, a bulk update, raw
    SQL). Figures computed from a set of tables may be cached under their versions and are then exact.
    `token` is new whenever the row is created again (after a flush), so that a version never repeats."""

    table = models.CharField(max_length=63, primary_key=True)
    token = models.CharField(max_length=32)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("table version")
        verbose_name_plural = _("table versions")

    def __str__(self) -> str:
        return f"{self.table} {self.token}:{self.n}"
