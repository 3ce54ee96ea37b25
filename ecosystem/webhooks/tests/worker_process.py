"""A real Celery worker in a process of its own, for the test that kills one mid-delivery.

Run by ``test_worker_killed.py`` as ``python -m ecosystem.webhooks.tests.worker_process <port> <lease>``
with the parent test's ``PYTEST_XDIST_TESTRUNUID`` / ``PYTEST_XDIST_WORKER`` in its environment, so the
test settings give it the same database, queue and cache prefix as the parent. Test-only allowances,
all made here and nowhere in the product: plain http to the one port of the test's receiver on
127.0.0.1, and a lease of ``<lease>`` seconds instead of five minutes.
"""

from __future__ import annotations

import datetime
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402


def main(port: int, lease_seconds: float) -> None:
    for alias in settings.DATABASES:  # the parent's test database, already migrated
        settings.DATABASES[alias]["NAME"] = settings.TEST_DATABASE_NAME
        connections[alias].settings_dict["NAME"] = settings.TEST_DATABASE_NAME
    settings.OUTBOUND_ALLOW_HTTP = True
    settings.OUTBOUND_ALLOWED_PORTS = [port]

    from ecosystem import outbound
    from ecosystem.celery import app
    from ecosystem.webhooks import delivery

    delivery.LEASE = datetime.timedelta(seconds=lease_seconds)
    # The solo pool runs every task in this thread, inside this allowance.
    with outbound._allow_addresses_for_tests("127.0.0.1"):
        app.worker_main(
            [
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ]
        )


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
