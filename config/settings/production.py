"""Production: PostgreSQL, Redis, SMTP, gunicorn; all from the environment (see README)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=2592000)
# HSTS for this host only, not preloaded (issue 13, Low 20): the site runs on a host name inside a county's or a
# government domain whose other hosts we neither run nor know to be on HTTPS, and a preload entry binds the
# whole domain for months. An operator who owns the domain can turn both on; the two warnings are silenced for
# that reason.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# Two-factor sign-in is required for the roles that can change a township or the county.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=["county_admin", "township_secretary", "township_staff"]
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
for _database in DATABASES.values():  # noqa: F405  (the replica too, when there is one)
    _database["CONN_MAX_AGE"] = CONN_MAX_AGE
