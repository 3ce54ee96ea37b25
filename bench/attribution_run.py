"""Benchmark: a whole attribution run on a tenant of 1,000,000 journeys and about 3.3 million touchpoints.

Seeds, per size, a tenant (as the owner role, server-side ``INSERT … SELECT``, not timed) with 24
partners, one customer account and one deal registration per journey (30 % won, 30 % lost, 40 %
open; 10 % of the won amounts in EUR, converted through the rate table) and 1–5 touchpoints per
account (3.3 on average, the first one the registration's own derived touch). Then times the run
task (``attribution.tasks.attribution_run_task``, the body the Celery worker executes, called in
this process): job started, touchpoints derived (none new), journeys read by binary COPY, all eight
models, channel credits and every per-touch credit written, job finished. A second run with
``per_touch_detail`` off times the aggregates-only path, and a third records the phases (read,
compute, write). Peak memory is this process's maximum resident set size.

Targets (issue 6): under 20 s end to end with per-touch credits (under 10 s aggregates only),
memory under 2 GB, time close to linear from 10k to 100k to 1M journeys.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/attribution_run.py``
(DATABASE_URL picks the server; the bench works in a database of its own, BENCH_ATTRIBUTION_DATABASE).
Sizes: BENCH_ATTRIBUTION_SIZES (default ``10000,100000,1000000``). Appends to bench/RESULTS.md unless
BENCH_ATTRIBUTION_NO_RECORD is set.
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

from django.db import connections, transaction  # noqa: E402

from bench.results import append, machine  # noqa: E402
from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

NAME = os.environ.get("BENCH_ATTRIBUTION_DATABASE", "bench_attribution")
SIZES = [int(x) for x in os.environ.get("BENCH_ATTRIBUTION_SIZES", "10000,100000,1000000").split(",")]
PARTNERS = 24
TARGET, TARGET_AGGREGATES = 20.0, 10.0
TYPES = ["reseller", "msp", "isv", "system_integrator", "referral", "influence"]
TOUCH_TYPES = [
    "registration",
    "cosell",
    "lead_accepted",
    "mdf_campaign_lead",
    "referral",
    "technical_validation",
    "implementation",
    "renewal_support",
]


def seed(n: int) -> Tenant:
    from deals.models import CurrencyRate, EngagementRules
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.create(slug=f"attribution-{n}", name=f"Attribution bench {n:,}", require_staff_mfa=False)
    with tenant_context(tenant.pk):
        EngagementRules.objects.create(tenant=tenant, currency="USD")
        CurrencyRate.objects.create(tenant=tenant, currency="EUR", valid_from=datetime.date(2025, 1, 1), rate="1.10")
        CurrencyRate.objects.create(tenant=tenant, currency="EUR", valid_from=datetime.date(2026, 7, 1), rate="1.05")
        partners = PartnerOrganization.objects.bulk_create(
            [
                PartnerOrganization(
                    tenant=tenant,
                    public_id=uuid.uuid4(),
                    name=f"Partner {i:02d}",
                    partner_type=TYPES[i % len(TYPES)],
                    status="active",
                )
                for i in range(PARTNERS)
            ]
        )
    partner_ids = [p.pk for p in partners]
    started = time.perf_counter()
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        cursor.execute(
            "INSERT INTO deals_customeraccount (tenant_id, public_id, name, name_key, domain, root_domain, industry, region, "
            "owner_kind, external_id, created_at, updated_at) "
            "SELECT %s, gen_random_uuid(), 'Customer ' || i, 'customer ' || i, 'c' || i || '.example', 'c' || i || '.example', "
            "'', '', 'none', 'ACC' || i, now(), now() FROM generate_series(0, %s - 1) AS i",
            [tenant.pk, n],
        )
        # One registration per account: i % 10 < 3 won, < 6 lost, else open; closed (or expected) over 2026.
        cursor.execute(
            "INSERT INTO deals_dealregistration (tenant_id, public_id, partner_id, account_id, customer_name, customer_domain, "
            "contact_name, contact_email, contact_title, product_lines, solution, value, currency, expected_close_date, stage, "
            "notes, status, team_partner_ids, submitted_at, decided_at, protected_until, closed_amount, closed_on, updated_at) "
            "SELECT a.tenant_id, gen_random_uuid(), p.id, a.id, a.name, a.domain, 'Pat', '', '', '{compute}', '', "
            "1000 + (k %% 97) * 100, CASE WHEN k %% 10 = 2 THEN 'EUR' ELSE 'USD' END, day, "
            "CASE WHEN k %% 10 < 3 THEN 'closed_won' WHEN k %% 10 < 6 THEN 'closed_lost' ELSE 'proposal' END, '', "
            "CASE WHEN k %% 10 < 3 THEN 'won' WHEN k %% 10 < 6 THEN 'lost' ELSE 'approved' END, ARRAY[p.id], "
            "day - 60, day - 59, day + 30, CASE WHEN k %% 10 < 3 THEN 1000 + (k %% 97) * 100 END, "
            "CASE WHEN k %% 10 < 6 THEN day END, now() "
            "FROM (SELECT c.*, (c.id - min(c.id) OVER ())::int AS k FROM deals_customeraccount c WHERE c.tenant_id = %s) a "
            "CROSS JOIN LATERAL (SELECT DATE '2026-01-01' + (a.k %% 360) AS day) d "
            "JOIN LATERAL (SELECT (%s::bigint[])[1 + a.k %% %s] AS id) p ON true",
            [tenant.pk, partner_ids, PARTNERS],
        )
        # 1–5 touches per account (3.3 on average): the first is the registration's derived touch.
        cursor.execute(
            "INSERT INTO attribution_touchpoint (tenant_id, public_id, partner_id, account_id, registration_id, touch_type, "
            "occurred_at, source, external_id, created_at) "
            "SELECT r.tenant_id, gen_random_uuid(), "
            "CASE WHEN j = 0 THEN r.partner_id ELSE (%s::bigint[])[1 + (k * 7 + j * 11) %% %s] END, r.account_id, r.id, "
            "CASE WHEN j = 0 THEN 'registration' ELSE (%s::text[])[2 + (k + j) %% 7] END, "
            "CASE WHEN j = 0 THEN r.submitted_at ELSE r.expected_close_date - (len - j) * 9 + interval '10 hours' END, "
            "CASE WHEN j = 0 THEN 'derived' ELSE 'imported' END, "
            "CASE WHEN j = 0 THEN 'derived:registration:' || r.public_id ELSE 'bench:' || r.id || ':' || j END, now() "
            "FROM (SELECT r.*, (r.id - min(r.id) OVER ())::int AS k FROM deals_dealregistration r WHERE r.tenant_id = %s) r "
            "CROSS JOIN LATERAL (SELECT (ARRAY[1, 2, 3, 3, 4, 5, 2, 4, 5, 4])[1 + r.k %% 10] AS len) l "
            "CROSS JOIN LATERAL generate_series(0, l.len - 1) AS j",
            [partner_ids, PARTNERS, TOUCH_TYPES, tenant.pk],
        )
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        cursor.execute("SELECT count(*) FROM attribution_touchpoint WHERE tenant_id = %s", [tenant.pk])
        touches = cursor.fetchone()[0]
    print(f"seeded {n:,} journeys, {touches:,} touchpoints in {time.perf_counter() - started:.1f} s (not timed)")
    return tenant


def timed_run(tenant: Tenant, *, detail: bool) -> tuple[float, dict]:
    from attribution.models import AttributionRun, RunStatus
    from attribution.services import MODELS, attribution_run_create
    from attribution.tasks import attribution_run_task

    with tenant_context(tenant.pk):
        run = attribution_run_create(
            tenant=tenant,
            actor=None,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            dimension="partner",
            models=MODELS,
            parameters={"per_touch_detail": detail},
            enqueue=False,
        )
    started = time.perf_counter()
    attribution_run_task.delay(tenant.pk, run.pk)
    while True:
        with tenant_context(tenant.pk):
            status = AttributionRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
        if status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    with tenant_context(tenant.pk):
        run = AttributionRun.objects.get(pk=run.pk)
    return seconds, {"status": run.status, **run.summary}


def phases(tenant: Tenant) -> dict[str, float]:
    from attribution.services import MODELS, attribution_run_create, run_attribution

    with tenant_context(tenant.pk):
        run = attribution_run_create(
            tenant=tenant,
            actor=None,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            dimension="partner",
            models=MODELS,
            enqueue=False,
        )
    stamps: list[tuple[float, str]] = [(time.perf_counter(), "start")]
    with tenant_context(tenant.pk, atomic=False):
        run_attribution(tenant=tenant, actor=None, run=run, progress=lambda p, m: stamps.append((time.perf_counter(), m)))
    stamps.append((time.perf_counter(), "end"))
    times = [t for t, _ in stamps]
    return {
        "mark running": times[1] - times[0],
        "read": times[2] - times[1],
        "compute": times[3] - times[2],
        "write": times[4] - times[3],
    }


def main() -> None:
    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    from celery.contrib.testing.worker import start_worker

    from ecosystem.celery import app

    rows = []
    for n in SIZES:
        tenant = seed(n)
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            full, summary = timed_run(tenant, detail=True)
            aggregates, _ = timed_run(tenant, detail=False)
        split = phases(tenant)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        print(
            f"{n:,} journeys ({summary['journeys']:,} kept, {summary['touches']:,} touches, {summary['channels']} channels; "
            f"left out: {summary['left_out_without_touch']:,} without a touch, {summary['left_out_without_rate']:,} without a rate): "
            f"{full:.2f} s with per-touch credits (target {TARGET:.0f} s, ratio {full / TARGET:.2f}); "
            f"{aggregates:.2f} s aggregates only (target {TARGET_AGGREGATES:.0f} s, ratio {aggregates / TARGET_AGGREGATES:.2f}); "
            f"phases " + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()) + f"; peak memory {peak:.2f} GB"
        )
        rows.append((n, summary, full, aggregates, split, peak))
    if not os.environ.get("BENCH_ATTRIBUTION_NO_RECORD"):
        lines = [
            "",
            f"## Attribution run end to end ({datetime.date.today().isoformat()})",
            "",
            (
                "`bench/attribution_run.py`: per size a tenant seeded server-side (not timed), then a run timed through "
                "a real Celery worker (solo pool, real Redis broker), from the task sent to the run finished: job row, "
                "touchpoints derived, journeys read by binary COPY, all "
                "eight models, channel credits and per-touch credits written (binary COPY into a staging table, one "
                f"INSERT … SELECT under row-level security), job finished. Machine: {machine(version)}."
            ),
            "",
            "| journeys | touches | with per-touch credits (s) | aggregates only (s) | read / compute / write (s) | peak RSS (GB) |",
            "| ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        for n, summary, full, aggregates, split, peak in rows:
            lines.append(
                f"| {n:,} | {summary['touches']:,} | {full:.2f} | {aggregates:.2f} | "
                f"{split['read']:.2f} / {split['compute']:.2f} / {split['write']:.2f} | {peak:.2f} |"
            )
        if len(rows) > 1:
            base = rows[0]
            lines.append("")
            lines.append(
                "Growth (time ratio against journeys ratio, from the smallest size): "
                + "; ".join(f"×{n / base[0]:.0f} journeys → ×{full / base[2]:.1f} time" for n, _, full, *_ in rows[1:])
            )
        append("\n".join(lines) + "\n")
    if not os.environ.get("BENCH_ATTRIBUTION_KEEP"):
        bootstrap.drop_database(NAME)


if __name__ == "__main__":
    main()
