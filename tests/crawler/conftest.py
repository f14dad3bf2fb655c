"""Hypothesis profiles for the fuzz tests: few examples by default so the suite stays fast; CI (or anyone)
raises them with HYPOTHESIS_PROFILE=ci (or =deep)."""

import os

from hypothesis import HealthCheck, settings

_common = {
    "deadline": None,
    "derandomize": False,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "database": None,
}
settings.register_profile("default", max_examples=4, **_common)
settings.register_profile("ci", max_examples=20, **_common)
settings.register_profile("deep", max_examples=200, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
