"""Reads of the organization tree, and THE scoping mechanism: every view, export, command and task asks
`scope_for(user)` what the user may see or change. Outsiders get 404 (not 403), so existence never leaks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import OfficerAssignment, Organization, RoleAssignment
from .paths import ancestor_ids, is_within, minimal_prefixes, subtree_q

Role = RoleAssignment.Role


@dataclass(frozen=True)
class Scope:
    """What one user may read and write, as organization-path prefixes.

    - county office, township secretary/staff, branch secretary: read and write their organization's subtree;
    - officer: read the subtrees of the organizations assigned to them (OfficerAssignment active today,
      or an `officer` role row);
    - member: their own member record only (`member_user_id`);
    - superuser: everything.
    """

    user_id: int | None
    is_superuser: bool = False
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def read_key(self) -> str:
        """What the scope reads, as a part of a cache key (figures that count only what it reads)."""
        return "*" if self.is_superuser else "|".join(sorted(self.read_paths))

    # -- building blocks -------------------------------------------------------------------------
    def _paths(self, write: bool) -> tuple[str, ...]:
        return self.write_paths if write else self.read_paths

    def q(self, org_field: str = "organization", *, write: bool = False) -> Q:
        """A Q on any model that reaches Organization through `org_field` ("" for Organization itself)."""
        if self.is_superuser:
            return Q()
        paths = self._paths(write)
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (subtree_q(p, org_field) for p in paths))

    def filter(self, queryset: QuerySet, org_field: str = "organization", *, write: bool = False) -> QuerySet:
        return queryset.filter(self.q(org_field, write=write))

    # -- common questions ------------------------------------------------------------------------
    def organizations(self, *, write: bool = False) -> QuerySet[Organization]:
        return self.filter(Organization.objects.all(), "", write=write)

    def covers(self, org: Organization, *, write: bool = False) -> bool:
        return self.covers_path(org.path, write=write)

    def covers_path(self, path: str, *, write: bool = False) -> bool:
        """covers() for an organization known by its path only (a list's rows read as values)."""
        if self.is_superuser:
            return True
        return any(is_within(path, p) for p in self._paths(write))

    def can_write(self, org: Organization) -> bool:
        return self.covers(org, write=True)

    @property
    def sees_anything(self) -> bool:
        return self.is_superuser or bool(self.read_paths)

    @property
    def is_county(self) -> bool:
        return self.is_superuser or Role.COUNTY_ADMIN in self.roles

    @property
    def is_township_or_above(self) -> bool:
        """County office or township secretary/staff: the levels that oversee other organizations."""
        return self.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    def get_object_or_404(
        self, queryset: QuerySet, org_field: str = "organization", *, write: bool = False, **lookup
    ):
        """Load one object the user may see (or change); missing and forbidden look the same: 404."""
        obj = self.filter(queryset, org_field, write=write).filter(**lookup).first()
        if obj is None:
            raise Http404
        return obj


ANONYMOUS_SCOPE = Scope(user_id=None)
# Operators on the command line act for the whole county: a superuser-like scope without a user.
COUNTY_SCOPE = Scope(user_id=None, is_superuser=True)


def scope_for(user, *, on: dt.date | None = None) -> Scope:
    """The user's scope, computed once per user object (two small queries) and cached on it.

    `on` asks for the scope on another day (officer assignments are dated): computed afresh and not cached,
    so that a later `scope_for(user)` is still today's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None and on is None:
        return cached
    if user.is_superuser:
        scope = Scope(user_id=user.pk, is_superuser=True, roles=frozenset(Role.values))
    else:
        day = on or timezone.localdate()
        read: set[str] = set()
        write: set[str] = set()
        roles: set[str] = set()
        for role, path in RoleAssignment.objects.filter(user=user).values_list("role", "organization__path"):
            roles.add(role)
            if role in RoleAssignment.WRITE_ROLES:
                read.add(path)
                write.add(path)
            elif role == Role.OFFICER:
                read.add(path)
        assigned = (
            OfficerAssignment.objects.filter(officer=user, starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .values_list("organization__path", flat=True)
        )
        for path in assigned:
            roles.add(Role.OFFICER)
            read.add(path)
        scope = Scope(
            user_id=user.pk,
            read_paths=minimal_prefixes(read),
            write_paths=minimal_prefixes(write),
            roles=frozenset(roles),
        )
    if on is None:
        user._scope_cache = scope
    return scope


def scope_or_404(user) -> Scope:
    """The user's scope, for pages meant for people with a role at an organization: 404 for anyone else."""
    scope = scope_for(user)
    if not scope.sees_anything:
        raise Http404
    return scope


def organization_top(*, scope: Scope) -> Organization | None:
    """The highest organization the scope reads: where a page starts when none is asked for."""
    return scope.organizations().order_by("depth", "path").first()


def organization_writable_get(*, scope: Scope, pk) -> Organization | None:
    """The organization `pk` if the scope may write it, else None (for a form's initial value, read from a query
    string: a value that is not a database id is None too, never an error page)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:
        return None
    return scope.organizations(write=True).filter(pk=pk).first()


def organization_children_visible(*, scope: Scope, org: Organization) -> QuerySet[Organization]:
    """The organization's children that the scope reads, by code."""
    return scope.organizations().filter(parent=org).order_by("code")


def townships_in(*, scope: Scope, org: Organization) -> QuerySet[Organization]:
    """The townships in the organization's subtree (itself included) that the scope reads."""
    return scope.organizations().filter(subtree_q(org, ""), kind=Organization.Kind.TOWNSHIP)


def organization_get_stored(*, org: Organization) -> Organization:
    """The organization as stored (a bound form writes its values onto the instance it edits; a service
    compares the change with this)."""
    return Organization.objects.get(pk=org.pk)


def organization_ancestors(org: Organization) -> QuerySet[Organization]:
    """Ancestors from the county down, by the ids in the path (one query)."""
    ids = ancestor_ids(org.path)
    return Organization.objects.filter(pk__in=ids).order_by("depth")


def organization_township(org: Organization) -> Organization | None:
    """The township (乡镇) an organization belongs to, or None for county-level organizations."""
    if org.kind == Organization.Kind.TOWNSHIP:
        return org
    return organization_ancestors(org).filter(kind=Organization.Kind.TOWNSHIP).first()


def organization_get_by_code(code: str) -> Organization | None:
    return Organization.objects.filter(code=code).first()


def officer_assignments_active(*, on: dt.date) -> QuerySet[OfficerAssignment]:
    return OfficerAssignment.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )
