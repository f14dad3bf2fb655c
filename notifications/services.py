"""Writes to the outbox. `notify` is the one door every reminder, alert and digest goes through.

Life of a Delivery:
  notify() inserts it (unique key) → PENDING (immediate) / DIGEST (daily, weekly) / SKIPPED (no e-mail)
  PENDING → SENDING (claimed by one worker with a conditional UPDATE) → SENT, or back to PENDING on a failure
  (FAILED after MAX_ATTEMPTS); DIGEST → DIGESTED when digests_send gathers it into one digest Delivery.
A claim older than CLAIM_TIMEOUT (a worker died mid-send) may be claimed again by `deliveries_retry`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=15)


class DeliveryFailed(Exception):
    """Sending failed; the row is back to PENDING (or FAILED after MAX_ATTEMPTS) with the error recorded."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(*, template: str, context: dict, language: str) -> Rendered:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` in the user's language.

    Templates live in `templates/<app>/email/` of each app, e.g. template="members/email/probation_due",
    and extend "notifications/email/base.txt" / "notifications/email/base.html".
    """
    ctx = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        text = render_to_string(f"{template}.txt", ctx).strip() + "\n"
        html = render_to_string(f"{template}.html", ctx)
    return Rendered(subject=subject[:255], text=text, html=html)


def status_for(user, *, immediate: bool = False, digest_only: bool = False) -> str:
    """What happens to a new message for `user`: sent now, kept for a digest, or shown in the inbox only.

    `digest_only` holds a message for the user's next digest even if they chose immediate mail (which then
    gets it in the daily digest): summaries for the level above that should not arrive one by one."""
    if not user.email:
        return Delivery.Status.SKIPPED
    if immediate:
        return Delivery.Status.PENDING
    if digest_only and user.notification_frequency != "none":
        return Delivery.Status.DIGEST
    return {
        "immediate": Delivery.Status.PENDING,
        "daily": Delivery.Status.DIGEST,
        "weekly": Delivery.Status.DIGEST,
    }.get(user.notification_frequency, Delivery.Status.SKIPPED)


def notify(
    *,
    user,
    key: str,
    kind: str,
    template: str,
    context: dict,
    url: str = "",
    immediate: bool = False,
    digest_only: bool = False,
) -> Delivery | None:
    """Record a message for `user` under a unique `key` (what:whom:period) and send it per their choice.

    Returns the new Delivery, or None if a delivery with this key exists already (a re-run sends nothing)
    or the account is inactive. `immediate=True` e-mails at once whatever the user's digest preference
    (invitations: the user cannot sign in to read them otherwise). Immediate messages are sent by a Celery
    task enqueued when the surrounding transaction commits, never inside it.
    """
    if not user.is_active:
        return None
    key = key[:255]
    if Delivery.objects.filter(key=key).exists():
        return None
    rendered = render_message(
        template=template, context={"user": user, **context}, language=user.language or settings.LANGUAGE_CODE
    )
    status = status_for(user, immediate=immediate, digest_only=digest_only)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                key=key,
                kind=kind,
                user=user,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                url=url,
                status=status,
            )
    except IntegrityError:  # a concurrent run inserted the same key first
        return None
    if status == Delivery.Status.PENDING:
        delivery_enqueue(delivery_id=delivery.pk)
    return delivery


def delivery_enqueue(*, delivery_id: int) -> None:
    """Send by a Celery task once the surrounding transaction commits. A broker that is down does not
    break the caller (robust): the row stays PENDING and `deliveries_retry` picks it up."""
    from .tasks import send_delivery

    transaction.on_commit(lambda: send_delivery.delay(delivery_id), robust=True)


def delivery_send(*, delivery_id: int) -> bool:
    """Claim the row with a conditional UPDATE (only one worker wins), then send it. True if sent now.

    A second call for the same row finds it no longer PENDING and sends nothing. A failure puts it back to
    PENDING (FAILED after MAX_ATTEMPTS) with the error, and raises DeliveryFailed so the task retries.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    user = delivery.user
    if not user.is_active or not user.email:
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SKIPPED)
        return False
    try:
        _send_mail(to=user.email, subject=delivery.subject, text=delivery.body_text, html=delivery.body_html)
    except Exception as e:
        logger.warning("sending delivery %s failed (attempt %s): %r", delivery_id, delivery.attempts, e)
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.Status.PENDING,
            error=repr(e)[:2000],
        )
        raise DeliveryFailed(repr(e)) from e
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )
    return True


def deliveries_retry(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Re-enqueue what was left behind: PENDING rows whose task never ran (broker down, retries spent) and
    stale claims of a worker that died mid-send. Returns how many were enqueued."""
    now = timezone.now()
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    stale.update(status=Delivery.Status.PENDING)
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(claimed_at__isnull=True, created_at__lt=now - older_than) | Q(claimed_at__lt=now - older_than)
        )
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        delivery_enqueue(delivery_id=pk)
    return len(ids)


def deliveries_mark_read(*, user, delivery_ids: list[int] | None = None) -> int:
    """Mark the user's own deliveries read (all unread ones when no ids are given)."""
    qs = Delivery.objects.filter(user=user, read_at__isnull=True)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=delivery_ids)
    return qs.update(read_at=timezone.now())


def _send_mail(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
