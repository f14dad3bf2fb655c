"""Settings shared by every way of running: everything is here, switched by environment variables.

The embedded default (no variables set) needs no server: SQLite in var/, e-mails written as files to
var/mail/, Celery tasks run in process. Production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, ...
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

SECRET_KEY = env("SECRET_KEY", default="embedded-default-insecure-key-change-me-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation (issue 14, profiled): our queries run in tens of milliseconds, but their correlated
    # subqueries inflate the planner's cost estimate past jit_above_cost, and compiling then took 1.1–1.3 s
    # per query (a branch's study hours: 1,156 ms with JIT, 75 ms without). Nothing here is a long analytic
    # scan that JIT would repay.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
# A streaming read replica for the county-wide dashboards and the report commands (common/replica.py), when
# DATABASE_REPLICA_URL names one; its tests read the default database (MIRROR).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Our apps come first: where two catalogues translate the same English words, the earlier app wins, and a
# third-party catalogue (django-celery-beat's "Name" → 任务名) must not relabel our pages.
INSTALLED_APPS = [
    # ours, lowest layer first
    "common",
    "users",
    "branches",
    "members",
    "spreadsheets",
    "notifications",
    "education",
    "care",
    "accountability",
    "officers",
    "dues",
    "recruitment",
    "standing",
    "dashboard",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "branches.middleware.MfaRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "branches.context_processors.scope",
            ],
        },
    }
]

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"

# allauth: e-mail and password, no public sign-up (accounts come from the office above or an import).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "users.adapters.NoSignupAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Sign-in throttling (issue 13, Medium 12): allauth counts failed sign-ins per client IP (10 a minute) and per
# address; users.adapters counts the latter per address AND IP, so that a stranger cannot lock a known user
# out. The counters live in the cache: Redis in production (CACHES below), shared by every worker.
# Behind a reverse proxy the client IP is read from X-Forwarded-For with TRUSTED_PROXY_COUNT proxies in front
# (nginx alone: 1), or from the header named by TRUSTED_CLIENT_IP_HEADER (e.g. X-Real-IP); neither set = the
# socket address, right when nothing stands in front of gunicorn.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="") or None
# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) and recovery codes, at /accounts/2fa/.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="党建管理")
# Accounts holding one of these roles are sent to set up two-factor sign-in before anything else
# (branches.middleware.MfaRequiredMiddleware). Off in the embedded default; production requires it for the
# county and township roles (config/settings/production.py).
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package-lock.json) and are served by us: no CDN on closed networks.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env("STATICFILES_BACKEND", default="whitenoise.storage.CompressedStaticFilesStorage")
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet imports (common/spreadsheets): a file past a limit is refused with a message before it can hold a
# worker; 100,000 rows is five times the large county's roster.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = 100
IMPORT_MAX_CELL_CHARS = 10_000
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ERRORS = 200
IMPORT_UPLOAD_KEEP_HOURS = 24  # an upload nobody applied loses its file after this

# E-mail: EMAIL_URL=smtp://user:pass@host:587/?tls=True in production; files in var/mail by default.
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="党建管理系统 <noreply@partybuilding.local>")
# Links in e-mails. Unset, it follows PORT, so `PORT=8101 ./dev demo` mails links that open.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")

# Celery: no broker → tasks run in process (embedded default); CELERY_BROKER_URL=redis://... in production.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one place where the periodic jobs are declared; django-celery-beat copies these into the database
# where the county office can see and change them in the admin.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "daily-jobs": {
        "task": "notifications.tasks.run_daily_jobs",
        "schedule": crontab(hour=6, minute=30),
    },
    "send-daily-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ["daily"],
    },
    "retry-deliveries": {
        "task": "notifications.tasks.retry_deliveries",
        "schedule": crontab(minute="*/10"),
    },
    "send-weekly-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=15, day_of_week="monday"),
        "args": ["weekly"],
    },
}

# One cache for every worker when there is a server: CACHE_URL, else the Redis of the Celery broker (cache keys
# are prefixed, they do not meet Celery's), else (embedded default, one process) memory. The sign-in
# throttling lives here: a per-process cache let each gunicorn worker count on its own.
_CACHE_URL = env("CACHE_URL", default="")
if not _CACHE_URL and (CELERY_BROKER_URL or "").startswith(("redis://", "rediss://")):
    _CACHE_URL = CELERY_BROKER_URL
CACHES = {
    "default": env.cache_url_config(_CACHE_URL)
    if _CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# django-csp 4: everything from ourselves; htmx needs no inline script; Bootstrap needs inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "celery.app.trace": {"level": "WARNING"}},
}

PAGE_SIZE = 50
# A member's suggestion, question or report is answered within this many days; unanswered, it goes one
# level up once (standing.jobs.suggestion_escalate), with the same time again there.
SUGGESTION_ANSWER_DAYS = env.int("SUGGESTION_ANSWER_DAYS", default=15)
