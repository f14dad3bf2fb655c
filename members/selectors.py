"""Reads of the roster, always through the one scope (branches.selectors.scope_for)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, PartyGroup
from branches.selectors import scope_for

from . import idnumbers
from .models import BranchOfficer, CommitteeTerm, Member

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class OrgCounts(TypedDict):
    """What organizations_with_counts annotates, and the subtree totals that rollup_counts adds to them."""

    member_count: int
    full_count: int
    has_committee: bool
    total_members: int
    total_full: int


# A branch with 7 or more full members elects a committee (支部委员会); a smaller one has a secretary and
# perhaps a deputy instead (中国共产党支部工作条例, art. 8).
COMMITTEE_MIN_FULL_MEMBERS = 7


# -- members -------------------------------------------------------------------------------------------


def members_visible_to(user, *, write: bool = False) -> QuerySet[Member]:
    """Members in the user's scope; a member (role `member`) reads only their own record."""
    scope = scope_for(user)
    q = scope.q("organization", write=write)
    if not write and getattr(user, "is_authenticated", False):
        q |= Q(user_id=user.pk)
    return Member.objects.filter(q)


def member_get_for_user(*, user, pk: int, write: bool = False) -> Member:
    """One member the user may see (or change), with what the detail page shows; 404 otherwise."""
    member = (
        members_visible_to(user, write=write)
        .select_related("organization", "party_group", "user")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def member_of_user(*, user) -> Member:
    """The signed-in user's own member record (members:me); 404 when the account has none."""
    member = (
        Member.objects.select_related("organization", "party_group", "user").filter(user_id=user.pk).first()
    )
    if member is None:
        raise Http404
    return member


def members_with_ages(queryset: QuerySet[Member], *, as_of: dt.date) -> QuerySet[Member]:
    """Annotate `age` and `party_age` (whole years completed on `as_of`, as members.ages.years_between;
    party age from full membership, NULL while probationary) in the database, for sorting and filtering."""

    def completed_years(date_field: str) -> Any:
        not_yet = Q(**{f"{date_field}__month__gt": as_of.month}) | Q(
            **{f"{date_field}__month": as_of.month, f"{date_field}__day__gt": as_of.day}
        )
        return ExpressionWrapper(
            Value(as_of.year)
            - F(f"{date_field}__year")
            - Case(When(not_yet, then=Value(1)), default=Value(0), output_field=IntegerField()),
            output_field=IntegerField(),
        )

    return queryset.annotate(
        age=completed_years("birth_date"),
        party_age=Case(
            When(full_member_on__lte=as_of, then=completed_years("full_member_on")),
            default=None,
            output_field=IntegerField(),
        ),
    )


def member_search_q(text: str) -> Q:
    """Name, phone, or the visible end of the masked ID number (the last characters)."""
    text = (text or "").strip()
    if not text:
        return Q()
    q = Q(name__icontains=text) | Q(phone__contains=text)
    suffix = text.upper()
    if 1 <= len(suffix) <= 6 and all(c.isdigit() or c == "X" for c in suffix):
        q |= Q(id_number__endswith=suffix)
    elif len(suffix) == 18:
        q |= Q(id_number=idnumbers.normalize(suffix))
    return q


def living(prefix: str = "") -> Q:
    return Q(**{f"{prefix}died_on__isnull": True})


def full_members_on(as_of: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}full_member_on__lte": as_of}) & (
        Q(**{f"{prefix}died_on__isnull": True}) | Q(**{f"{prefix}died_on__gt": as_of})
    )


# -- organizations: counts and the committee rule -------------------------------------------------------


