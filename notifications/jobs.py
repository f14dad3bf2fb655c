"""The registry of periodic jobs. Each app registers its jobs in its own `jobs.py`:

    from notifications.jobs import periodic_job

    @periodic_job("probation_due")
    def probation_due(as_of: datetime.date) -> int:   # returns how many deliveries it created
        ...

An app's jobs.py also names the kinds of what it sends, for the digest's headings:
`TOPICS = {"probation_due": _("Confirmations due")}` (topic_labels).

A job must be idempotent for a given `as_of`: it creates deliveries through `notifications.services.notify`,
whose unique key makes a second run send nothing. `run_jobs` (command) and the Celery beat task both call
`run_job` / `run_all_jobs` here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

from common.discovery import app_modules

logger = logging.getLogger(__name__)

JobFunc = Callable[[dt.date], int]
_REGISTRY: dict[str, JobFunc] = {}
_loaded = False


def periodic_job(name: str) -> Callable[[JobFunc], JobFunc]:
    def decorator(func: JobFunc) -> JobFunc:
        _REGISTRY[name] = func
        return func

    return decorator


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for _app, _module in app_modules("jobs"):  # importing registers the jobs
        pass
    _loaded = True


def topic_labels() -> dict[str, str]:
    """What each delivery kind is about, as a heading of the digest: every app's `jobs.py` may declare
    `TOPICS = {"<kind>": _("…")}` for the kinds it (or its services) sends."""
    labels: dict[str, str] = {}
    for _app, module in app_modules("jobs"):
        labels.update(getattr(module, "TOPICS", {}))
    return labels


def registered_jobs() -> dict[str, JobFunc]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def run_job(name: str, *, as_of: dt.date | None = None) -> int:
    """Run one job for `as_of` (today by default), recorded as a JobRun. Raises KeyError for an unknown name."""
    from .models import JobRun

    jobs = registered_jobs()
    if name not in jobs:
        raise KeyError(name)
    as_of = as_of or timezone.localdate()
    run = JobRun.objects.create(job=name, as_of=as_of)
    try:
        created = jobs[name](as_of) or 0
    except Exception as e:
        run.error = repr(e)
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        raise
    run.created = created
    run.finished_at = timezone.now()
    run.save(update_fields=["created", "finished_at"])
    logger.info("job %s as of %s created %s deliveries", name, as_of, created)
    return created


class JobsFailed(Exception):
    """One or more jobs raised; the others still ran. Each failure is recorded on its JobRun."""


def run_all_jobs(*, as_of: dt.date | None = None) -> dict[str, int]:
    """Run every registered job for `as_of`; a failing job does not stop the others (it is logged and
    recorded on its JobRun), and JobsFailed is raised at the end naming the failed ones."""
    as_of = as_of or timezone.localdate()
    results: dict[str, int] = {}
    failed: list[str] = []
    for name in registered_jobs():
        try:
            results[name] = run_job(name, as_of=as_of)
        except Exception:
            logger.exception("job %s as of %s failed", name, as_of)
            failed.append(name)
    if failed:
        raise JobsFailed(", ".join(failed))
    return results


def run_day(*, as_of: dt.date | None = None, job: str | None = None) -> dict[str, int]:
    """What the embedded scheduler (`run_jobs`) does for one day: the jobs (or one of them), then the
    digests due that day, then a sweep of unsent deliveries. Idempotent for a given day."""
    from .digests import digests_due, digests_send
    from .services import deliveries_retry

    as_of = as_of or timezone.localdate()
    if job:
        return {job: run_job(job, as_of=as_of)}
    error: JobsFailed | None = None
    try:
        results = run_all_jobs(as_of=as_of)
    except JobsFailed as e:
        results, error = {}, e
    for frequency in digests_due(as_of=as_of):
        results[f"digest:{frequency}"] = digests_send(frequency=frequency, as_of=as_of)
    results["retry"] = deliveries_retry()
    if error:
        raise error
    return results
