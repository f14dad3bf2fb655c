"""Writes to the outbox. `notify` / `notify_many` are the one door every reminder, alert and digest goes
through.

What a job needs (a job is a thin list of "who gets what, keyed how"; see `notifications.jobs`):
  delivery_key(what, obj_id, user_id, period)   the key "<what>:<object id>:<user id>:<period>" (a None part
                                                is left out)
  recipients_for(org_ids=, roles=)              users holding one of the roles at each organization
  recipients_above(paths=, roles=, kind=)       ... at the organization with that path or any above it
  notify_many(messages=[Message(...), ...])     one query per chunk for the keys already delivered, a bulk
                                                insert of the new ones, immediate ones enqueued on commit
  county_escalate(items=[Escalation(...), ...]) what the township has not dealt with in time, to the county
                                                office's digest, once per thing
  deliveries_withdraw(key_prefix=)              take back what still waits (pending/digest) under key prefixes
  invitation_send(user=)                        the invitation to set a password (users builds the link)
  preferences_update(user=, ...)                the user's e-mail choice and what it does to waiting messages

Life of a Delivery:
  notify() inserts it (unique key) → PENDING (immediate) / DIGEST (daily, weekly) / SKIPPED (no e-mail); only a
  PENDING one is ever e-mailed by itself, so only it is stored with an HTML body
  PENDING → SENDING (claimed by one worker: rows locked, skipping those another worker holds, then one UPDATE)
  → SENT, or back to PENDING on a failure (FAILED after MAX_ATTEMPTS); DIGEST → DIGESTED when digests_send
  gathers it into one digest Delivery.
Sending goes by batches: what one call of notify_many (or a digest run, the retry sweep, an operator's "send
again") leaves PENDING is enqueued as `send_deliveries(ids)` tasks of up to SEND_BATCH rows when the
transaction commits; `deliveries_send` claims the batch, sends it over ONE mail connection and marks what went
out SENT in one UPDATE (a failure touches only its own row).
A claim older than CLAIM_TIMEOUT (a worker died mid-send: killed between the claim and the rows' SENT) is NOT
sent again: `deliveries_retry` marks it UNKNOWN, since the SMTP server may have taken the message already. An
operator finds it among the failed deliveries in the admin and sends it again there (`deliveries_resend`).
So each message goes out at most once by itself; only that window can lose one (a batch's rows together),
and it is shown, not hidden.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby, islice

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branches import paths as paths_module
from branches.models import RoleAssignment
from users.models import User
from users.services import user_set_password_url

from .layout import render_body
from .mail import OutboxEmail
from .models import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
SEND_BATCH = 500  # rows per send_deliveries task: one claim, one mail connection, one UPDATE for the sent


class DeliveryFailed(Exception):
    """Sending failed; the row is back to PENDING (or FAILED after MAX_ATTEMPTS) with the error recorded."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def absolute_url(url: str) -> str:
    """The one place a link gets the site's address: a path ("/members/1/") becomes SITE_URL + path; a full
    URL (or an empty one) is returned as it is."""
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def relative_url(url: str) -> str:
    """A link on this site as a path (what Delivery.url stores: the inbox follows it on whatever host serves
    the page, the digest puts the site's address in front once)."""
    site = settings.SITE_URL.rstrip("/")
    if site and url.startswith(site + "/"):
        return url[len(site) :]
    return url


def _engine_template(name: str, found: dict | None = None):
    """The Django engine's Template of `name`; `found` keeps those of a batch of messages (looked up once per
    batch, not three times per message)."""
    if found is None:
        return get_template(name).template  # type: ignore[attr-defined]
    template = found.get(name)
    if template is None:
        template = found[name] = get_template(name).template  # type: ignore[attr-defined]
    return template


def _render_plain(name: str, context: dict, found: dict | None = None) -> str:
    """A plain-text template with HTML autoescaping off: a subject or text body shows "O'Neil & <Sons>" as
    typed, not as HTML entities (the .html body keeps escaping)."""
    return _engine_template(name, found).render(Context(context, autoescape=False))


