"""import_orgs: the organization tree from a spreadsheet, updated by code on re-import.

Parents may come after their children in the file. Every row is checked against the tree as it will be
after the import (the file's rows over the stored organizations): unknown parent codes, kinds that cannot
sit under their parent (a branch under a branch), and cycles (A under B under A) are row errors. Rows are
then written parents first; a changed parent moves the subtree through branches.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.spreadsheets.importing import (
    Column,
    Importer,
    ParsedRow,
    RowError,
    RowsInvalid,
    choice_parser,
    parse_text,
)
from common.spreadsheets.registry import register

from .models import Organization
from .paths import is_within
from .services import organization_create, organization_update

Kind = Organization.Kind
Sector = Organization.Sector

KIND_CHOICES = {
    "县委": Kind.COUNTY,
    "乡镇党委": Kind.TOWNSHIP,
    "党委": Kind.PARTY_COMMITTEE,
    "党总支": Kind.GENERAL_BRANCH,
    "党支部": Kind.BRANCH,
    **{k.value: k.value for k in Kind},
}
SECTOR_CHOICES = {
    "农村": Sector.RURAL,
    "机关": Sector.ORGAN,
    "事业单位": Sector.INSTITUTION,
    "社区": Sector.COMMUNITY,
    "企业": Sector.ENTERPRISE,
    "其他": Sector.OTHER,
    **{s.value: s.value for s in Sector},
}
KIND_LABELS = {v: k for k, v in KIND_CHOICES.items() if not k.isascii()}
SECTOR_LABELS = {v: k for k, v in SECTOR_CHOICES.items() if not k.isascii()}

# Which kinds may be the parent of which (as Organization.clean).
ALLOWED_PARENTS = {
    Kind.COUNTY: set(),
    Kind.TOWNSHIP: {Kind.COUNTY},
    Kind.PARTY_COMMITTEE: {Kind.COUNTY, Kind.TOWNSHIP},
    Kind.GENERAL_BRANCH: {Kind.COUNTY, Kind.TOWNSHIP, Kind.PARTY_COMMITTEE},
    Kind.BRANCH: {Kind.COUNTY, Kind.TOWNSHIP, Kind.PARTY_COMMITTEE, Kind.GENERAL_BRANCH},
}


def _code(value) -> str:
    return parse_text(value, max_length=50)


def _name(value) -> str:
    return parse_text(value, max_length=200)


@register
class OrganizationImporter(Importer):
    kind = "orgs"
    label = gettext_lazy("Organizations")
    description = gettext_lazy(
        "One row per organization, identified by its code: new codes are added, known ones updated (a new "
        "parent code moves the organization with everything under it). Parents may come after children."
    )
    columns = (
        Column("code", "组织编码", required=True, parse=_code),
        Column("name", "组织名称", required=True, parse=_name),
        Column("parent_code", "上级组织编码", required=True, parse=_code),
        Column("kind", "组织类别", required=True, parse=choice_parser(KIND_CHOICES)),
        Column("sector", "领域", parse=choice_parser(SECTOR_CHOICES)),
    )

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        errors: list[RowError] = []
        # The whole tree as (code → parent code, kind): import_orgs is a county-level operation, and the cycle
        # check needs every stored link. One query.
        stored = list(Organization.objects.values_list("pk", "code", "parent_id", "kind", "path"))
        code_of = {pk: code for pk, code, _p, _k, _path in stored}
        parent: dict[str, str | None] = {code: code_of.get(p) for _pk, code, p, _k, _path in stored}
        kind: dict[str, str] = {code: k for _pk, code, _p, k, _path in stored}
        self.stored_paths = {code: path for _pk, code, _p, _k, path in stored}
        row_of: dict[str, ParsedRow] = {}
        for row in rows:
            code = row["code"]
            messages = []
            if not code:
                messages.append(_("组织编码 (code) is required."))
            elif code in row_of:
                messages.append(
                    _("The code %(code)s appears again (first in row %(row)d).")
                    % {"code": code, "row": row_of[code].number}
                )
            new = code not in kind
            if new and not row["name"]:
                messages.append(_("组织名称 (name) is required for a new organization."))
            if new and not row["kind"]:
                messages.append(_("组织类别 (kind) is required for a new organization."))
            if messages:
                errors.extend(RowError(row.number, m) for m in messages)
                continue
            row_of[code] = row
        for code, row in row_of.items():
            parent[code] = row["parent_code"]
            kind[code] = row["kind"] or kind[code]
        for code, row in row_of.items():
            errors.extend(RowError(row.number, m) for m in self._check(code, row, parent, kind, row_of))
        self.rows_by_code = row_of
        self.final_parent = parent
        return errors

    def _check(self, code, row, parent, kind, row_of) -> list[str]:
        messages = []
        own_kind = kind[code]
        parent_code = parent[code]
        if parent_code is None:
            if own_kind != Kind.COUNTY:
                messages.append(
                    _("上级组织编码 (parent_code) is blank: only the county committee has no parent.")
                )
        elif parent_code not in kind:
            messages.append(_("Unknown parent organization code “%(code)s”.") % {"code": parent_code})
            return messages
        elif kind[parent_code] not in ALLOWED_PARENTS[own_kind]:
            messages.append(
                _("A %(kind)s cannot be placed under a %(parent)s (%(code)s).")
                % {
                    "kind": KIND_LABELS[own_kind],
                    "parent": KIND_LABELS[kind[parent_code]],
                    "code": parent_code,
                }
            )
        # Follow the parents up: meeting this code again is a cycle.
        chain = [code]
        current = parent_code
        while current is not None:
            if current == code:
                messages.append(
                    _("The organization tree would have a cycle: %(chain)s.")
                    % {"chain": " → ".join([*chain, code])}
                )
                break
            if current in chain or current not in parent:
                break  # a cycle that does not include this row (reported on its own rows) or an unknown code
            chain.append(current)
            current = parent[current]
        # Stored children must still fit under a changed kind.
        if row["kind"] and self._stored_kind_changed(code, kind):
            for child, p in parent.items():
                if p == code and own_kind not in ALLOWED_PARENTS[kind[child]]:
                    messages.append(
                        _("%(child)s (%(kind)s) could no longer be under it.")
                        % {"child": child, "kind": KIND_LABELS[kind[child]]}
                    )
        if not self.scope.is_superuser:
            stored = self.stored_paths.get(code)
            if stored is not None and not any(is_within(stored, p) for p in self.scope.write_paths):
                messages.append(_("You cannot change the organization %(code)s.") % {"code": code})
        return messages

    def _stored_kind_changed(self, code, kind) -> bool:
        return code in self.stored_paths and self._stored_kinds().get(code) != kind[code]

    def _stored_kinds(self) -> dict[str, str]:
        if not hasattr(self, "_kinds_cache"):
            self._kinds_cache = dict(Organization.objects.values_list("code", "kind"))
        return self._kinds_cache

    def _depth(self, code: str) -> int:
        depth = 0
        current = self.final_parent.get(code)
        while current is not None:
            depth += 1
            current = self.final_parent.get(current)
        return depth

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        by_code = {o.code: o for o in Organization.objects.filter(code__in=set(self.final_parent))}
        moved = False
        for code in sorted(self.rows_by_code, key=self._depth):  # parents first
            row = self.rows_by_code[code]
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            if moved and parent is not None:
                parent.refresh_from_db(fields=["path", "depth"])  # an earlier move rewrote paths
            org = by_code.get(code)
            try:
                if org is None:
                    by_code[code] = organization_create(
                        code=code,
                        name=row["name"],
                        kind=row["kind"],
                        sector=row["sector"] or Sector.OTHER,
                        parent=parent,
                    )
                    counts["created"] += 1
                    continue
                changes = {
                    k: row[k]
                    for k in ("name", "kind", "sector")
                    if row[k] is not None and getattr(org, k) != row[k]
                }
                parent_changed = (parent.pk if parent else None) != org.parent_id
                if not changes and not parent_changed:
                    counts["unchanged"] += 1
                    continue
                if moved:
                    org.refresh_from_db()
                    for k, v in changes.items():
                        setattr(org, k, v)
                organization_update(org=org, parent=parent, **changes)
                moved = moved or parent_changed
                counts["updated"] += 1
            except ValidationError as e:
                raise RowsInvalid([RowError(row.number, m) for m in e.messages]) from None
        return counts
