"""Tests run against real PostgreSQL and Redis (make test starts them)."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/helpdesk")}
# Each pytest-xdist worker gets its own Redis database, so one worker's cache.clear() or
# rate-limit counters never reach the other's tests.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = env("REDIS_URL", default=f"redis://127.0.0.1:6379/{15 - _WORKER}")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# Tasks run in-process so a test sees their effect at the commit boundary.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"  # nosec B105
# Uploaded files of the tests go to a scratch folder per worker, never into the checkout.
ATTACHMENT_DIR = MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"helpdesk-test-files-{_WORKER}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
