"""Benchmark: the churn model end to end from PostgreSQL, through a real worker.

Seeds a tenant (as the owner role, server-side SQL, not timed): 5,000 partners in the program for two
years and their engagement events with a planted churn mechanism like :mod:`scoring.churn.history`
(each partner logs in 1–5 times a week; half of them go quiet on a day of the window, their logins
falling over the 60 days before). Then times, through a real Celery worker (``start_worker``: a solo
worker thread in this process on the real Redis broker), the task a manager's **Train now** sends:
reading the events and facts for 24 month starts (about 105,000 labelled partner-months), training
and calibrating both candidates, storing the model, and predicting every partner today with drivers.
Afterwards, in this process, the same steps one by one for the breakdown.

Target (issue 7): end to end with feature extraction from PostgreSQL under 60 s.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/churn_run.py``
(DATABASE_URL picks the server; the bench works in a database of its own, BENCH_CHURN_DATABASE).
Size: BENCH_CHURN_PARTNERS (5,000). Appends to bench/RESULTS.md unless BENCH_CHURN_NO_RECORD is set.
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

NAME = os.environ.get("BENCH_CHURN_DATABASE", "bench_churn")
PARTNERS = int(os.environ.get("BENCH_CHURN_PARTNERS", "5000"))
DAYS = 730
TARGET = 60.0

# One row per partner and day; a login with probability rate/7 (a fifth of it at the end of the
# decline), none from the quiet day on; registrations at 0.15 a week while active.
EVENTS_SQL = """
WITH p AS (
    SELECT id, (1 + (id * 7919) %% 5)::float / 7 AS rate,
           CASE WHEN id %% 2 = 0 THEN 60 + (id * 104729) %% (%(days)s - 60) ELSE %(days)s END AS quit
    FROM partners_partnerorganization WHERE tenant_id = %(tenant)s
), d AS (
    SELECT p.id, p.quit, day,
           CASE WHEN day >= p.quit THEN 0
                WHEN day >= p.quit - 60 THEN p.rate * (1 - 0.8 * (day - (p.quit - 60)) / 60.0)
                ELSE p.rate END AS chance
    FROM p CROSS JOIN generate_series(0, %(days)s - 1) AS day
)
INSERT INTO partners_engagementevent (tenant_id, partner_id, kind, occurred_at, data)
SELECT %(tenant)s, id, kind, %(start)s::timestamptz + day * interval '1 day' + interval '10 hours', '{}'
FROM (
    SELECT id, day, 'login' AS kind FROM d WHERE random() < chance
    UNION ALL
    SELECT id, day, 'registration_submitted' FROM d WHERE day < quit AND random() < 0.15 / 7
) AS e
"""


def seed(today: datetime.date) -> Tenant:
    from django.utils import timezone

    from deals.models import EngagementRules
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.create(slug="churn", name="Churn bench", require_staff_mfa=False)
    start = today - datetime.timedelta(days=DAYS)
    joined = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
    with tenant_context(tenant.pk):
        EngagementRules.objects.create(tenant=tenant, currency="USD")
        PartnerOrganization.objects.bulk_create(
            [
                PartnerOrganization(
                    tenant=tenant, public_id=uuid.uuid4(), name=f"Partner {i:05d}", partner_type="reseller", status="active"
                )
                for i in range(PARTNERS)
            ],
            batch_size=5_000,
        )
        PartnerOrganization.objects.update(created_at=joined)
    started = time.perf_counter()
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true), setseed(0.42)", [str(tenant.pk)])
        cursor.execute(EVENTS_SQL, {"tenant": tenant.pk, "days": DAYS, "start": start.isoformat()})
        events = cursor.rowcount
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"seeded {PARTNERS:,} partners and {events:,} events in {time.perf_counter() - started:.1f} s (not timed)")
    return tenant, events


def main() -> None:
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone
    from threadpoolctl import threadpool_limits

    from ecosystem.celery import app
    from scoring import churn_service
    from scoring.churn_features import LABEL, partner_month_table
    from scoring.models import ChurnPrediction, PredictionModel, ScoringSettings
    from scoring.tasks import churn_train

    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    today = timezone.localdate()
    tenant, events = seed(today)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        started = time.perf_counter()
        churn_train.delay(tenant.pk)
        while True:
            with tenant_context(tenant.pk):
                status = ScoringSettings.objects.filter(tenant=tenant).values_list("churn_status", flat=True).first()
                done = bool(status) and ChurnPrediction.objects.count() >= PARTNERS
            if done:
                break
            time.sleep(0.05)
        end_to_end = time.perf_counter() - started

    with tenant_context(tenant.pk), threadpool_limits(limits=1):
        model = PredictionModel.objects.get(is_active=True)
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            table = partner_month_table(as_of_dates=churn_service.training_dates(today), horizon_days=90, today=today)
        extract = time.perf_counter() - t0
        labelled = int(table[LABEL].notna().sum())
        t0 = time.perf_counter()
        churn_service.churn_predict(tenant=tenant)
        predict = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    metrics = model.metrics
    timings = metrics.get("timings", {})
    line = (
        f"{PARTNERS:,} partners, {events:,} events, {labelled:,} labelled partner-months × {len(model.features)} features: "
        f"Train now end to end {end_to_end:.2f} s through the worker (target {TARGET:.0f} s, ratio {end_to_end / TARGET:.2f}); "
        f"of which, measured again in-process: extraction from PostgreSQL {extract:.2f} s ({len(queries)} queries), "
        f"fit and calibration {timings.get('fit_and_calibrate_seconds', 0):.2f} s, importance {timings.get('importance_seconds', 0):.2f} s, "
        f"today's predictions with drivers, drift and alerts {predict:.2f} s; chosen {model.method}, held-out ROC AUC "
        f"{metrics['test']['roc_auc']:.3f} (rule-based {metrics['baseline']['roc_auc']:.3f}), ECE {metrics['test']['ece']:.4f}; "
        f"peak RSS {peak:.0f} MB"
    )
    print(line)
    if not os.environ.get("BENCH_CHURN_NO_RECORD"):
        append(
            f"\n## Churn model end to end ({datetime.date.today().isoformat()})\n\n"
            "`bench/churn_run.py`: a tenant seeded server-side with a planted churn mechanism (not timed), then the "
            "Train now task timed through a real Celery worker (solo pool, real Redis broker, scikit-learn on one "
            "thread), from the task sent to today's predictions stored. "
            f"Machine: {machine(version)}.\n\n{line}.\n"
        )
    if not os.environ.get("BENCH_CHURN_KEEP"):
        bootstrap.drop_database(NAME)


if __name__ == "__main__":
    main()
