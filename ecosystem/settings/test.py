"""The test suite: fast hashing, mail kept in memory, static files served without a manifest."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each pytest-xdist worker gets its own Celery queue and Redis key space, so parallel runs
# never pick up each other's tasks or rate-limit counters.
# Two suites may run at once on one machine (two terminals, a helper): the run id keeps them apart.
TEST_RUN_ID = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid()))[:8]
_WORKER = f"{TEST_RUN_ID}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
CELERY_TASK_DEFAULT_QUEUE = f"test-{_WORKER}"
CACHES = {
    "default": {
        "BACKEND": "ecosystem.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"test-{_WORKER}",
    }
}
# False, not {}: allauth merges a dict into its defaults. The rate-limit tests turn them back on.
ACCOUNT_RATE_LIMITS = False

# The database name per run and worker, created by conftest.django_db_setup.
TEST_DATABASE_NAME = f"test_{DATABASES['default']['NAME']}_{_WORKER}".replace("-", "_")
