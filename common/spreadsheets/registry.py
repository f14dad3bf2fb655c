"""The registry of import kinds shown at /imports/ and used by the import commands.

How to add an import (e.g. the education app's `meetings`):

1. In `<app>/importers.py` write a subclass of `common.spreadsheets.importing.Importer`:

       from common.spreadsheets.importing import Column, Importer, RowError, parse_date, parse_text
       from common.spreadsheets.registry import register

       @register
       class MeetingImporter(Importer):
           kind = "meetings"                      # URL slug and registry key
           label = _("Meetings")                  # shown on /imports/
           columns = (
               Column("org_code", "所在党组织编码", required=True),
               Column("held_on", "召开日期", required=True, parse=parse_date),
               ...
           )

           @classmethod
           def allowed(cls, scope) -> bool:       # who sees it in the browser (default: county office)
               return scope.has_role(*RoleAssignment.WRITE_ROLES)

           def validate(self, rows) -> list[RowError]:
               # every row, set-based: load what the rows refer to in a few queries, return all errors
               # with row.number; check scope: self.scope.can_write(org) for each row's organization.

           def apply(self, rows, *, user, scope) -> dict[str, int]:
               # called inside one transaction only when validate found nothing; write through your
               # services; return counts such as {"created": n, "updated": m, "unchanged": k};
               # raise common.spreadsheets.importing.RowsInvalid([...]) to roll everything back.

   `parse_row` (inherited) has already turned each cell with its column's `parse` into a value (None when
   blank: "not given") and reported unreadable cells.
2. Nothing else: the registry imports every installed app's `importers` module on first use, so the
   decorator runs. The browser gets an upload page, preview, confirm and a template download; a
   command can call `common.spreadsheets.commands.run_import_command(ImporterClass, path, ...)`.
"""

from __future__ import annotations

from common.discovery import app_modules

from .importing import Importer

_REGISTRY: dict[str, type[Importer]] = {}
_loaded = False


def register(importer: type[Importer]) -> type[Importer]:
    if not importer.kind:
        raise ValueError(f"{importer.__name__} has no kind")
    _REGISTRY[importer.kind] = importer
    return importer


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for _app, _module in app_modules("importers"):  # importing registers the importers
        pass
    _loaded = True


def importers() -> list[type[Importer]]:
    _load()
    return list(_REGISTRY.values())


def importers_for(scope) -> list[type[Importer]]:
    return [i for i in importers() if i.allowed(scope)]


def get_importer(kind: str) -> type[Importer] | None:
    _load()
    return _REGISTRY.get(kind)
