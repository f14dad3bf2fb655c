"""Option parsing shared by the management commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def date_option(value: str | dt.date, *, option: str = "--as-of") -> dt.date:
    """A date option given as YYYY-MM-DD (or already a date, from call_command); else a CommandError that
    names the option. Call it in handle(), not as an argparse `type=`: there a CommandError would end the
    command line with a traceback instead of the message."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None
