"""The outbox's e-mail: Django's EmailMultiAlternatives, made cheap to build many times in a row.

A day's run sends thousands of messages that share most of their headers (the sender, the parts' content
types, often the subject). Django and the standard library redo the same work for each one: the sender's
display name parsed and encoded, every header folded again when the message is written out, and a regular
expression compiled to check the MIME boundary against the text. `OutboxEmail` builds the very same message
(the same headers, parts and bytes; only the random boundary, date and Message-ID differ, as they always do)
and does that work once per process:

- the sender's header is sanitized once per (sender, charset), then passed on as the ASCII it became;
- the message is written out with a header folding that remembers what it folded (Compat32 `_fold` is a
  pure function of the header's name and value and the policy's line settings);
- the boundary is chosen the way the standard library chooses it, checked with a plain substring test
  (stricter than the generator's per-message regular expression: a boundary found anywhere is not used).
"""

from __future__ import annotations

import random
import sys
from email.policy import Compat32
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers

_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))  # as email.generator formats its boundaries


@lru_cache(maxsize=4096)
def _fold(name: str, value: str, sanitize: bool, linesep: str, max_line_length: int | None) -> str:
    return Compat32(linesep=linesep, max_line_length=max_line_length)._fold(name, value, sanitize)


class _FoldOnce(Compat32):
    """Compat32 (the policy Django's messages use) with its header folding remembered: a header seen before
    (the sender, a part's Content-Type, a subject sent to many) is folded once, not once per message."""

    def _fold(self, name, value, sanitize):
        if isinstance(value, str):
            return _fold(name, value, sanitize, self.linesep, self.max_line_length)
        return super()._fold(name, value, sanitize)


FOLD_ONCE = _FoldOnce()


@lru_cache(maxsize=64)
def _sender_header(sender: str, encoding: str) -> str:
    """The From header as Django writes it (sanitized, encoded words for a non-ASCII name): ASCII, so that
    Django passes it on unchanged."""
    return forbid_multi_line_headers("From", sender, encoding)[1]


def _boundary(*texts: str) -> str:
    """A MIME boundary in the standard library's format that occurs in none of the texts."""
    token = random.randrange(sys.maxsize)
    boundary = ("=" * 15) + f"{token:0{_BOUNDARY_WIDTH}d}" + "=="
    candidate, counter = boundary, 0
    while any(candidate in text for text in texts):
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate


class OutboxEmail(EmailMultiAlternatives):
    """EmailMultiAlternatives whose message() is the same message, built with less repeated work (see the
    module's docstring)."""

    def message(self):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        sender = self.from_email
        if "From" not in self.extra_headers and isinstance(sender, str):
            self.from_email = _sender_header(sender, str(encoding))
        try:
            msg = super().message()
        finally:
            self.from_email = sender
        if msg.is_multipart() and not msg.get_boundary():
            msg.set_boundary(_boundary(self.body, *(str(a.content) for a in self.alternatives)))
        msg.policy = FOLD_ONCE
        return msg
