"""Build the demo county: `manage.py seed_demo [--scale demo|large] [--seed N] [--as-of YYYY-MM-DD] [--reset]`."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.services import (
    PASSWORD,
    SCALES,
    DemoAlreadySeeded,
    demo_accounts,
    demo_database_is_empty,
    demo_seed,
)


class Command(BaseCommand):
    help = "Build a realistic demo county (deterministic for a seed and an as-of date) with one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="the demo's 'today' (default: today)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="erase the county (organizations, members, accounts and what depends on them) first; superusers and reference data are kept",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="on a database that has data already, do nothing (and list the demo accounts) instead of failing",
        )

    def handle(self, *args, scale, seed, as_of=None, reset=False, if_empty=False, verbosity=1, **options):
        if if_empty and not reset and not demo_database_is_empty():
            self.stdout.write(
                "The database has data already: nothing seeded (use --reset to rebuild the demo)."
            )
            self._print_accounts(demo_accounts())
            return
        started = time.perf_counter()
        log = self.stdout.write if verbosity > 1 else (lambda _m: None)
        try:
            result = demo_seed(
                scale=scale, seed=seed, as_of=as_of or timezone.localdate(), reset=reset, log=log
            )
        except DemoAlreadySeeded as e:
            raise CommandError(str(e)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo county ({scale}, seed {seed}): {result.organizations} organizations, "
                f"{result.members} members in {elapsed:.1f}s."
            )
        )
        self._print_accounts(result.accounts)

    def _print_accounts(self, accounts) -> None:
        if not accounts:
            return
        self.stdout.write(f"Demo accounts (password for all: {PASSWORD}):")
        width = max(len(a.email) for a in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.role} · {account.where}")
