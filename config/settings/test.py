"""Tests: the same settings, honouring DATABASE_URL and CELERY_BROKER_URL (CI points them at
PostgreSQL and Redis); fast hashing, mail kept in memory, tasks in process unless a test starts a worker."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "zh-hans"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Every test starts from an empty cache of its own (sign-in throttling counts there), even where CI gives a
# broker whose Redis production would share.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
