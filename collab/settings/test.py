"""Test settings: the base settings with fast hashing and an in-memory mail box."""

import os

from collab.settings.base import *  # noqa: F403
from collab.settings.base import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5
DEBUG = False
# Tasks run in-process in tests even when REDIS_URL is set (the cache then uses Redis): tests see their
# effects deterministically, and nothing piles up in a queue no worker reads. The real-worker test
# (tests/collab/test_celery_worker.py) switches the app to the broker explicitly.
CELERY_TASK_ALWAYS_EAGER = True
# With REDIS_URL, parallel test processes (pytest-xdist) share one Redis database: keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Tests never collect static files; without a collected folder WhiteNoise would warn on every request
# handler. Finders serve the sources instead (browser tests go through the live server's static handler).
STATIC_ROOT = None
