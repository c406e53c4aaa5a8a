"""Settings shared by every environment; values come from the environment (django-environ).

dev, test and prod only override. App code never reads settings at import time.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "accounts",
    "tickets",
    "links",
    "attachments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# The benchmark suite (bench/run.py) counts each request's SQL queries in a response header.
if env.bool("BENCH_COUNT_QUERIES", default=False):
    MIDDLEWARE.insert(0, "helpdesk.middleware.QueryCountMiddleware")
# ... and routes /bench/floor/, a fixed 1 KB response (helpdesk/urls.py).
BENCH_FLOOR = env.bool("BENCH_FLOOR", default=False)

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'helpdesk.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiler pays off for long analytic queries, not for a help desk's: it
    # added some 60 ms of compiling to each dashboard count at a million tickets.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c jit=off")
    # Server-side parameters let psycopg prepare a query the connection has run a few times, so
    # PostgreSQL plans it once per connection: a ticket's 14-join read spent 3 ms of its 3.3 ms
    # in the planner. A transaction-mode pooler (PgBouncer before 1.21) cannot keep prepared
    # statements: DATABASE_PREPARE_THRESHOLD= (empty) turns them off there.
    options.setdefault("server_side_binding", True)
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5").strip()
    options.setdefault("prepare_threshold", int(threshold) if threshold else None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The queues' covering indexes (INCLUDE) are PostgreSQL's; SQLite (make run) builds them without
# the extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Without Redis the database holds the cache, so several processes still agree.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "helpdesk_cache",
        }
    }
# Sessions live in the database: web processes keep no state of their own.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Front-end assets come from the npm registry at install time (package.json) and are
# served from node_modules; nothing is copied in by hand.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

ATTACHMENT_DIR = env("ATTACHMENT_DIR", default=str(BASE_DIR / "var" / "attachments"))
MEDIA_ROOT = ATTACHMENT_DIR
STORAGES = {
    "default": {
        "BACKEND": env("ATTACHMENT_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": ATTACHMENT_DIR}
        if "FileSystem" in env("ATTACHMENT_STORAGE", default="FileSystem")
        else {},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads: the size handler goes first so it sees every chunk and stops an oversized file
# before the others write it out (attachments/uploadhandlers.py). Files past 2.5 MB spool to
# a temporary file; form fields and JSON bodies stay small (replies are at most 100,000 chars).
FILE_UPLOAD_HANDLERS = [
    "attachments.uploadhandlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Above the 10 files an upload may carry, so an 11th is refused with a readable message.
DATA_UPLOAD_MAX_NUMBER_FILES = 20

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Help Desk <help@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; a hung SMTP server fails and is retried

# Email in and out (SPEC §8). HELPDESK_EMAIL is the address customers write to (default: the
# address of DEFAULT_FROM_EMAIL); replies come back to it plus-tagged (help+t1234-<hmac>@...).
HELPDESK_EMAIL = env("HELPDESK_EMAIL", default="")
# The mailbox polled for new mail: imap://user:pass@host:143/INBOX or imaps://...:993/INBOX
# (`?starttls=1` upgrades a plain connection). Empty: no polling (use `ingest_email` as a pipe).
INBOUND_IMAP_URL = env("INBOUND_IMAP_URL", default="")
INBOUND_IMAP_INTERVAL_SECONDS = env.int("INBOUND_IMAP_INTERVAL_SECONDS", default=60)
INBOUND_IMAP_BATCH = env.int("INBOUND_IMAP_BATCH", default=200)
# Mail a sender may send in per hour before the rest is ignored (a loop with another robot).
INBOUND_SENDER_HOURLY_LIMIT = env.int("INBOUND_SENDER_HOURLY_LIMIT", default=20)
# The category of tickets from an address with no InboundAddress row (by name); else the first.
INBOUND_DEFAULT_CATEGORY = env("INBOUND_DEFAULT_CATEGORY", default="")

# Celery: without a broker (make run), tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a message taken by a worker that died without acknowledging it (acks_late) to
# another worker after `visibility_timeout` seconds; workers look for such messages every
# `unacked_restore_interval` seconds. A task still running (or waiting for its ETA, like a
# closure scheduled days ahead) when the timeout passes is handed out a second time: harmless,
# every task is idempotent, but keep the timeout above the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
LIFECYCLE_JOB_INTERVAL_SECONDS = env.int("LIFECYCLE_JOB_INTERVAL_SECONDS", default=3600)
SLA_SWEEP_INTERVAL_SECONDS = env.int("SLA_SWEEP_INTERVAL_SECONDS", default=300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per user (token or session) and per address for anonymous callers: 429 + Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "helpdesk.throttles.UserRateThrottle",
        "helpdesk.throttles.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_RATE_USER", default="600/min"),
        "anon": env("API_RATE_ANON", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Help desk API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets used by several fields: one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "tickets.models.StatusKind",
        "AutomationEventEnum": "tickets.models_automation.AutomationEvent",
        "WebhookEventEnum": "tickets.models_integrations.WebhookEvent",
    },
}

# Content Security Policy: scripts and styles only from our own origin, no inline script.
# htmx's indicator style and its settling of `style` attributes are turned off (htmx-config
# meta in base.html), so no inline style is needed either; the browser tests fail on any
# CSP violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"celery": {"level": env("CELERY_LOG_LEVEL", default="WARNING")}},
}
