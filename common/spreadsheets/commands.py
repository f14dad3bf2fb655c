"""The shared body of the import commands: all-or-nothing, errors to stderr. The caller passes the acting
user and the scope (operators act for the whole county, as `users.services.system_user()` with
`branches.selectors.COUNTY_SCOPE`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper
from django.utils.translation import gettext as _

from .importing import SUMMARY_LABELS, Importer, run_import


def run_import_command(
    importer_cls: type[Importer],
    path: str,
    *,
    user,
    scope,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
    dry_run: bool = False,
) -> None:
    file = Path(path)
    if not file.is_file():
        raise CommandError(_("%(path)s: no such file") % {"path": path})
    importer = importer_cls(user=user, scope=scope)
    with file.open("rb") as fh:
        report = run_import(importer, fh, name=file.name, commit=not dry_run)
    if report.errors:
        for error in report.errors:
            stderr.write(str(error))
        raise CommandError(
            _("%(n)d error(s) in %(file)s; nothing was written.")
            % {"n": len(report.errors), "file": file.name}
        )
    for message in report.messages:
        stdout.write(message)
    if dry_run:
        stdout.write(
            _("%(n)d row(s) checked, no errors (dry run: nothing written).") % {"n": len(report.rows)}
        )
        return
    counts = ", ".join(f"{SUMMARY_LABELS.get(k, k)}: {v}" for k, v in report.summary.items())
    stdout.write(
        _("%(file)s: %(n)d row(s); %(counts)s") % {"file": file.name, "n": len(report.rows), "counts": counts}
    )
