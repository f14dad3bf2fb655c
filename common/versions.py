"""Optimistic version check for edit forms (issue 13, 8: two editors, the second save silently reverted the
first's change). The form carries the record's `updated_at` as it was when the page was drawn; the service
locks the row and refuses the save if it changed since. What the user typed stays in the form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class VersionedFormMixin(forms.BaseForm):
    """Adds a hidden `version` (the instance's updated_at) to a ModelForm that edits a stored instance. Put
    it before the form class; cleaned_data["version"] is an aware datetime or None (an old page without it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                initial=instance.updated_at.isoformat() if instance.updated_at else "",
            )

    def clean_version(self) -> dt.datetime | None:
        value = self.cleaned_data.get("version") or ""
        try:
            return dt.datetime.fromisoformat(value) if value else None
        except ValueError:
            return None


def check_version(*, model: type[models.Model], pk: int, version: dt.datetime | None) -> None:
    """Inside the caller's transaction: lock the row and refuse if its updated_at is not `version` (None: no
    check, for writers that are not a form, such as imports)."""
    if version is None:
        return
    stored = (
        model._default_manager.select_for_update().filter(pk=pk).values_list("updated_at", flat=True).first()
    )
    if stored != version:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it. Nothing was saved; what you typed "
                "is still below. Reload the page to see their changes, then make yours again."
            ),
            code="stale",
        )
