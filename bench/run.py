"""Benchmarks (not tests): the partner list at scale and the price of row-level security.

Run with `make bench` (it starts the embedded services). Builds its own database
`bench_ecosystem` with five tenants of N partners each (default 20,000: BENCH_PARTNERS,
BENCH_OTHER_TENANTS), measures the first one,
then measures:

* the API's first page of partners and a filtered page (latency p50/p95 over repeated requests);
* the portal's partner list page;
* a full-table count through the app role (row-level security on) against the platform role
  (BYPASSRLS): the ratio is what the second tenancy layer costs.

Prints a Markdown block to paste into bench/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from ecosystem.tenancy import bootstrap  # noqa: E402

N = int(os.environ.get("BENCH_PARTNERS", "20000"))  # per tenant
OTHER_TENANTS = int(os.environ.get("BENCH_OTHER_TENANTS", "4"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
NAME = "bench_ecosystem"


def seed() -> tuple:
    """The measured tenant plus OTHER_TENANTS neighbours of the same size, as a shared database has."""
    from ecosystem.accounts.models import Membership, Role, User
    from ecosystem.tenancy.context import tenant_context
    from ecosystem.tenancy.models import Tenant
    from partners.models import PartnerOrganization, PartnerStatus, PartnerType

    types, statuses = PartnerType.values, PartnerStatus.values
    inserted = 0
    tenants = []
    for index in range(OTHER_TENANTS + 1):
        slug = "bench" if index == 0 else f"neighbour-{index}"
        tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "require_staff_mfa": False})
        tenants.append(tenant)
        with tenant_context(tenant.pk):
            batch = [
                PartnerOrganization(
                    tenant=tenant,
                    public_id=uuid.uuid4(),
                    name=f"Partner {i:06d}",
                    partner_type=types[i % len(types)],
                    website_domain=f"p{i}.{slug}.example",
                    country=["DE", "US", "GB", "FR", "JP"][i % 5],
                    status=statuses[i % len(statuses)],
                )
                for i in range(N)
            ]
            PartnerOrganization.objects.bulk_create(batch, batch_size=5000)
            inserted += len(batch)
    user = User.objects.create_user("bench@example.com", "bench-password-1")
    with tenant_context(tenants[0].pk):
        Membership.objects.create(tenant=tenants[0], user=user, role=Role.PARTNER_MANAGER)
    with connections["owner"].cursor() as cursor:
        cursor.execute("ANALYZE")
    return tenants[0], user, inserted


def timed(client: Client, url: str, **params) -> tuple[float, float]:
    client.get(url, params)  # warm
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def rls_ratio(tenant_id: int) -> tuple[float, float]:
    """Best-of-25 time of one statement, app role under RLS vs platform role with the filter written out."""
    from ecosystem.tenancy.context import tenant_context

    sql_app = "SELECT count(*) FROM partners_partnerorganization WHERE status = 'active'"
    sql_platform = "SELECT count(*) FROM partners_partnerorganization WHERE tenant_id = %s AND status = 'active'"

    def best(cursor, sql, params) -> float:
        times = []
        for _ in range(25):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchone()
            times.append((time.perf_counter() - start) * 1000)
        return min(times)

    with tenant_context(tenant_id), connections["default"].cursor() as cursor:
        app = best(cursor, sql_app, [])
    with connections["platform"].cursor() as cursor:
        bypass = best(cursor, sql_platform, [tenant_id])
    return app, bypass


def main() -> None:
    bootstrap.drop_database(NAME)  # every run measures a freshly seeded database
    bootstrap.use_database(NAME)
    started = time.perf_counter()
    tenant, user, inserted = seed()
    seeded = time.perf_counter() - started
    client = Client()
    client.force_login(user)
    api_first = timed(client, "/api/v1/t/bench/partners/")
    api_filtered = timed(client, "/api/v1/t/bench/partners/", partner_type="msp", status="active", country="DE")
    api_search = timed(client, "/api/v1/t/bench/partners/", q="Partner 01234")
    portal = timed(client, "/t/bench/partners/")
    app_ms, platform_ms = rls_ratio(tenant.pk)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('partners_partnerorganization'))")
        size = cursor.fetchone()[0]
    print(f"""
## Partner list at {N:,} partners per tenant, {OTHER_TENANTS + 1} tenants ({time.strftime("%Y-%m-%d")})

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {connections["default"].vendor} {connections["default"].pg_version // 10000}.
Seeded {inserted:,} partners in all (bulk insert) in {seeded:.1f} s; table with indexes: {size}. {RUNS} requests each, Django test client (no network).

| what | p50 ms | p95 ms |
| --- | ---: | ---: |
| API first page (50, cursor) | {api_first[0]:.1f} | {api_first[1]:.1f} |
| API filtered (type + status + country) | {api_filtered[0]:.1f} | {api_filtered[1]:.1f} |
| API search `q` (name/domain contains) | {api_search[0]:.1f} | {api_search[1]:.1f} |
| Portal list page (25, with count) | {portal[0]:.1f} | {portal[1]:.1f} |

Row-level security cost, one `count(*)` of active partners: app role under RLS {app_ms:.2f} ms vs platform role (BYPASSRLS, same filter written out) {platform_ms:.2f} ms, ratio {app_ms / platform_ms:.2f}x.
""")


if __name__ == "__main__":
    main()
