"""Production settings plus one bench-only page: /bench/blank/, a signed-in page that renders base.html with an
empty content block (the floor every page pays). Used by the gunicorn servers that bench/bench.py starts."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
