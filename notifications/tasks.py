"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import jobs, services


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_delivery(delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task
def run_daily_jobs(as_of: str | None = None) -> dict[str, int]:
    return jobs.run_all_jobs(as_of=dt.date.fromisoformat(as_of) if as_of else None)


@shared_task
def run_job(name: str, as_of: str | None = None) -> int:
    return jobs.run_job(name, as_of=dt.date.fromisoformat(as_of) if as_of else None)


@shared_task
def send_digests(frequency: str, as_of: str | None = None) -> int:
    from .digests import digests_send

    return digests_send(frequency=frequency, as_of=dt.date.fromisoformat(as_of) if as_of else None)


@shared_task
def ping(value: int) -> int:
    """Used by the round-trip test through a real broker and worker."""
    return value + 1
