"""Benchmark: privacy-preserving account mapping of two lists, 1,000,000 (vendor) and 200,000 (partner) accounts.

Loads both lists as the owner role inside the tenant's row-level security settings (not timed),
with a known overlap, then times the match as the worker runs it, end to end: the job row moves to
running, HMAC-SHA256 of every domain of both lists under the pair's secret in PostgreSQL, the hash
join, the counts (and, in the second run, the overlap records) written, the job finished. Checks
that the counts equal the known overlap per population pair, exactly. Target: under 10 s.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/account_mapping.py``
(DATABASE_URL picks the server; the bench works in a database of its own, BENCH_MAPPING_DATABASE).
Sizes: BENCH_MAPPING_VENDOR (1,000,000), BENCH_MAPPING_PARTNER (200,000), BENCH_MAPPING_OVERLAP (50,000).
Appends the result to bench/RESULTS.md unless BENCH_MAPPING_NO_RECORD is set.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.db import connections, transaction  # noqa: E402

from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

NAME = os.environ.get("BENCH_MAPPING_DATABASE", "bench_account_mapping")
VENDOR = int(os.environ.get("BENCH_MAPPING_VENDOR", "1000000"))
PARTNER = int(os.environ.get("BENCH_MAPPING_PARTNER", "200000"))
OVERLAP = int(os.environ.get("BENCH_MAPPING_OVERLAP", "50000"))
TARGET = 10.0
POPULATIONS = ["customer", "prospect", "prospect", "open_opportunity", "prospect"]  # by i % 5
PARTNER_POPULATIONS = ["customer", "customer", "open_opportunity", "prospect"]  # by j % 4


def vendor_population(i: int) -> str:
    return POPULATIONS[i % 5]


def partner_population(j: int) -> str:
    return PARTNER_POPULATIONS[j % 4]


def shared_index(j: int) -> int:
    """Partner row j < OVERLAP is vendor account j * step (spread over the whole vendor list)."""
    return j * (VENDOR // OVERLAP)


def expected_counts() -> Counter:
    return Counter((vendor_population(shared_index(j)), partner_population(j)) for j in range(OVERLAP))


def seed() -> tuple[Tenant, object]:
    from deals.mapping.services import partnership_accept, partnership_invite
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.create(slug="mapping", name="Mapping bench", require_staff_mfa=False)
    with tenant_context(tenant.pk):
        partner = PartnerOrganization.objects.create(
            tenant=tenant, public_id=uuid.uuid4(), name="Bench Partner", partner_type="reseller", status="active"
        )
        pair = partnership_invite(tenant=tenant, actor=None, partner_id=None, counterpart=partner)
    with tenant_context(tenant.pk, partner_id=partner.pk):
        partnership_accept(tenant=tenant, actor=None, partner_id=partner.pk, partnership=pair)
    started = time.perf_counter()
    step = VENDOR // OVERLAP
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        # generate_series inside INSERT … SELECT: row-level security checks every row (COPY would not go through it)
        cursor.execute(
            "INSERT INTO mapping_mappingaccount (tenant_id, public_id, partner_id, population, domain, name, external_id, "
            "created_at, updated_at) SELECT %s, gen_random_uuid(), NULL, (ARRAY['customer','prospect','prospect',"
            "'open_opportunity','prospect'])[i %% 5 + 1], 'acct' || i || '.example', 'Account ' || i, 'V' || i, now(), now() "
            "FROM generate_series(0, %s - 1) AS i",
            [tenant.pk, VENDOR],
        )
        cursor.execute(
            "INSERT INTO mapping_mappingaccount (tenant_id, public_id, partner_id, population, domain, name, external_id, "
            "created_at, updated_at) SELECT %s, gen_random_uuid(), %s, (ARRAY['customer','customer','open_opportunity',"
            "'prospect'])[j %% 4 + 1], CASE WHEN j < %s THEN 'acct' || (j * %s) || '.example' ELSE 'p' || j || '.partner.example' END, "
            "'Partner account ' || j, 'P' || j, now(), now() FROM generate_series(0, %s - 1) AS j",
            [tenant.pk, partner.pk, OVERLAP, step, PARTNER],
        )
    with connections["owner"].cursor() as cursor:
        cursor.execute("ANALYZE mapping_mappingaccount")
    print(f"loaded {VENDOR:,} + {PARTNER:,} accounts in {time.perf_counter() - started:.1f} s (not timed)")
    return tenant, pair


def timed_match(tenant: Tenant, pair, *, label: str) -> tuple[float, dict]:
    from deals.mapping.models import OverlapCount
    from deals.mapping.tasks import JOB_KIND, match_job_run
    from ecosystem.jobs.services import job_create

    with tenant_context(tenant.pk):
        job = job_create(tenant=tenant, actor=None, kind=JOB_KIND)
    started = time.perf_counter()
    with tenant_context(tenant.pk, atomic=False):
        result = match_job_run(tenant=tenant, job_id=job.pk, partnership_id=pair.pk)
    seconds = time.perf_counter() - started
    with tenant_context(tenant.pk):
        found = Counter(
            {
                (a, b): n
                for a, b, n in OverlapCount.objects.filter(partnership=pair).values_list(
                    "a_population", "b_population", "overlap_count"
                )
            }
        )
    expected = expected_counts()
    exact = found == expected and result["overlaps"] == OVERLAP
    print(
        f"{label}: {seconds:.2f} s end to end; {result['overlaps']:,} overlaps (expected {OVERLAP:,}), "
        f"{result['records']:,} overlap records stored; counts per population pair {'exact' if exact else 'WRONG'}; "
        f"target {TARGET:.0f} s: {'met' if seconds < TARGET else 'MISSED'} (ratio {seconds / TARGET:.2f})"
    )
    if not exact:
        print("found", dict(found), "expected", dict(expected))
    return seconds, {"exact": exact, **result}


def record(version: str, runs: list[tuple[str, float, dict]]) -> None:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores ({_cpu()}), {_memory()} RAM, {version.split(',')[0]}, "
        f"load average {os.getloadavg()[0]:.1f} when the bench ended (the machine is shared)"
    )
    lines = [
        "",
        f"## Account mapping: {VENDOR:,} × {PARTNER:,} accounts ({datetime.date.today().isoformat()})",
        "",
        (
            "`bench/account_mapping.py`: two lists loaded as the owner role (not timed) with a known overlap of "
            f"{OVERLAP:,} accounts; the match timed as the worker runs it, end to end (job row, HMAC-SHA256 of every "
            "domain of both lists under the pair's secret in PostgreSQL, hash join, counts and records written, job "
            f"finished), the counts checked against the known overlap per population pair. Machine: {machine}."
        ),
        "",
        "| sharing | seconds | overlaps | records stored | counts exact | target 10 s |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for label, seconds, result in runs:
        lines.append(
            f"| {label} | {seconds:.2f} | {result['overlaps']:,} | {result['records']:,} | "
            f"{'yes' if result['exact'] else 'NO'} | {'met' if seconds < TARGET else 'missed'} (ratio {seconds / TARGET:.2f}) |"
        )
    with open(Path(__file__).resolve().parent / "RESULTS.md", "a") as results:
        results.write("\n".join(lines) + "\n")


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return "unknown"


def main() -> None:
    from deals.mapping.services import partnership_sharing_set

    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    tenant, pair = seed()
    runs = []
    seconds, result = timed_match(tenant, pair, label="counts only (the default)")
    runs.append(("counts only (the default): no record stored", seconds, result))
    with tenant_context(tenant.pk):
        partnership_sharing_set(
            tenant=tenant,
            actor=None,
            partner_id=None,
            partnership=pair,
            sharing=dict.fromkeys(("customer", "prospect", "open_opportunity"), "overlaps"),
        )
    seconds, result = timed_match(tenant, pair, label="vendor shares overlapping records")
    runs.append(("vendor shares overlapping records of every population", seconds, result))
    if not os.environ.get("BENCH_MAPPING_NO_RECORD"):
        record(version, runs)
    if not os.environ.get("BENCH_MAPPING_KEEP"):
        bootstrap.drop_database(NAME)


if __name__ == "__main__":
    main()
