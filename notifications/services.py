"""Writes to the outbox. `notify` is the one door every reminder, alert and digest goes through."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Delivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(*, template: str, context: dict, language: str) -> Rendered:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` in the user's language.

    Templates live in `templates/<app>/email/` of each app, e.g. template="members/email/probation_due".
    """
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
    return Rendered(subject=subject[:255], text=text, html=html)


def notify(*, user, key: str, kind: str, template: str, context: dict, url: str = "") -> Delivery | None:
    """Record a message for `user` under a unique `key` (what:whom:period) and send it per their choice.

    Returns the new Delivery, or None if a delivery with this key exists already (a re-run sends nothing).
    Immediate messages are sent by a Celery task enqueued when the surrounding transaction commits.
    """
    if not user.is_active:
        return None
    if Delivery.objects.filter(key=key).exists():
        return None
    rendered = render_message(
        template=template, context=context, language=user.language or settings.LANGUAGE_CODE
    )
    freq = user.notification_frequency
    status = {
        "immediate": Delivery.Status.PENDING,
        "daily": Delivery.Status.DIGEST,
        "weekly": Delivery.Status.DIGEST,
    }.get(freq, Delivery.Status.SKIPPED)
    if not user.email:
        status = Delivery.Status.SKIPPED
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                key=key[:255],
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
        from .tasks import send_delivery

        transaction.on_commit(lambda: send_delivery.delay(delivery.pk))
    return delivery


def delivery_send(*, delivery_id: int) -> bool:
    """Claim the row with a conditional UPDATE (only one worker wins), then send it. True if sent now."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=_attempts_plus_one()
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    try:
        _send_mail(
            to=delivery.user.email, subject=delivery.subject, text=delivery.body_text, html=delivery.body_html
        )
    except Exception as e:  # leave it pending for a retry, with the error recorded
        logger.exception("sending delivery %s failed", delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING if delivery.attempts < 5 else Delivery.Status.FAILED, error=repr(e)
        )
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )
    return True


def _attempts_plus_one():
    from django.db.models import F

    return F("attempts") + 1


def _send_mail(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
