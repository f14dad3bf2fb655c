"""Reads of the roster, always through the one scope (branches.selectors.scope_for)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial, reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches import paths
from branches.models import Organization, PartyGroup, RoleAssignment
from branches.paths import path_at_depth, subtree_q
from branches.selectors import Scope, scope_for
from common import statements
from common.table_versions import cached_exactly
from notifications.services import Escalation, recipients_above, recipients_for

from . import idnumbers
from .ages import years_before
from .models import BranchOfficer, CommitteeTerm, Member, Transfer

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class OrgCounts(TypedDict):
    """What organizations_with_counts annotates."""

    member_count: int
    full_count: int
    has_committee: bool


# A branch with 7 or more full members elects a committee (支部委员会); a smaller one has a secretary and
# perhaps a deputy instead (中国共产党支部工作条例, art. 8).
COMMITTEE_MIN_FULL_MEMBERS = 7


# -- members -------------------------------------------------------------------------------------------


def _visible_q(user, *, write: bool) -> Q:
    scope = scope_for(user)
    q = scope.q("organization", write=write)
    if not write and getattr(user, "is_authenticated", False):
        q |= Q(user_id=user.pk)
    return q


def members_visible_to(user, *, write: bool = False) -> QuerySet[Member]:
    """Members in the user's scope; a member (role `member`) reads only their own record."""
    return Member.objects.filter(_visible_q(user, write=write))


def member_get_for_user(*, user, pk: int, write: bool = False) -> Member:
    """One member the user may see (or change), with what the detail page shows; 404 otherwise. Its statement
    compiled once per scope (the scope's Q as text: its paths and the user's id; common.statements); one row at
    most, so no ordering (first() would sort by the model's ordering, compiled and planned for nothing)."""
    q = _visible_q(user, write=write)
    found = statements.by_id(
        Member,
        ("members.member_get_for_user", str(q)),
        lambda member_pk: (
            Member.objects.filter(q)
            .select_related("organization", "party_group", "user")
            .filter(pk=member_pk)
            .order_by()[:1]
        ),
        pk,
    )
    member = found[0] if found else None
    if member is None:
        raise Http404
    return member


# What a writer is told when an ID number is taken by a member they cannot see (an import row, the create
# form): the same words whatever the reason, so that the roster elsewhere cannot be probed (issue 13, Medium 7).
ID_NUMBER_UNAVAILABLE = gettext_lazy(
    "This ID number cannot be registered here. If it is right, the county organization department can help."
)


def member_with_id_number_seen(*, scope: Scope, number: str, exclude_pk: int | None = None) -> Member | None:
    """The member with this ID number if the user may see them (then saying so leaks nothing), else None."""
    members = scope.filter(Member.objects.filter(id_number=number), "organization").select_related(
        "organization"
    )
    return members.exclude(pk=exclude_pk).first() if exclude_pk else members.first()


def member_by_id_number(*, scope: Scope, number: str) -> Member | None:
    """The member with this exact ID number among those the user may change (an exact search)."""
    return scope.filter(Member.objects.filter(id_number=number), "organization", write=True).first()


# Every table the roster's list reads: the number of members it finds is cached exactly under them
# (common.pagination).
LIST_TABLES = ("members_member", "branches_organization", "branches_partygroup")


# What the roster's list shows of each member (and what its ages, masks and badges are made from).
LIST_COLUMNS = (
    "pk",
    "organization_id",
    "name",
    "id_number",
    "phone",
    "birth_date",
    "full_member_on",
    "veteran_cadre",
    "hardship",
    "is_mobile",
    "died_on",
    "departed_on",
    "departure_reason",
    "organization__name",
    "organization__path",
    "party_group__name",
)


def members_for_list(*, user) -> QuerySet[Member]:
    """The members the user may see (filter them, then members_in_list_order)."""
    return members_visible_to(user)


def members_in_list_order(queryset: QuerySet[Member]) -> QuerySet[Member, dict[str, Any]]:
    """The (filtered) members by organization and name, as the values the list shows (LIST_COLUMNS; a page of
    model instances with their organization and group cost twice the query). A page shows its ages with
    members.ages (as members_with_ages): the two annotations cost more to build and compile than the 50
    rows' arithmetic (issue 14)."""
    return queryset.order_by("organization__path", "name", "pk").values(*LIST_COLUMNS)


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


