"""Who uses the admin, and for what (issue 10, item 4): the admin permissions follow the roles.

- `county_admin` → the group 县委组织部 (COUNTY_OFFICE): reads every model of our apps (domain rows are read-only
  there anyway: common.admin.ReadOnlyAdminMixin), and changes the reference data: the beat schedules
  (django_celery_beat), benefit rules, visit policies, grade bands, the study target, and "Send again" on failed
  deliveries (the permission notifications.change_delivery, which the read-only outbox admin asks for that
  action only). The sensitive-access log is readable only, for everyone.
- `township_secretary` → the group 乡镇党委（只读） (TOWNSHIP_READ_ONLY): reads the organization data whose admin
  is scoped (branches.admin.ScopedAdminMixin), so only the rows of the township's subtree, and nothing county-wide
  (accounts, the outbox, schedules, reference data, the sensitive-access log).
- `is_staff` follows: an account holding one of these roles is staff, one holding none is not (superusers keep
  theirs).

Written by `branches.services.role_assign` / `role_revoke` (and the admin's role page, which calls them);
`manage.py sync_admin_access [--check]` re-applies the groups' permissions and every account's groups (after a
bulk load, a new model, or a role row written past the services). The groups are seeded by the migration
branches.0005_admin_groups, which calls `groups_seed` with the historical models.

Pure definitions and functions over the model classes passed in (the migration passes its historical ones).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

COUNTY_OFFICE = "县委组织部"
TOWNSHIP_READ_ONLY = "乡镇党委（只读）"
ROLE_GROUPS = {"county_admin": COUNTY_OFFICE, "township_secretary": TOWNSHIP_READ_ONLY}

# Our apps: the county office reads every model of them in the admin.
DOMAIN_APPS = (
    "users",
    "branches",
    "members",
    "spreadsheets",
    "notifications",
    "education",
    "care",
    "accountability",
    "officers",
    "dues",
    "recruitment",
    "standing",
)
# Reference data the county office changes there, beyond reading it: "<app>.<model>" → actions.
REFERENCE_DATA = {
    "care.benefitrule": (
        "change",
    ),  # amounts and conditions change through care:rule_change (dated versions)
    "care.visitpolicy": ("add", "change"),
    "accountability.gradeband": ("add", "change"),
    "education.studytarget": ("add", "change"),
    "notifications.delivery": ("change",),  # only "Send again": the outbox admin is read-only otherwise
    "recruitment.recruitmentrule": ("change",),  # the intervals and limits of the 2014 work rules
}
BEAT_APP = "django_celery_beat"  # the schedules: every permission
# What a township secretary reads: organization data with a scoped admin (tests/test_admin_scope.py checks it).
TOWNSHIP_MODELS = (
    "branches.organization",
    "branches.partygroup",
    "branches.roleassignment",
    "branches.officerassignment",
    "members.member",
    "members.transfer",
    "members.committeeterm",
    "education.meeting",
    "education.meetingplan",
    "education.studyrecord",
    "care.grant",
    "care.visit",
    "care.pairing",
    "care.condolence",
    "care.servicepoint",
    "care.townshipbudget",
    "accountability.contract",
    "accountability.dutyreport",
    "officers.visitlog",
    "officers.followup",
    "dues.duesrecord",
    "dues.duesrelief",
    "dues.payment",
    "recruitment.candidate",
    "standing.notice",
    "standing.review",
)


def _model_q(label: str, codenames: Iterable[str]) -> Q:
    app_label, model = label.split(".")
    return Q(
        content_type__app_label=app_label,
        content_type__model=model,
        codename__in=[f"{c}_{model}" for c in codenames],
    )


def group_permissions_q(name: str) -> Q:
    """The permissions of one of the managed groups, as a filter on auth.Permission."""
    if name == COUNTY_OFFICE:
        q = Q(content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_")
        q |= Q(content_type__app_label=BEAT_APP)
        for label, actions in REFERENCE_DATA.items():
            q |= _model_q(label, actions)
        return q
    if name == TOWNSHIP_READ_ONLY:
        q = Q(pk__in=[])
        for label in TOWNSHIP_MODELS:
            q |= _model_q(label, ["view"])
        return q
    raise ValueError(name)


def groups_seed(*, group_model, permission_model) -> list[str]:
    """Create the managed groups and give each exactly its permissions; returns what changed (for the
    command's report). Two queries per group when nothing changed."""
    changes = []
    for name in ROLE_GROUPS.values():
        group, created = group_model.objects.get_or_create(name=name)
        if created:
            changes.append(f"group {name} created")
        wanted = set(permission_model.objects.filter(group_permissions_q(name)).values_list("pk", flat=True))
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
            changes.append(f"group {name}: +{len(wanted - current)} -{len(current - wanted)} permissions")
    return changes


def memberships_sync(
    *, user_model, group_model, role_model, user_ids: Iterable[int] | None = None, apply: bool = True
) -> list[str]:
    """Give each account the managed groups its roles call for and take away the others; is_staff follows
    (superusers keep theirs). Every account when `user_ids` is None (also staff accounts without a role).
    A fixed number of queries; returns what changed (or, with apply=False, what would)."""
    groups = {g.name: g for g in group_model.objects.filter(name__in=set(ROLE_GROUPS.values()))}
    through = user_model.groups.through
    users = user_model.objects.all()
    if user_ids is not None:
        users = users.filter(pk__in=set(user_ids))
    else:
        users = users.filter(
            Q(is_staff=True, is_superuser=False)
            | Q(pk__in=role_model.objects.values("user_id"))
            | Q(pk__in=through.objects.filter(group__in=list(groups.values())).values("user_id"))
        )
    accounts = {u.pk: u for u in users.only("pk", "email", "is_staff", "is_superuser")}
    wanted: dict[int, set[str]] = {pk: set() for pk in accounts}
    for user_id, role in role_model.objects.filter(
        user_id__in=list(accounts), role__in=list(ROLE_GROUPS)
    ).values_list("user_id", "role"):
        if ROLE_GROUPS[role] in groups:
            wanted[user_id].add(ROLE_GROUPS[role])
    by_pk = {g.pk: name for name, g in groups.items()}
    current: dict[int, set[str]] = {pk: set() for pk in accounts}
    rows = through.objects.filter(user_id__in=list(accounts), group_id__in=list(by_pk))
    for user_id, group_id in rows.values_list("user_id", "group_id"):
        current[user_id].add(by_pk[group_id])
    changes, add, remove, staff_on, staff_off = [], [], [], [], []
    for pk, user in accounts.items():
        for name in sorted(wanted[pk] - current[pk]):
            add.append(through(user_id=pk, group_id=groups[name].pk))
            changes.append(f"{user.email}: + {name}")
        for name in sorted(current[pk] - wanted[pk]):
            remove.append((pk, groups[name].pk))
            changes.append(f"{user.email}: - {name}")
        staff = bool(wanted[pk]) or user.is_superuser
        if staff != user.is_staff:
            (staff_on if staff else staff_off).append(pk)
            changes.append(f"{user.email}: is_staff {staff}")
    if apply:
        through.objects.bulk_create(add, ignore_conflicts=True)
        if remove:
            gone = Q(pk__in=[])
            for user_id, group_id in remove:
                gone |= Q(user_id=user_id, group_id=group_id)
            through.objects.filter(gone).delete()
        if staff_on:
            user_model.objects.filter(pk__in=staff_on).update(is_staff=True)
        if staff_off:
            user_model.objects.filter(pk__in=staff_off).update(is_staff=False)
    return changes
