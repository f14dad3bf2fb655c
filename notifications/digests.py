"""Daily and weekly digests: a user who chose a digest receives ONE e-mail gathering everything that waited.

Each digest is itself a Delivery with the key `digest:<frequency>:<user id>:<period>` (period: the date for
daily, the ISO week such as 2025-W07 for weekly), so running the digests twice for one period sends one
e-mail. The gathered deliveries point at it (`digest`) and become DIGESTED.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from branches.models import Organization
from common import periods
from users.models import User

from .jobs import topic_labels
from .models import Delivery
from .services import delivery_enqueue, delivery_key, render_message

logger = logging.getLogger(__name__)

Frequency = User.NotificationFrequency
WEEKLY_DIGEST_WEEKDAY = 0  # Monday, as the beat schedule in settings


def digest_period(*, frequency: str, as_of: dt.date) -> str:
    if frequency == Frequency.WEEKLY:
        return periods.week(as_of).label
    return as_of.isoformat()


def digests_send(*, frequency: str, as_of: dt.date | None = None) -> int:
    """Gather each user's waiting (DIGEST) deliveries into one digest and send it. Returns digests created.

    Daily digests also collect for users who switched to immediate e-mail while messages were waiting, so
    nothing is stranded. One query reads all waiting rows; per digest, a lock on the user (a user another run holds
    is left to it, so two runs at once neither send an item twice nor split a user's items over two digests),
    one locking read of the rows, one insert and one update.
    """
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(f"unknown digest frequency {frequency!r}")
    as_of = as_of or timezone.localdate()
    period = digest_period(frequency=frequency, as_of=as_of)
    frequencies = (
        [Frequency.WEEKLY] if frequency == Frequency.WEEKLY else [Frequency.DAILY, Frequency.IMMEDIATE]
    )

    waiting = (
        Delivery.objects.filter(
            status=Delivery.Status.DIGEST,
            digest__isnull=True,
            user__is_active=True,
            user__notification_frequency__in=frequencies,
        )
        .select_related("user")
        .only("pk", "subject", "url", "created_at", "kind", "user", "organization_id")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Delivery]] = defaultdict(list)
    users: dict[int, User] = {}
    for delivery in waiting:
        by_user[delivery.user_id].append(delivery)
        users[delivery.user_id] = delivery.user
    if not by_user:
        return 0
    keys = {uid: delivery_key("digest", frequency, uid, period) for uid in by_user}
    done = set(Delivery.objects.filter(key__in=keys.values()).values_list("key", flat=True))

    labels = topic_labels()
    org_names = dict(
        Organization.objects.filter(
            pk__in={d.organization_id for ds in by_user.values() for d in ds if d.organization_id}
        ).values_list("pk", "name")
    )
    created = 0
    for uid, seen in by_user.items():
        if keys[uid] in done:
            continue  # this period's digest went out already; the rest waits for the next one
        user = users[uid]
        try:
            with transaction.atomic():
                # One run at a time per user: a run that finds the user's row locked by another run (a digest
                # for another day or frequency, started at the same time) leaves the user to it, so the items
                # are neither sent twice nor split over two digests.
                if not list(
                    User.objects.select_for_update(skip_locked=True).filter(pk=uid).values_list("pk")
                ):
                    continue
                # Claim the rows before rendering: lock them and read again which still wait (the other run
                # may have digested them already).
                items = list(
                    Delivery.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=[d.pk for d in seen], status=Delivery.Status.DIGEST, digest__isnull=True)
                    .only("pk", "subject", "url", "created_at", "kind", "user_id", "organization_id")
                    .order_by("created_at", "pk")
                )
                if not items:
                    continue
                language = user.language or settings.LANGUAGE_CODE
                with translation.override(language):  # the topics in the reader's language
                    groups = digest_groups(items=items, labels=labels, org_names=org_names)
                rendered = render_message(
                    template="notifications/email/digest",
                    context={
                        "user": user,
                        "items": items,
                        "groups": groups,
                        "frequency": frequency,
                        "period": period,
                        "week": periods.week(as_of),  # the subject names the week as people read it
                        "as_of": as_of,
                    },
                    language=language,
                )
                digest = Delivery.objects.create(
                    key=keys[uid],
                    kind="digest",
                    user=user,
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    status=Delivery.Status.PENDING if user.email else Delivery.Status.SKIPPED,
                )
                Delivery.objects.filter(pk__in=[d.pk for d in items]).update(
                    digest=digest, status=Delivery.Status.DIGESTED
                )
        except IntegrityError:  # a concurrent run made this digest first
            continue
        if digest.status == Delivery.Status.PENDING:
            delivery_enqueue(delivery_id=digest.pk)
        created += 1
    logger.info("%s digests for %s: %s created", frequency, period, created)
    return created


@dataclass
class DigestGroup:
    """One heading of a digest: a kind of message (its topic), and under it the items per organization
    (`None` for those about no single organization, listed first)."""

    topic: str
    organizations: list[tuple[str | None, list[Delivery]]]

    @property
    def count(self) -> int:
        return sum(len(items) for _name, items in self.organizations)


def digest_groups(*, items: list[Delivery], labels: dict, org_names: dict[int, str]) -> list[DigestGroup]:
    """The digest's items grouped by topic (in the order the first of each arrived) and, within a topic, by
    organization (by name). A kind no app names is its own group under its code."""
    by_topic: dict[str, dict[str | None, list[Delivery]]] = {}
    for item in items:
        topic = str(labels.get(item.kind, item.kind))
        org = org_names.get(item.organization_id) if item.organization_id else None
        by_topic.setdefault(topic, {}).setdefault(org, []).append(item)
    return [
        DigestGroup(topic, sorted(orgs.items(), key=lambda pair: (pair[0] is not None, pair[0] or "")))
        for topic, orgs in by_topic.items()
    ]


def digests_due(*, as_of: dt.date) -> list[str]:
    """Which digests go out on `as_of`: daily every day, weekly on the weekly weekday."""
    due = [Frequency.DAILY.value]
    if as_of.weekday() == WEEKLY_DIGEST_WEEKDAY:
        due.append(Frequency.WEEKLY.value)
    return due