def render_message(*, template: str, context: dict, language: str) -> Rendered:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` in the user's language.

    Templates live in `templates/<app>/email/` of each app, e.g. template="members/email/probation_due",
    and extend "notifications/email/base.txt" / "notifications/email/base.html". The .txt templates are
    rendered without HTML escaping. A `link` given as a path is made absolute here (absolute_url).
    """
    with translation.override(language):
        return _render(template, {**_layout_context(), **context})


def _layout_context() -> dict:
    """What the one layout reads besides the message's own context: the site's address and the preferences
    page (computed once per batch of messages, not once per template)."""
    return {
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": reverse("notifications:preferences"),
    }


def _render(template: str, ctx: dict, *, html: bool = True, found: dict | None = None) -> Rendered:
    """render_message in the active language; `ctx` has the layout's context (_layout_context) already.
    Without `html`, the HTML body is left empty (a message that is never e-mailed by itself). `found`: the
    templates of the batch (_engine_template)."""
    if isinstance(ctx.get("link"), str):
        ctx["link"] = absolute_url(ctx["link"])
    subject = " ".join(_render_plain(f"{template}_subject.txt", ctx, found).split())
    # the bodies: the layout rendered once per language, the message's own part per message (layout.py)
    text = render_body(_engine_template(f"{template}.txt", found), ctx, autoescape=False).strip() + "\n"
    body_html = render_body(_engine_template(f"{template}.html", found), ctx, autoescape=True) if html else ""
    return Rendered(subject=subject[:255], text=text, html=body_html)


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


@dataclass
class Message:
    """One message for `notify_many`: what `notify` takes, as a value."""

    user: User
    key: str
    kind: str
    template: str
    context: dict = field(default_factory=dict)
    url: str = ""
    immediate: bool = False
    digest_only: bool = False
    organization_id: int | None = None  # what it is about: the digest groups by it


def delivery_key(what: str, obj_id: object, user_id: int | None = None, period: object = None) -> str:
    """The outbox key "<what>:<object id>:<user id>:<period>"; a part given as None is left out.

    The keys already in a running outbox keep their shape (a changed key would send again): `obj_id` may be
    a composite ("<organization>:<kind>:<group>:<period label>") and dates print as ISO dates."""
    return ":".join(str(part) for part in (what, obj_id, user_id, period) if part is not None)


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
    organization_id: int | None = None,
) -> Delivery | None:
    """Record a message for `user` under a unique `key` (what:whom:period) and send it per their choice.

    Returns the new Delivery, or None if a delivery with this key exists already (a re-run sends nothing)
    or the account is inactive. `immediate=True` e-mails at once whatever the user's digest preference
    (invitations: the user cannot sign in to read them otherwise). Immediate messages are sent by a Celery
    task enqueued when the surrounding transaction commits, never inside it.
    """
    message = Message(
        user=user,
        key=key,
        kind=kind,
        template=template,
        context=context,
        url=url,
        immediate=immediate,
        digest_only=digest_only,
        organization_id=organization_id,
    )
    created = _deliveries_create(_new_messages([message]))
    return created[0] if created else None


def notify_many(*, messages: Iterable[Message], chunk_size: int = 500) -> int:
    """`notify` for many messages; returns how many deliveries were created.

    Per chunk of `chunk_size`: one query finds the keys already delivered (those are skipped without being
    rendered), the new ones are rendered and inserted in one statement. Under a race (another run inserted
    one of the keys meanwhile) the unique key still decides: that chunk falls back to one insert per row
    and the duplicate is skipped. Messages to inactive accounts and a key repeated within the call are
    skipped too; immediate messages are enqueued when the surrounding transaction commits."""
    created = 0
    for chunk in _chunks(messages, chunk_size):
        created += len(_deliveries_create(_new_messages(chunk)))
    return created


def _chunks(items: Iterable[Message], size: int) -> Iterator[list[Message]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, max(1, size))):
        yield chunk


def _new_messages(messages: list[Message]) -> list[Message]:
    """The messages whose key is not in the outbox yet (one query), to active accounts, once per key."""
    wanted: dict[str, Message] = {}
    for message in messages:
        key = message.key[:255]
        if message.user.is_active and key not in wanted:
            message.key = key
            wanted[key] = message
    if not wanted:
        return []
    done = set(Delivery.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    return [m for key, m in wanted.items() if key not in done]


def _deliveries_create(messages: list[Message]) -> list[Delivery]:
    """Render and insert; enqueue the immediate ones on commit. Returns the deliveries created."""
    if not messages:
        return []
    rows = []
    layout = _layout_context()
    found: dict = {}  # the templates, looked up once per batch
    for language, group in groupby(messages, key=lambda m: m.user.language or settings.LANGUAGE_CODE):
        with translation.override(language):  # once per run of messages in one language, not per message
            rows += [_delivery_row(m, layout, found) for m in group]
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent run inserted one of these keys first: row by row, skip it
        created = []
        for row in rows:
            row.pk = None
            row._state.adding = True
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
    deliveries_enqueue(delivery_ids=[d.pk for d in created if d.status == Delivery.Status.PENDING])
    return created


def _delivery_row(m: Message, layout: dict, found: dict) -> Delivery:
    """The row for one message, rendered in the active language. Only a message e-mailed by itself (PENDING)
    keeps an HTML body: one that waits for a digest (which has its own) or is shown in the inbox only never
    goes out by itself, so its HTML would be written and never read (about half the rows of a day's run)."""
    # the message's page is the mail's button (every mail has the one layout of notifications/email/base)
    context = {**layout, "user": m.user, **({"link": m.url} if m.url else {}), **m.context}
    status = status_for(m.user, immediate=m.immediate, digest_only=m.digest_only)
    rendered = _render(m.template, context, html=status == Delivery.Status.PENDING, found=found)
    return Delivery(
        key=m.key,
        kind=m.kind,
        user=m.user,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        url=relative_url(m.url),
        organization_id=m.organization_id,
        status=status,
    )


def deliveries_withdraw(*, key_prefix: str | Iterable[str], reason: str = "withdrawn") -> int:
    """Take back messages that are still waiting (PENDING, or DIGEST) under a key prefix, or under any of
    several prefixes (one UPDATE): they stay on the inbox page but are not e-mailed (SKIPPED, with `reason`
    as the error). What is being sent or was sent stays as it is. Returns how many were withdrawn."""
    prefixes = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix)
    if not prefixes:
        return 0
    q = Q()
    for prefix in prefixes:
        q |= Q(key__startswith=prefix)
    return Delivery.objects.filter(q, status__in=[Delivery.Status.PENDING, Delivery.Status.DIGEST]).update(
        status=Delivery.Status.SKIPPED, error=reason
    )


@dataclass
class Escalation:
    """One thing the township has not dealt with in time, for the county office (`county_escalate`).

    `what` is the delivery kind and the key's first part ("county_<thing>"); `obj` and `period` the rest of
    the key, chosen by the app so that one thing is escalated once however long it stays undone; `text` is
    lazy (each recipient reads it in their own language)."""

    what: str
    obj: object
    org_path: str
    organization: str
    text: object
    url: str
    period: object = None


def county_escalate(*, items: Iterable[Escalation]) -> int:
    """Tell the county office (县委组织部: county_admin at the organization or above it) in its digest, never
    one e-mail each: key "<what>:<obj>:<user>[:<period>]", so a second run sends nothing. Two queries and
    one per 500 messages; returns the deliveries created."""
    items = list(items)
    if not items:
        return 0
    county = recipients_above(paths={i.org_path for i in items}, roles=[RoleAssignment.Role.COUNTY_ADMIN])
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key(i.what, i.obj, user.pk, i.period),
                kind=i.what,
                template="notifications/email/county_escalation",
                context={"organization": i.organization, "text": i.text, "link": i.url},
                url=i.url,
                digest_only=True,
            )
            for i in items
            for user in county.get(i.org_path, [])
        )
    )


def recipients_for(
    *, org_ids: Iterable[int], roles: Iterable[str], active_only: bool = True
) -> dict[int, list[User]]:
    """The users holding one of `roles` at each organization (one query), each user once per organization,
    in the order the roles were given out. Inactive accounts are left out unless `active_only=False`."""
    found: dict[int, list[User]] = {}
    qs = RoleAssignment.objects.filter(organization_id__in=set(org_ids), role__in=list(roles))
    if active_only:
        qs = qs.filter(user__is_active=True)
    for ra in qs.select_related("user").order_by("pk"):
        users = found.setdefault(ra.organization_id, [])
        if all(u.pk != ra.user_id for u in users):
            users.append(ra.user)
    return found


def recipients_above(
    *, paths: Iterable[str], roles: Iterable[str], kind: str | None = None, active_only: bool = True
) -> dict[str, list[User]]:
    """For each organization path, the users holding one of `roles` at that organization or any above it
    (only at organizations of `kind` when given), one query; e.g. the township secretaries and staff above
    a branch: recipients_above(paths=[branch.path], roles=[TOWNSHIP_SECRETARY, TOWNSHIP_STAFF])."""
    chains = {path: paths_module.ids(path) for path in set(paths) if path}
    qs = RoleAssignment.objects.filter(
        organization_id__in={pk for chain in chains.values() for pk in chain}, role__in=list(roles)
    )
    if kind is not None:
        qs = qs.filter(organization__kind=kind)
    if active_only:
        qs = qs.filter(user__is_active=True)
    holders: dict[int, list[User]] = {}
    for ra in qs.select_related("user").order_by("pk") if chains else []:
        holders.setdefault(ra.organization_id, []).append(ra.user)
    found: dict[str, list[User]] = {}
    for path, chain in chains.items():
        users: list[User] = []
        for pk in chain:
            for user in holders.get(pk, []):
                if all(user.pk != seen.pk for seen in users):
                    users.append(user)
        found[path] = users
    return found


# Stored in the outbox instead of a live set-password link; delivery_send puts a fresh link in its place in
# the e-mail it sends (issue 13, Low 19: the table, its backups and the admin hold no working link).
SET_PASSWORD_LINK = "[set-password-link]"


def invitation_send(*, user: User) -> Delivery | None:
    """Send the invitation to set a password (at most one a day per user: key `invite:<user id>:<date>`).

    The invitation is e-mailed at once whatever the user's digest preference, since they cannot sign in to
    read it otherwise. It goes out when the surrounding transaction commits. The stored body carries
    SET_PASSWORD_LINK, the link itself is made when the e-mail is sent."""
    timeout_days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    return notify(
        user=user,
        key=delivery_key("invite", user.pk, period=timezone.localdate().isoformat()),
        kind="invite",
        template="users/email/invite",
        context={"user": user, "link": SET_PASSWORD_LINK, "timeout_days": timeout_days},
        url=reverse("account_login"),
        immediate=True,
    )


def preferences_update(*, user: User, notification_frequency: str, language: str) -> User:
    """Save the user's e-mail and language choice. Choosing no e-mail drops messages that were waiting for
    a digest from the e-mail queue (they stay on the notifications page); choosing immediate lets the next
    daily digest carry what was waiting, so nothing is stranded."""
    user.notification_frequency = notification_frequency
    user.language = language
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["notification_frequency", "language"])
        if notification_frequency == User.NotificationFrequency.NONE:
            Delivery.objects.filter(user=user, status=Delivery.Status.DIGEST).update(
                status=Delivery.Status.SKIPPED
            )
    return user


def delivery_enqueue(*, delivery_id: int) -> None:
    """Send one row by a Celery task once the surrounding transaction commits (see deliveries_enqueue)."""
    deliveries_enqueue(delivery_ids=[delivery_id])


def deliveries_enqueue(*, delivery_ids: Iterable[int]) -> None:
    """Send by Celery tasks of up to SEND_BATCH rows each, once the surrounding transaction commits. A broker
    that is down does not break the caller (robust): the rows stay PENDING and `deliveries_retry` picks them
    up."""
    from .tasks import send_deliveries

    ids = list(delivery_ids)
    for i in range(0, len(ids), SEND_BATCH):
        batch = ids[i : i + SEND_BATCH]
        transaction.on_commit(partial(send_deliveries.delay, batch), robust=True)


@dataclass
class SendOutcome:
    """What `deliveries_send` did with a batch: the rows sent now, and those that failed and are back to
    PENDING (to try again; a row that used its MAX_ATTEMPTS is FAILED and in neither), with their errors."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def deliveries_send(*, delivery_ids: Iterable[int]) -> SendOutcome:
    """Claim the PENDING rows among `delivery_ids`, then send them over one mail connection.

    The claim locks the rows, skipping any another worker holds, and marks them SENDING in one UPDATE, so of
    two calls for the same rows each row goes to exactly one (a row already claimed, sent or withdrawn is
    left alone). An account that is inactive or has no address: SKIPPED. The rows sent are marked SENT in one
    UPDATE at the end (a worker killed before that leaves them SENDING: `deliveries_retry` marks them UNKNOWN,
    never resends them). A failure puts only its own row back to PENDING (FAILED after MAX_ATTEMPTS) with the
    error, and the next message opens a new connection. A fixed number of queries per batch, one more per
    failure.
    """
    deliveries = _claim(list(delivery_ids))
    outcome = SendOutcome()
    if not deliveries:
        return outcome
    unreachable = {d.pk for d in deliveries if not d.user.is_active or not d.user.email}
    if unreachable:
        Delivery.objects.filter(pk__in=unreachable).update(status=Delivery.Status.SKIPPED)
    connection = get_connection()
    try:
        for delivery in deliveries:
            if delivery.pk in unreachable:
                continue
            try:
                connection.open()  # no-op while open; after a failure, a new conversation
                text, html = _with_live_links(delivery)
                _send_mail(
                    to=delivery.user.email,
                    subject=delivery.subject,
                    text=text,
                    html=html,
                    connection=connection,
                )
            except Exception as e:
                logger.warning(
                    "sending delivery %s failed (attempt %s): %r", delivery.pk, delivery.attempts, e
                )
                _close_quietly(connection)
                failed = delivery.attempts >= MAX_ATTEMPTS
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
                    error=repr(e)[:2000],
                )
                outcome.errors[delivery.pk] = repr(e)
                if not failed:
                    outcome.retry.append(delivery.pk)
            else:
                outcome.sent.append(delivery.pk)
    finally:
        _close_quietly(connection)
        if outcome.sent:
            Delivery.objects.filter(pk__in=outcome.sent).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
            )
    return outcome


def _claim(ids: list[int]) -> list[Delivery]:
    """Lock the PENDING rows among `ids` (skipping rows another worker has locked), read with their users,
    and mark them SENDING: the rows claimed. The UPDATE checks the status again (databases without row
    locks)."""
    if not ids:
        return []
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, status=Delivery.Status.PENDING)
            .select_related("user")
            .order_by("pk")
        )
        if claimed:
            Delivery.objects.filter(pk__in=[d.pk for d in claimed], status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
            )
    for delivery in claimed:
        delivery.status, delivery.attempts = Delivery.Status.SENDING, delivery.attempts + 1
    return claimed


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a connection that broke may fail to say goodbye as well
        logger.debug("closing the mail connection failed", exc_info=True)


def delivery_send(*, delivery_id: int) -> bool:
    """One row by itself (tasks `send_delivery` queued before the batches): `deliveries_send` for one id.
    True if sent now; a second call finds it no longer PENDING and sends nothing. A failure puts it back to
    PENDING (FAILED after MAX_ATTEMPTS) with the error, and raises DeliveryFailed so the task retries.
    """
    outcome = deliveries_send(delivery_ids=[delivery_id])
    if delivery_id in outcome.errors:
        raise DeliveryFailed(outcome.errors[delivery_id])
    return delivery_id in outcome.sent


def deliveries_retry(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Re-enqueue what was left behind: PENDING rows whose task never ran (broker down, retries spent).
    A stale claim of a worker that died mid-send becomes UNKNOWN, never resent by itself (the message may
    have gone out before the worker died). Returns how many were enqueued (in batches)."""
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        status=Delivery.Status.UNKNOWN,
        error=_("The worker stopped while sending: the message may or may not have gone out."),
    )
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(claimed_at__isnull=True, created_at__lt=now - older_than) | Q(claimed_at__lt=now - older_than)
        )
        .values_list("pk", flat=True)[:1000]
    )
    deliveries_enqueue(delivery_ids=ids)
    return len(ids)


def deliveries_resend(*, delivery_ids: Iterable[int]) -> int:
    """An operator's decision after checking: send FAILED or UNKNOWN deliveries again (back to PENDING with
    fresh attempts, enqueued on commit in batches). Returns how many."""
    ids = list(
        Delivery.objects.filter(
            pk__in=list(delivery_ids), status__in=[Delivery.Status.FAILED, Delivery.Status.UNKNOWN]
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, attempts=0, claimed_at=None)
    deliveries_enqueue(delivery_ids=ids)
    return len(ids)


def deliveries_mark_read(*, user, delivery_ids: list[int] | None = None) -> int:
    """Mark the user's own deliveries read (all unread ones when no ids are given)."""
    qs = Delivery.objects.filter(user=user, read_at__isnull=True)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=delivery_ids)
    return qs.update(read_at=timezone.now())


def _with_live_links(delivery: Delivery) -> tuple[str, str]:
    """The bodies to send: SET_PASSWORD_LINK replaced by a set-password link made now."""
    text, html = delivery.body_text, delivery.body_html
    if SET_PASSWORD_LINK in text or SET_PASSWORD_LINK in html:
        link = user_set_password_url(user=delivery.user)
        text, html = text.replace(SET_PASSWORD_LINK, link), html.replace(SET_PASSWORD_LINK, link)
    return text, html


def _send_mail(*, to: str, subject: str, text: str, html: str, connection=None) -> None:
    message = OutboxEmail(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], connection=connection
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
