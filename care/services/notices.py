"""What care tells people through the outbox: visit reminders and the condolence notice, keyed
"<kind>:<visit or condolence>:<user>:<due date or stage>" (notifications.services.delivery_key)."""

from __future__ import annotations

from django.urls import reverse

from branches.models import Organization, RoleAssignment
from notifications.services import Message, delivery_key, notify_many, recipients_above, recipients_for

from ..models import Condolence, Visit

Role = RoleAssignment.Role
TOWNSHIP_ROLES = (Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)
# Every message about a visit; withdrawn when the visit is cancelled because the member died (the county
# office's "county_care_visit" included: care_county_escalation, same key shape).
VISIT_KINDS = (
    "care_visit_due",
    "care_visit_overdue",
    "care_visit_escalated",
    "care_visit_planned",
    "county_care_visit",
)


def _visit_messages(*, visit: Visit, kind: str, template: str, users: list) -> list[Message]:
    return [
        Message(
            user=user,
            key=_visit_key(kind, visit, user.pk),
            kind=kind,
            template=template,
            context={"visit": visit, "member": visit.member, "recipient": user},
            url=reverse("care:member", args=[visit.member_id]),
            # the township hears of overdue visits in its digest, not one e-mail per visit
            digest_only=kind == "care_visit_escalated",
            organization_id=visit.organization_id,
        )
        for user in users
    ]


def _notify_visit(*, visit: Visit, kind: str, template: str, users: list) -> int:
    """One message per recipient, key "<kind>:<visit>:<user>:<due date>" (skipped if already sent)."""
    return notify_many(messages=_visit_messages(visit=visit, kind=kind, template=template, users=users))


def _visit_key(kind: str, visit: Visit, user_id: int) -> str:
    return delivery_key(kind, visit.pk, user_id, visit.due_on)


def _visit_key_prefixes(visit_ids: list[int]) -> list[str]:
    """The key prefixes of every message about these visits (for withdrawing them)."""
    return [f"{kind}:{pk}:" for pk in visit_ids for kind in VISIT_KINDS]


def _township_officials(org_ids: set[int]) -> dict[int, list]:
    """Township secretaries and staff above each organization (for escalation)."""
    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "path"))
    above = recipients_above(paths=set(orgs.values()), roles=TOWNSHIP_ROLES)
    return {org_id: above.get(path, []) for org_id, path in orgs.items()}


def _notify_condolence(*, condolence: Condolence) -> int:
    """The branch secretaries and the township above hear that the condolence process started."""
    org = condolence.organization
    users = {u.pk: u for u in recipients_for(org_ids=[org.pk], roles=[Role.BRANCH_SECRETARY]).get(org.pk, [])}
    users.update({u.pk: u for u in _township_officials({org.pk}).get(org.pk, [])})
    return notify_many(
        messages=[
            Message(
                user=user,
                key=delivery_key("care_condolence", condolence.pk, user.pk, "start"),
                kind="care_condolence",
                template="care/email/condolence_started",
                context={"condolence": condolence, "member": condolence.member, "recipient": user},
                url=reverse("care:condolence", args=[condolence.pk]),
                organization_id=org.pk,
            )
            for user in users.values()
        ]
    )
