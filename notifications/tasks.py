"""Celery tasks: thin wrappers that take ids and dates (never model instances) and call services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import jobs, services


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS, acks_late=True)
def send_deliveries(self, delivery_ids: list[int]) -> int:
    """Send a batch of outbox rows (what `deliveries_enqueue` queues). The rows that failed are back to
    PENDING; the task retries those, and only those, with backoff through the broker. Run in process (no
    broker) there is nothing to wait on: they stay PENDING for `deliveries_retry`. Returns how many were sent."""
    outcome = services.deliveries_send(delivery_ids=delivery_ids)
    if outcome.retry and not self.request.is_eager:
        error = services.DeliveryFailed("; ".join(outcome.errors[pk] for pk in outcome.retry)[:2000])
        raise self.retry(args=[outcome.retry], exc=error, countdown=60 * 2**self.request.retries)
    return len(outcome.sent)


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS, acks_late=True)
def send_delivery(self, delivery_id: int) -> bool:
    """Send one outbox row: the task before batches, kept for what a broker still holds after an upgrade. On
    a failure the row is back to PENDING; retry with backoff through the broker. Run in process (no broker)
    there is nothing to wait on: the row stays PENDING for `deliveries_retry`."""
    try:
        return services.delivery_send(delivery_id=delivery_id)
    except services.DeliveryFailed as e:
        if self.request.is_eager:
            return False
        raise self.retry(exc=e, countdown=60 * 2**self.request.retries) from e


@shared_task
def run_daily_jobs(as_of: str | None = None) -> dict[str, int]:
    return jobs.run_all_jobs(as_of=_date(as_of))


@shared_task
def run_job(name: str, as_of: str | None = None) -> int:
    return jobs.run_job(name, as_of=_date(as_of))


@shared_task
def send_digests(frequency: str, as_of: str | None = None) -> int:
    from .digests import digests_send

    return digests_send(frequency=frequency, as_of=_date(as_of))


@shared_task
def retry_deliveries() -> int:
    return services.deliveries_retry()


@shared_task
def ping(value: int) -> int:
    """Used by the round-trip test through a real broker and worker."""
    return value + 1