def organizations_with_counts(
    queryset: QuerySet[Organization], *, as_of: dt.date
) -> QuerySet[WithAnnotations[Organization, OrgCounts]]:
    """Annotate each organization's own living members (`member_count`), full members (`full_count`) and
    whether it has a committee (`has_committee`), in ONE grouped query for any number of organizations.

    The committee rule: a branch (党支部) has a committee when it has at least COMMITTEE_MIN_FULL_MEMBERS
    full members; general branches (党总支) and party committees (党委) always elect one; county and
    township committees are 党委 too.
    """
    alive_on = Q(members__died_on__isnull=True) | Q(members__died_on__gt=as_of)
    full = Q(members__full_member_on__lte=as_of) & alive_on
    counted = queryset.annotate(
        member_count=Count("members", filter=alive_on & Q(members__admitted_on__lte=as_of)),
        full_count=Count("members", filter=full),
    ).annotate(
        has_committee=Case(
            When(~Q(kind=Organization.Kind.BRANCH), then=Value(True)),
            When(full_count__gte=COMMITTEE_MIN_FULL_MEMBERS, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    # The totals of OrgCounts come later, from rollup_counts.
    return cast("QuerySet[WithAnnotations[Organization, OrgCounts]]", counted)


def organizations_having_committee(
    queryset: QuerySet[Organization], *, as_of: dt.date
) -> QuerySet[Organization]:
    """The organizations among `queryset` that have a committee on `as_of` (set-based, for jobs and reports:
    e.g. which branches owe a monthly 支委会)."""
    return organizations_with_counts(queryset, as_of=as_of).filter(has_committee=True)


def organization_has_committee(*, org: Organization, as_of: dt.date) -> bool:
    return organizations_having_committee(Organization.objects.filter(pk=org.pk), as_of=as_of).exists()


def rollup_counts(
    orgs: list[WithAnnotations[Organization, OrgCounts]],
) -> list[WithAnnotations[Organization, OrgCounts]]:
    """Add subtree totals (`total_members`, `total_full`) to organizations annotated by
    organizations_with_counts, ordered by path. Linear in the number of organizations; no query."""
    by_path = {o.path: o for o in orgs}
    for o in orgs:
        o.total_members = o.member_count
        o.total_full = o.full_count
    for o in sorted(orgs, key=lambda o: o.path, reverse=True):  # deepest first
        parent_path = o.path[: -len(Organization.path_segment(o.pk))]
        parent = by_path.get(parent_path)
        if parent is not None:
            parent.total_members += o.total_members
            parent.total_full += o.total_full
    return orgs


@dataclass
class TreeNode:
    org: Organization
    children: list[TreeNode] = field(default_factory=list)


def organization_tree(*, user, as_of: dt.date, search: str = "") -> tuple[list[TreeNode], list[Organization]]:
    """The organizations the user may see, as a forest (roots = the tops of their scope), with counts;
    one query. With `search`, also the flat list of matches (by name or code)."""
    scope = scope_for(user)
    orgs = list(organizations_with_counts(scope.organizations(), as_of=as_of).order_by("path"))
    rollup_counts(orgs)
    nodes = {o.path: TreeNode(o) for o in orgs}
    roots: list[TreeNode] = []
    for o in orgs:
        parent = nodes.get(o.path[: -len(Organization.path_segment(o.pk))])
        (parent.children if parent else roots).append(nodes[o.path])
    matches: list[Organization] = []
    if search:
        needle = search.strip().lower()
        matches = [o for o in orgs if needle in o.name.lower() or needle in o.code.lower()]
    return roots, matches


def organization_children_with_counts(*, org: Organization, as_of: dt.date) -> list[Organization]:
    """The direct children of `org` with subtree totals, and `org` itself totalled: one query."""
    subtree = list(
        organizations_with_counts(
            Organization.objects.filter(path__startswith=org.path), as_of=as_of
        ).order_by("path")
    )
    rollup_counts(subtree)
    for o in subtree:
        if o.pk == org.pk:
            for name in OrgCounts.__annotations__:  # the caller's object gets its row's counts
                setattr(org, name, getattr(o, name))
    return [o for o in subtree if o.parent_id == org.pk]


def party_groups_with_counts(*, org: Organization) -> QuerySet[PartyGroup]:
    return PartyGroup.objects.filter(organization=org).annotate(
        member_count=Count("members", filter=Q(members__died_on__isnull=True))
    )


# -- committees ----------------------------------------------------------------------------------------


def officers_in_order() -> QuerySet[BranchOfficer]:
    """Secretary, deputies, then committee members by name."""
    return BranchOfficer.objects.select_related("member").order_by(
        Case(
            When(position=BranchOfficer.Position.SECRETARY, then=Value(0)),
            When(position=BranchOfficer.Position.DEPUTY, then=Value(1)),
            default=Value(2),
        ),
        "member__name",
    )


def committee_term_current(*, org: Organization, as_of: dt.date | None = None) -> CommitteeTerm | None:
    """The latest term elected on or before `as_of`, its officers loaded (secretary first); two queries."""
    as_of = as_of or timezone.localdate()
    officers = officers_in_order()
    return (
        CommitteeTerm.objects.filter(organization=org, elected_on__lte=as_of)
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("-elected_on")
        .first()
    )


def member_offices(*, member: Member) -> QuerySet[BranchOfficer]:
    return (
        BranchOfficer.objects.filter(member=member)
        .select_related("term", "term__organization")
        .order_by("-term__elected_on")
    )


# -- history -------------------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[Change]


def _display(member_field, value, lookups: dict[str, dict[int, str]]) -> str:
    if value is None or value == "":
        return "—"
    name = member_field.name
    if name in lookups:
        return lookups[name].get(value, f"#{value}")
    if name == "id_number":
        return idnumbers.mask(value)
    if member_field.choices:
        return str(dict(member_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def member_history(*, member: Member, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when, newest first, readable: field names, choice labels, organization and
    party-group names, ID numbers masked. A bounded number of queries (3) however long the history."""
    records = list(
        member.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    fk_fields: dict[str, type[Organization] | type[PartyGroup]] = {
        "organization": Organization,
        "party_group": PartyGroup,
    }
    ids: dict[str, set[int]] = {name: set() for name in fk_fields}
    pairs = []
    for i, record in enumerate(records[:limit]):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = (
            record.diff_against(older).changes if older is not None and record.history_type == "~" else []
        )
        pairs.append((record, changes))
        for change in changes:
            if change.field in ids:
                ids[change.field].update(v for v in (change.old, change.new) if v)
    lookups: dict[str, dict[int, str]] = {
        name: dict(model.objects.filter(pk__in=ids[name]).values_list("pk", "name")) if ids[name] else {}
        for name, model in fk_fields.items()
    }
    lookups["user"] = {}
    entries = []
    for record, changes in pairs:
        readable = []
        for change in changes:
            model_field = Member._meta.get_field(change.field)
            assert isinstance(model_field, Field)  # history diffs are of concrete fields
            if change.field == "user":
                readable.append(Change(str(model_field.verbose_name), "", _("account linked or changed")))
                continue
            readable.append(
                Change(
                    str(model_field.verbose_name),
                    _display(model_field, change.old, lookups),
                    _display(model_field, change.new, lookups),
                )
            )
        who = str(record.history_user) if record.history_user else _("system")
        entries.append(HistoryEntry(record.history_date, who, record.history_type, readable))
    return entries