ID_SUFFIX_VISIBLE = 2  # the characters idnumbers.mask leaves at the end


def exact_id_searched(text: str) -> str | None:
    """The ID number when `text` is one (18 characters, 17 digits and a digit or X), else None."""
    number = idnumbers.normalize(text)
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        return number
    return None


def member_search_q(text: str, *, scope: Scope | None = None) -> Q:
    """Name, phone, or the end of the ID number.

    Beyond what the mask shows (the last 2 characters) the ID number is searched only among the members the
    user may change: an exact 18-character search would otherwise confirm a guess, and a reader (an officer)
    who sees the mask could recover the number in a few requests (issue 13, High 3). The view records every
    exact search (members.services.member_id_search_recorded)."""
    text = (text or "").strip()
    if not text:
        return Q()
    q = Q(name__icontains=text) | Q(phone__contains=text)
    suffix = text.upper()
    writable = Q() if scope is None else scope.q("organization", write=True)
    if 1 <= len(suffix) <= 6 and all(c.isdigit() or c == "X" for c in suffix):
        q |= Q(id_number__endswith=suffix) & (Q() if len(suffix) <= ID_SUFFIX_VISIBLE else writable)
    elif (number := exact_id_searched(suffix)) is not None:
        q |= Q(id_number=number) & writable
    return q


def on_roll_q(prefix: str = "") -> Q:
    """On the roll now, whatever the date: neither dead nor departed (the roster's default list, pickers)."""
    return Q(**{f"{prefix}died_on__isnull": True, f"{prefix}departed_on__isnull": True})


def living_on_q(on: dt.date, prefix: str = "") -> Q:
    """THE definition of "a member on day `on`", as a Q (`prefix` reaches Member from another model, e.g.
    "members__" from Organization): admitted on or before that day (admitted that day counts), not dead by
    it (whoever died that day no longer counts: no benefit on the day of death, the condolence starts) and
    not departed by it (转出, 退党, 除名 … on that day: off the roll that day, like a death)."""
    return (
        Q(**{f"{prefix}admitted_on__lte": on})
        & (Q(**{f"{prefix}died_on__isnull": True}) | Q(**{f"{prefix}died_on__gt": on}))
        & (Q(**{f"{prefix}departed_on__isnull": True}) | Q(**{f"{prefix}departed_on__gt": on}))
    )


def _transfers_after(on: dt.date) -> QuerySet[Transfer]:
    """Each member's first transfer dated after `on` (its `from_organization` is where they were on `on`)."""
    earlier = Transfer.objects.filter(member=OuterRef("member"), transferred_on__gt=on).filter(
        Q(transferred_on__lt=OuterRef("transferred_on"))
        | Q(transferred_on=OuterRef("transferred_on"), pk__lt=OuterRef("pk"))
    )
    return Transfer.objects.filter(transferred_on__gt=on).filter(~Exists(earlier))


def in_subtree_on_q(on: dt.date, org: Organization) -> Q:
    """Members whose organization on `on` was in `org`'s subtree: a transfer dated after `on` is undone
    (the member counts where they came from), so a later transfer changes no figure of that day."""
    later = Transfer.objects.filter(member=OuterRef("pk"), transferred_on__gt=on)
    were_there = _transfers_after(on).filter(subtree_q(org, field="from_organization")).values("member")
    return (subtree_q(org) & ~Exists(later)) | Q(pk__in=were_there)


def organization_on(on: dt.date, field: str = "id") -> Any:
    """An expression for a Member queryset: `field` of the member's organization on `on` ("id", "code",
    "path" …), the transfers dated after `on` undone; e.g. `.values(org=organization_on(d))` to group the
    members of a past day by where they were then."""
    first_later = (
        Transfer.objects.filter(member=OuterRef("pk"), transferred_on__gt=on)
        .order_by("transferred_on", "pk")
        .values(f"from_organization__{field}")[:1]
    )
    # The correlated subquery runs only for the members who moved after `on`: the set of them is built
    # once (a hashed subplan) and most members, all of them when `on` is today, never reach it.
    moved_later = Transfer.objects.filter(transferred_on__gt=on).values("member_id")
    return Case(
        When(pk__in=moved_later, then=Coalesce(Subquery(first_later), F(f"organization__{field}"))),
        default=F(f"organization__{field}"),
    )


