"""Run the periodic jobs synchronously, as if it were a given day, then that day's digests.

    manage.py run_jobs                      # today
    manage.py run_jobs --as-of 2025-03-01   # as if it were that day (operators, tests)
    manage.py run_jobs --job probation_due  # one job only (no digests)
    manage.py run_jobs --every 3600         # the embedded scheduler: today's run, again every hour

Idempotent: a second run for the same day creates and sends nothing new (unique delivery keys).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.commands import date_option
from notifications.jobs import JobsFailed, registered_jobs, run_day


class Command(BaseCommand):
    help = "Run the periodic jobs (and the digests) once as of a day, or repeatedly with --every."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to run as (YYYY-MM-DD); default today")
        parser.add_argument("--job", help="run only this job: " + ", ".join(registered_jobs()))
        parser.add_argument("--every", type=int, metavar="SECONDS", help="loop: run again every SECONDS")

    def handle(self, *args, as_of=None, job=None, every=None, **options):
        as_of = date_option(as_of) if as_of else None
        # In process (no broker) every e-mail is a task: Celery's per-task INFO line would drown the summary.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        if job and job not in registered_jobs():
            raise CommandError(f"unknown job {job!r}; known: {', '.join(registered_jobs())}")
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second")
        if not every:
            self._run(as_of or timezone.localdate(), job, fail=True)
            return
        stop = {"now": False}

        def _stop(*_):
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop["now"]:
                # a fixed --as-of is run once per loop and is idempotent; without it each loop is "today"
                self._run(as_of or timezone.localdate(), job, fail=False)
                deadline = time.monotonic() + every
                while not stop["now"] and time.monotonic() < deadline:
                    time.sleep(min(1.0, every))
        except KeyboardInterrupt:
            pass

    def _run(self, as_of: dt.date, job: str | None, *, fail: bool) -> None:
        try:
            results = run_day(as_of=as_of, job=job)
        except JobsFailed as e:
            msg = f"{as_of}: failed jobs: {e} (see the log and the job runs in the admin)"
            if fail:
                raise CommandError(msg) from e
            self.stderr.write(msg)
            return
        except Exception as e:  # the loop keeps running; a one-off run reports the failure
            if fail:
                raise
            self.stderr.write(f"{as_of}: {e!r}")
            return
        summary = ", ".join(f"{name}={count}" for name, count in results.items()) or "no jobs"
        self.stdout.write(f"{as_of}: {summary}")
