"""Benchmark: health scores of 10,000 partners with 5,000,000 engagement events, through a real worker.

Seeds a tenant (as the owner role, server-side ``INSERT … SELECT``, not timed): 10,000 partners and
5,000,000 engagement events over the last year (logins mostly, some course completions and deal
registrations). Then times, through a real Celery worker (``start_worker``: a solo worker thread in
this process on the real Redis broker):

- the nightly computation for every partner (task sent → 10,000 scores stored), and its queries;
- a single partner's refresh after an event (task sent → its score stored).

Targets (issue 7): under 10 s for everyone; under 300 ms for one partner.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/health_run.py``
(DATABASE_URL picks the server; the bench works in a database of its own, BENCH_HEALTH_DATABASE).
Sizes: BENCH_HEALTH_PARTNERS (10,000), BENCH_HEALTH_EVENTS (5,000,000). Appends to bench/RESULTS.md
unless BENCH_HEALTH_NO_RECORD is set.
"""

from __future__ import annotations

import datetime
import os
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.results import append, machine  # noqa: E402
from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

NAME = os.environ.get("BENCH_HEALTH_DATABASE", "bench_health")
PARTNERS = int(os.environ.get("BENCH_HEALTH_PARTNERS", "10000"))
EVENTS = int(os.environ.get("BENCH_HEALTH_EVENTS", "5000000"))
TARGET_ALL, TARGET_ONE = 10.0, 0.3


def seed() -> tuple[Tenant, list[int]]:
    from deals.models import EngagementRules
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.create(slug="health", name="Health bench", require_staff_mfa=False)
    with tenant_context(tenant.pk):
        EngagementRules.objects.create(tenant=tenant, currency="USD")
        partners = PartnerOrganization.objects.bulk_create(
            [
                PartnerOrganization(
                    tenant=tenant, public_id=uuid.uuid4(), name=f"Partner {i:05d}", partner_type="reseller", status="active"
                )
                for i in range(PARTNERS)
            ],
            batch_size=5_000,
        )
    ids = [p.pk for p in partners]
    started = time.perf_counter()
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        cursor.execute(
            "INSERT INTO partners_engagementevent (tenant_id, partner_id, kind, occurred_at, data) "
            "SELECT %s, (%s::bigint[])[1 + (i * 7919) %% %s], "
            "(ARRAY['login','login','login','login','login','login','content_download','course_completed',"
            "'registration_submitted','login'])[1 + i %% 10], "
            "now() - ((i * 104729) %% (365 * 24 * 3600)) * interval '1 second', '{}' "
            "FROM generate_series(0::bigint, %s - 1) AS i",
            [tenant.pk, ids, PARTNERS, EVENTS],
        )
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"seeded {PARTNERS:,} partners and {EVENTS:,} events in {time.perf_counter() - started:.1f} s (not timed)")
    return tenant, ids


def wait_for_scores(tenant: Tenant, count: int, since: datetime.datetime) -> None:
    from scoring.models import HealthScore

    while True:
        with tenant_context(tenant.pk):
            if HealthScore.objects.filter(computed_at__gte=since).count() >= count:
                return
        time.sleep(0.02)


def main() -> None:
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from ecosystem.celery import app
    from scoring.services import health_scores_compute
    from scoring.tasks import health_score_refresh, health_scores_nightly

    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    tenant, ids = seed()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        since = timezone.now()
        started = time.perf_counter()
        health_scores_nightly.delay(tenant.pk)
        wait_for_scores(tenant, PARTNERS, since)
        everyone = time.perf_counter() - started
        one_times = []
        for partner_id in ids[:5]:
            since = timezone.now()
            started = time.perf_counter()
            health_score_refresh.delay(tenant.pk, partner_id)
            wait_for_scores(tenant, 1, since)
            one_times.append(time.perf_counter() - started)
    with tenant_context(tenant.pk), CaptureQueriesContext(connection) as queries:
        health_scores_compute(tenant=tenant)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    one = sorted(one_times)[len(one_times) // 2]
    line = (
        f"{PARTNERS:,} partners, {EVENTS:,} events: everyone {everyone:.2f} s through the worker (target {TARGET_ALL:.0f} s, "
        f"ratio {everyone / TARGET_ALL:.2f}), {len(queries)} queries; one partner's refresh {one * 1000:.0f} ms, median of 5 "
        f"(target {TARGET_ONE * 1000:.0f} ms, ratio {one / TARGET_ONE:.2f}); peak RSS {peak:.0f} MB"
    )
    print(line)
    if not os.environ.get("BENCH_HEALTH_NO_RECORD"):
        append(
            f"\n## Health scores end to end ({datetime.date.today().isoformat()})\n\n"
            "`bench/health_run.py`: a tenant seeded server-side (not timed), then the nightly computation and single-partner "
            "refreshes timed through a real Celery worker (solo pool, real Redis broker), from the task sent to the scores "
            f"stored. Machine: {machine(version)}.\n\n{line}.\n"
        )
    if not os.environ.get("BENCH_HEALTH_KEEP"):
        bootstrap.drop_database(NAME)


if __name__ == "__main__":
    main()
