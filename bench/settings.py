"""Production settings plus one bench-only page: /bench/blank/, a signed-in page that renders base.html with an
empty content block (the floor every page pays). Used by the gunicorn servers that bench/bench.py starts."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The benchmark signs its accounts in directly (inproc.py): the second factor production asks of county and
# township roles is a sign-in step, not part of any page's cost, and would turn every county page into a 302.
MFA_REQUIRED_ROLES: list[str] = []
