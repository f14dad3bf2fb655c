"""Writes to the organization tree. The materialized path is kept here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from users.models import User

from . import paths
from .admin_access import ROLE_GROUPS, group_permissions_q, groups_seed, memberships_sync
from .models import Organization, PartyGroup, RoleAssignment


def _set_path(org: Organization) -> None:
    parent_path = org.parent.path if org.parent is not None else ""
    org.path = parent_path + paths.segment(org.pk)
    org.depth = paths.depth(org.path)


@transaction.atomic
def organization_create(
    *,
    code: str,
    name: str,
    kind: str,
    sector: str = Organization.Sector.OTHER,
    parent: Organization | None = None,
    **extra,
) -> Organization:
    org = Organization(code=code, name=name, kind=kind, sector=sector, parent=parent, **extra)
    org.full_clean(exclude=["path", "depth"])
    org.save()
    _set_path(org)
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    return org


@transaction.atomic
def organization_update(*, org: Organization, **fields) -> Organization:
    """Update plain fields; a new parent goes through organization_move (cycle check, subtree paths)."""
    new_parent = fields.pop("parent", org.parent)
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean(exclude=["path", "depth", "parent"])
    org.save()
    if (new_parent.pk if new_parent else None) != org.parent_id:
        organization_move(org=org, new_parent=new_parent)
    return org


@transaction.atomic
def organization_move(*, org: Organization, new_parent: Organization | None) -> Organization:
    """Move a subtree under a new parent; refuses a cycle (a parent inside the moved subtree)."""
    if new_parent is not None and paths.is_within(new_parent.path, org):
        raise ValidationError(
            {"parent": _("An organization cannot be placed under itself or its own descendant.")}
        )
    old_path = org.path
    org.parent = new_parent
    org.full_clean(exclude=["path", "depth"])
    _set_path(org)
    org.save()
    # Rewrite every descendant's path prefix in one statement.
    Organization.objects.filter(paths.subtree_q(old_path, "")).exclude(pk=org.pk).update(
        path=Concat(Value(org.path), Substr(F("path"), len(old_path) + 1)),
    )
    Organization.objects.filter(paths.subtree_q(org, "")).update(
        depth=(Length("path") / (paths.SEGMENT_WIDTH + 1)) - 1
    )
    return org


def organizations_rebuild_paths() -> int:
    """Recompute every path from the parent links (after a bulk insert). One read, one bulk update."""
    rows = list(Organization.objects.values_list("pk", "parent_id"))
    parent_of = dict(rows)
    computed: dict[int, str] = {}

    def path_of(pk: int, seen: tuple[int, ...] = ()) -> str:
        if pk in computed:
            return computed[pk]
        if pk in seen:
            raise ValidationError(_("The organization tree has a cycle."))
        parent = parent_of[pk]
        p = (path_of(parent, (*seen, pk)) if parent else "") + paths.segment(pk)
        computed[pk] = p
        return p

    objs = []
    for pk, _parent in rows:
        p = path_of(pk)
        objs.append(Organization(pk=pk, path=p, depth=paths.depth(p)))
    Organization.objects.bulk_update(objs, ["path", "depth"], batch_size=1000)
    return len(objs)


def party_group_get_or_create(*, organization: Organization, name: str) -> PartyGroup:
    group, _created = PartyGroup.objects.get_or_create(organization=organization, name=name)
    return group


def role_assign(*, user, organization: Organization, role: str) -> RoleAssignment:
    """Give `user` a role at `organization` (once); the admin access follows the roles (admin_access: the
    county office's group 县委组织部, a township secretary's read-only group, is_staff)."""
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    _roles_changed(user)
    return assignment


def role_revoke(*, assignment: RoleAssignment, by: User) -> None:
    """Take a role away; the admin group it gave goes with it (and is_staff with the last such role)."""
    user = assignment.user
    assignment._history_user = by  # type: ignore[attr-defined]  # simple_history records who deleted it
    assignment.delete()
    _roles_changed(user)


def _roles_changed(user) -> None:
    memberships_sync(user_model=User, group_model=Group, role_model=RoleAssignment, user_ids=[user.pk])
    user.refresh_from_db(fields=["is_staff"])
    user.__dict__.pop("_scope_cache", None)


def admin_access_sync(*, user_ids: Iterable[int] | None = None, apply: bool = True) -> list[str]:
    """Re-apply the managed groups' permissions and every account's groups and is_staff (the check command
    `sync_admin_access`, demo seeding after its bulk insert). Returns what changed (or would, apply=False)."""
    changes: list[str] = []
    if apply:
        changes += groups_seed(group_model=Group, permission_model=Permission)
    else:
        for name in ROLE_GROUPS.values():
            group = Group.objects.filter(name=name).first()
            wanted = set(Permission.objects.filter(group_permissions_q(name)).values_list("pk", flat=True))
            if group is None or set(group.permissions.values_list("pk", flat=True)) != wanted:
                changes.append(f"group {name}: permissions differ")
    return changes + memberships_sync(
        user_model=User, group_model=Group, role_model=RoleAssignment, user_ids=user_ids, apply=apply
    )