def living_on(*, on: dt.date, org: Organization | None = None) -> QuerySet[Member]:
    """Who was a member on `on` (living_on_q), in `org`'s subtree on that day when given (in_subtree_on_q)."""
    members = Member.objects.filter(living_on_q(on))
    return members.filter(in_subtree_on_q(on, org)) if org is not None else members


def transfers_after_exist(on: dt.date) -> bool:
    """Whether any transfer is dated after `on` (one query). When none is (today, usually), everyone's
    organization on `on` is their organization now: in_subtree_on_q is subtree_q and organization_on the
    organization's own field, the same rows without the OR that reads every member of the county or the
    subquery per member (issue 14)."""
    return Transfer.objects.filter(transferred_on__gt=on).exists()


def living_in(*, on: dt.date, org: Organization, moved: bool | None = None) -> QuerySet[Member]:
    """living_on(on=, org=) for a list or a count of a subtree: one query more (transfers_after_exist, unless
    the caller knows `moved`), and when nobody moved after `on`, the subtree's members as they stand, through
    the organization's index."""
    if transfers_after_exist(on) if moved is None else moved:
        return living_on(on=on, org=org)
    return Member.objects.filter(living_on_q(on), subtree_q(org))


def full_members_on(as_of: dt.date, prefix: str = "") -> Q:
    """Full members on `as_of` (a full member was admitted before: a constraint says so)."""
    return Q(**{f"{prefix}full_member_on__lte": as_of}) & living_on_q(as_of, prefix)


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
    member_count: Any = Count("members", filter=living_on_q(as_of, "members__"))
    full_count: Any = Count("members", filter=full_members_on(as_of, "members__"))
    if as_of < timezone.localdate():
        # A transfer is never dated in the future: only a past day needs the transfers after it undone (a
        # member who came in later is taken off, a member who left later is counted where they were).
        later = Transfer.objects.filter(member=OuterRef("pk"), transferred_on__gt=as_of)
        came_later = Member.objects.filter(organization=OuterRef("pk")).filter(Exists(later))
        left_later = _transfers_after(as_of).filter(from_organization=OuterRef("pk"))
        member_count = (
            member_count
            - _count(came_later.filter(living_on_q(as_of)))
            + _count(left_later.filter(living_on_q(as_of, "member__")))
        )
        full_count = (
            full_count
            - _count(came_later.filter(full_members_on(as_of)))
            + _count(left_later.filter(full_members_on(as_of, "member__")))
        )
    counted = queryset.annotate(member_count=member_count, full_count=full_count).annotate(
        has_committee=Case(
            When(~Q(kind=Organization.Kind.BRANCH), then=Value(True)),
            When(full_count__gte=COMMITTEE_MIN_FULL_MEMBERS, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    return cast("QuerySet[WithAnnotations[Organization, OrgCounts]]", counted)


# Everything subtree_member_totals counts: its counts are cached exactly under these tables' versions.
SUBTREE_TOTALS_TABLES = ("branches_organization", "members_member")


def subtree_member_totals(orgs: list[Organization], *, as_of: dt.date) -> None:
    """Set `total_members` and `total_full` on each of `orgs`: the living and the full members of its subtree
    on `as_of` (today or later: members stand where they are now). One grouped query per depth among `orgs`
    (the members of the subtrees above them, counted per organization at that depth), so a page that shows a
    county's townships counts them without loading the county's hundreds of organizations (issue 14); the
    counts are kept in the cache while neither members nor organizations are written (common.table_versions:
    one query per depth instead)."""
    by_depth: dict[int, list[Organization]] = {}
    for org in orgs:
        by_depth.setdefault(paths.depth(org.path), []).append(org)
    for depth, group in by_depth.items():
        # the subtrees the group lies in: its parents' (or its own, for a top), fewest prefixes
        prefixes = sorted(paths.minimal_prefixes({paths.parent_path(o.path) or o.path for o in group}))
        counts = cached_exactly(
            f"members:subtree_totals:{depth}:{'|'.join(prefixes)}:{as_of.isoformat()}",
            tables=SUBTREE_TOTALS_TABLES,
            compute=partial(_subtree_counts, prefixes, depth=depth, as_of=as_of),
        )
        for org in group:
            total, full = counts.get(org.path, (0, 0))
            setattr(org, "total_members", total)  # noqa: B010  (annotations of the tree's figures)
            setattr(org, "total_full", full)  # noqa: B010


def _subtree_counts(prefixes: list[str], *, depth: int, as_of: dt.date) -> dict[str, tuple[int, int]]:
    """{path at `depth`: (living members, full members)} of the subtrees of `prefixes` on `as_of`."""
    return {
        unit: (n, full)
        for unit, n, full in Member.objects.filter(living_on_q(as_of))
        .filter(reduce(or_, (subtree_q(prefix) for prefix in prefixes)))
        .annotate(unit=path_at_depth("organization__path", depth=depth))
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"), full=Count("pk", filter=Q(full_member_on__lte=as_of)))
        .values_list("unit", "n", "full")
    }


def _count(queryset: QuerySet) -> Any:
    """How many rows `queryset` (correlated by OuterRef) has, as a subquery without GROUP BY."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def organizations_having_committee(
    queryset: QuerySet[Organization], *, as_of: dt.date
) -> QuerySet[Organization]:
    """The organizations among `queryset` that have a committee on `as_of` (set-based, for jobs and reports:
    e.g. which branches owe a monthly 支委会)."""
    return organizations_with_counts(queryset, as_of=as_of).filter(has_committee=True)


def party_groups_with_counts(*, org: Organization) -> QuerySet[PartyGroup]:
    return PartyGroup.objects.filter(organization=org).annotate(
        member_count=Count("members", filter=on_roll_q("members__"))
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


def committee_candidates(*, org: Organization) -> QuerySet[Member]:
    """Who may be elected to the organization's committee: its members on the roll, by name."""
    return Member.objects.filter(organization=org).filter(on_roll_q()).order_by("name")


def committee_term_current(*, org: Organization, as_of: dt.date | None = None) -> CommitteeTerm | None:
    """The latest term elected on or before `as_of`, its officers loaded (secretary first); two queries.
    An officer who died or left the roll by `as_of` is no longer listed (the term's record keeps them)."""
    as_of = as_of or timezone.localdate()
    officers = officers_in_order().filter(living_on_q(as_of, "member__"))
    return (
        CommitteeTerm.objects.filter(organization=org, elected_on__lte=as_of)
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("-elected_on")
        .first()
    )


# Everything basic_organization_figures reads.
BASIC_FIGURES_TABLES = (
    "members_committeeterm",
    "members_branchofficer",
    "members_member",
    "branches_partygroup",
)


def basic_organization_figures(
    *, org: Organization, as_of: dt.date
) -> tuple[CommitteeTerm | None, list[PartyGroup]]:
    """What the organization page shows of a basic organization: its current committee term with its officers
    (committee_term_current) and its party groups with their member counts (party_groups_with_counts). From
    the cache while none of BASIC_FIGURES_TABLES has been written (common.table_versions; one query, where they
    are three), as the page shows them on every visit."""

    def compute() -> tuple[CommitteeTerm | None, list[PartyGroup]]:
        term = committee_term_current(org=org, as_of=as_of)
        return term, list(party_groups_with_counts(org=org))

    return cached_exactly(
        f"members:basic_organization_figures:{org.pk}:{as_of.isoformat()}",
        tables=BASIC_FIGURES_TABLES,
        compute=compute,
    )


def member_transfers(*, member: Member) -> list[Transfer]:
    """The member's transfers between organizations (as the model orders them). Its statement compiled once
    (common.statements)."""
    return statements.by_id(
        Transfer,
        "members.member_transfers",
        lambda pk: Transfer.objects.filter(member_id=pk).select_related(
            "from_organization", "to_organization", "created_by"
        ),
        member.pk,
    )


def officers_of_term(*, term: CommitteeTerm) -> QuerySet[BranchOfficer]:
    return officers_in_order().filter(term=term)


def member_offices(*, member: Member) -> list[BranchOfficer]:
    """The member's offices, the latest term first. Its statement compiled once (common.statements)."""
    return statements.by_id(
        BranchOfficer,
        "members.member_offices",
        lambda pk: (
            BranchOfficer.objects.filter(member_id=pk)
            .select_related("term", "term__organization")
            .order_by("-term__elected_on")
        ),
        member.pk,
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


def _display(member_field, value, lookups: dict[str, dict[int, str]], *, masked: bool = False) -> str:
    if value is None or value == "":
        return "—"
    name = member_field.name
    if name in lookups:
        return lookups[name].get(value, f"#{value}")
    if name == "id_number":
        return idnumbers.mask(value)
    if masked and name == "birth_date":
        return idnumbers.mask_birth_date(value)
    if masked and name == "phone":
        return idnumbers.mask_phone(value)
    if member_field.choices:
        return str(dict(member_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def member_history(*, member: Member, limit: int = 50, masked: bool = False) -> list[HistoryEntry]:
    """Who changed what and when, newest first, readable: field names, choice labels, organization and
    party-group names, ID numbers masked (and with `masked`, for those who only read: birth dates and phone
    numbers too). A bounded number of queries (3) however long the history."""
    records = statements.by_id(
        Member,
        ("members.member_history", limit),
        lambda pk: (
            Member.history.filter(id=pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: limit + 1]
        ),
        member.pk,
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
                    _display(model_field, change.old, lookups, masked=masked),
                    _display(model_field, change.new, lookups, masked=masked),
                )
            )
        who = str(record.history_user) if record.history_user else _("system")
        entries.append(HistoryEntry(record.history_date, who, record.history_type, readable))
    return entries


# -- probation (预备期满转正表决: the probation_due job) ------------------------------------------------

PROBATION_NOTICE_DAYS = 30
TOWNSHIP_ROLES = (RoleAssignment.Role.TOWNSHIP_SECRETARY, RoleAssignment.Role.TOWNSHIP_STAFF)


def probation_due_on_or_before(day: dt.date) -> Q:
    """Members whose probation ends on or before `day`, as a database filter (exact, including 29 Feb):
    the extended date when there is one, otherwise one year after admission (`Member.probation_due_on`)."""
    return Q(probation_ends_on__isnull=False, probation_ends_on__lte=day) | Q(
        probation_ends_on__isnull=True, admitted_on__lte=years_before(day, 1)
    )


def probationers_due(*, as_of: dt.date, within_days: int = PROBATION_NOTICE_DAYS) -> QuerySet[Member]:
    """Probationary members on the roll on `as_of` whose probation ends within `within_days` after `as_of`
    or has ended (a departed member, 取消预备党员资格 included, is no longer reminded about)."""
    return Member.objects.filter(
        probation_due_on_or_before(as_of + dt.timedelta(days=within_days)),
        living_on_q(as_of),
        full_member_on__isnull=True,
    )


@dataclass(frozen=True)
class StatusCounts:
    members: int = 0
    full: int = 0
    probation_due: int = 0  # as probationers_due: probation ends within PROBATION_NOTICE_DAYS or has ended

    @property
    def probationary(self) -> int:
        return self.members - self.full


def member_status_counts(*, on: dt.date, org: Organization, depth: int) -> dict[str, StatusCounts]:
    """The members of `org`'s subtree on `on` (living_on: the organization of that day), by status, per the
    path of the ancestor at `depth` of their organization on that day (branches.paths.path_at_depth; members
    standing higher fall under their own organization's path). One grouped query, after transfers_after_exist
    (nobody moved after `on`: where they stand now)."""
    due = Q(pk__in=probationers_due(as_of=on).values("pk"))
    moved = transfers_after_exist(on)
    path = organization_on(on, "path") if moved else F("organization__path")
    rows = (
        living_in(on=on, org=org, moved=moved)
        .annotate(unit=path_at_depth(path, depth=depth))
        .order_by()
        .values("unit")
        .annotate(
            n=Count("pk"),
            full_n=Count("pk", filter=Q(full_member_on__lte=on)),
            due_n=Count("pk", filter=due),
        )
    )
    return {r["unit"]: StatusCounts(r["n"], r["full_n"], r["due_n"]) for r in rows}


@dataclass
class ProbationNotice:
    """Who is told about one member's probation: `kind` is "probation_due" (within PROBATION_NOTICE_DAYS
    before the due date: the branch secretary) or "probation_overdue" (from the due date on: the branch
    secretary and the township's secretaries and staff, `township` naming it)."""

    member: Member
    kind: str
    due_on: dt.date
    recipients: list
    township: str | None = None


def probation_notices(*, as_of: dt.date) -> list[ProbationNotice]:
    """The probation notices due on `as_of`: three queries whatever the county's size (the candidates with
    their township's name, the branch secretaries, the township secretaries and staff)."""
    township_name = (
        Organization.objects.filter(kind=Organization.Kind.TOWNSHIP)
        .filter(StartsWith(OuterRef("organization__path"), F("path")))
        .values("name")[:1]
    )
    candidates = list(
        probationers_due(as_of=as_of)
        .select_related("organization")
        .only("pk", "name", "admitted_on", "probation_ends_on", "organization__name", "organization__path")
        .annotate(township_name=Subquery(township_name))
    )
    if not candidates:
        return []
    secretaries = recipients_for(
        org_ids={m.organization_id for m in candidates}, roles=[RoleAssignment.Role.BRANCH_SECRETARY]
    )
    overdue = [m for m in candidates if m.probation_due_on <= as_of]
    township_staff = (
        recipients_above(
            paths={m.organization.path for m in overdue},
            roles=TOWNSHIP_ROLES,
            kind=Organization.Kind.TOWNSHIP,
        )
        if overdue
        else {}
    )
    notices = []
    for member in candidates:
        due = member.probation_due_on
        recipients = list(secretaries.get(member.organization_id, []))
        staff = township_staff.get(member.organization.path, []) if due <= as_of else []
        recipients += [u for u in staff if all(u.pk != r.pk for r in recipients)]
        notices.append(
            ProbationNotice(
                member=member,
                kind="probation_overdue" if due <= as_of else "probation_due",
                due_on=due,
                recipients=recipients,
                township=member.township_name if staff else None,
            )
        )
    return notices


# -- escalation to the county (probation_county_escalation) ------------------------------------------------

PROBATION_COUNTY_AFTER_DAYS = (
    30  # still unconfirmed a month after the probation year ended: the county office
)


def probation_county_escalations(*, as_of: dt.date) -> list[Escalation]:
    """Probationary members on the roll whose probation ended PROBATION_COUNTY_AFTER_DAYS or more ago with no
    confirmation recorded (the township was told on the due day, `probation_overdue`): once per member and due
    date, key "county_probation:<member>:<user>:<due date>" (an extension gives a new due date). A member
    confirmed (full_member_on), departed or dead is left out. One query."""
    members = (
        Member.objects.filter(
            probation_due_on_or_before(as_of - dt.timedelta(days=PROBATION_COUNTY_AFTER_DAYS)),
            living_on_q(as_of),
            full_member_on__isnull=True,
        )
        .select_related("organization")
        .order_by("pk")
    )
    out = []
    for m in members:
        try:
            url = reverse("members:detail", args=[m.pk])
        except NoReverseMatch:  # the roster pages are not installed
            url = ""
        out.append(
            Escalation(
                what="county_probation",
                obj=m.pk,
                period=m.probation_due_on.isoformat(),
                org_path=m.organization.path,
                organization=m.organization.name,
                text=format_lazy(
                    gettext_lazy("Probation of {name} ended on {due}; no confirmation recorded"),
                    name=m.name,
                    due=m.probation_due_on.isoformat(),
                ),
                url=url,
            )
        )
    return out
