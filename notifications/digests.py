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
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone, translation

from branches.models import Organization
from common import periods
from users.models import User

from .jobs import topic_labels
from .models import Delivery
from .services import deliveries_enqueue, delivery_key, render_message

logger = logging.getLogger(__name__)

Frequency = User.NotificationFrequency
WEEKLY_DIGEST_WEEKDAY = 0  # Monday, as the beat schedule in settings


def digest_period(*, frequency: str, as_of: dt.date) -> str:
    if frequency == Frequency.WEEKLY:
        return periods.week(as_of).label
    return as_of.isoformat()


DIGEST_BATCH = 100  # users per transaction: their locks, one read of their rows, one insert, one update


def digests_send(*, frequency: str, as_of: dt.date | None = None) -> int:
    """Gather each user's waiting (DIGEST) deliveries into one digest and send it. Returns digests created.

    Daily digests also collect for users who switched to immediate e-mail while messages were waiting, so
    nothing is stranded. One query reads all waiting rows; then per DIGEST_BATCH users, in one transaction: a
    lock on the users (a user another run holds is left to it, so two runs at once neither send an item twice
    nor split a user's items over two digests), which of their digests exist already, one locking read of the
    rows, one insert of the digests and one update of the rows. The digests go out in batches (one mail
    connection each).
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
    by_user: dict[int, list[int]] = defaultdict(list)
    users: dict[int, User] = {}
    org_ids: set[int] = set()
    for delivery in waiting:
        by_user[delivery.user_id].append(delivery.pk)
        users[delivery.user_id] = delivery.user
        if delivery.organization_id:
            org_ids.add(delivery.organization_id)
    if not by_user:
        return 0
    context = {
        "frequency": frequency,
        "period": period,
        "week": periods.week(as_of),  # the subject names the week as people read it
        "as_of": as_of,
    }
    labels = topic_labels()
    org_names = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    uids = list(by_user)
    made: list[Delivery] = []
    for i in range(0, len(uids), DIGEST_BATCH):
        batch = {uid: by_user[uid] for uid in uids[i : i + DIGEST_BATCH]}
        made += _digests_create(
            by_user=batch,
            users=users,
            frequency=frequency,
            context=context,
            labels=labels,
            org_names=org_names,
        )
    deliveries_enqueue(delivery_ids=[d.pk for d in made if d.status == Delivery.Status.PENDING])
    logger.info("%s digests for %s: %s created", frequency, period, len(made))
    return len(made)


def _digests_create(
    *,
    by_user: dict[int, list[int]],
    users: dict[int, User],
    frequency: str,
    context: dict,
    labels: dict,
    org_names: dict[int, str],
) -> list[Delivery]:
    """One transaction for a batch of users: the digests made (see digests_send)."""
    period = context["period"]
    keys = {uid: delivery_key("digest", frequency, uid, period) for uid in by_user}
    with transaction.atomic():
        # One run at a time per user: a run that finds a user's row locked by another run (a digest for
        # another day or frequency, started at the same time) leaves the user to it, so the items are
        # neither sent twice nor split over two digests.
        locked = set(
            User.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(by_user))
            .values_list("pk", flat=True)
        )
        # Under the lock, which of this period's digests went out already (the rest waits for the next one)
        done = set(
            Delivery.objects.filter(key__in=[keys[uid] for uid in locked]).values_list("key", flat=True)
        )
        mine = [uid for uid in by_user if uid in locked and keys[uid] not in done]
        if not mine:
            return []
        # Claim the rows before rendering: lock them and read again which still wait (another run may have
        # digested them already).
        items: dict[int, list[Delivery]] = defaultdict(list)
        for item in (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=[pk for uid in mine for pk in by_user[uid]],
                status=Delivery.Status.DIGEST,
                digest__isnull=True,
            )
            .only("pk", "subject", "url", "created_at", "kind", "user_id", "organization_id")
            .order_by("user_id", "created_at", "pk")
        ):
            # the day each item is listed under (the template's `created_at|date:"Y-m-d"`, without a date
            # filter's formatting machinery per item: thousands of them in a day's digests)
            item.created_on = timezone.localtime(item.created_at).date().isoformat()
            items[item.user_id].append(item)
        digests = []
        for uid in mine:
            if not items[uid]:
                continue
            user = users[uid]
            language = user.language or settings.LANGUAGE_CODE
            with translation.override(language):  # the topics in the reader's language
                groups = digest_groups(items=items[uid], labels=labels, org_names=org_names)
            rendered = render_message(
                template="notifications/email/digest",
                context={"user": user, "items": items[uid], "groups": groups, **context},
                language=language,
            )
            digests.append(
                Delivery(
                    key=keys[uid],
                    kind="digest",
                    user=user,
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    status=Delivery.Status.PENDING if user.email else Delivery.Status.SKIPPED,
                )
            )
        if not digests:
            return []
        made = Delivery.objects.bulk_create(digests)
        digest_of = {d.user_id: d.pk for d in made}
        Delivery.objects.filter(pk__in=[i.pk for d in made for i in items[d.user_id]]).update(
            digest_id=Case(*(When(user_id=uid, then=Value(pk)) for uid, pk in digest_of.items())),
            status=Delivery.Status.DIGESTED,
        )
    return made


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
