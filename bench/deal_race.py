"""Benchmark: the registration race, many more rounds than the test suite runs.

50 partners (one thread and one database connection each) register the same new customer at the
same moment, released together by a barrier; a round passes when exactly one registration is
pending and the other 49 are under review, with no error. Prints the rounds that passed, each
submission's latency (p50/p95: how long a partner waits while the others queue on the customer's
row lock) and the rounds per second. Run with `make bench`; BENCH_RACE_ROUNDS sets the rounds (100).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.db import connections  # noqa: E402

from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

PARTNERS = 50
ROUNDS = int(os.environ.get("BENCH_RACE_ROUNDS", "100"))
NAME = "bench_deal_race"


def seed() -> tuple[Tenant, list]:
    from deals.models import ProductLine
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.create(slug="race", name="Race bench", require_staff_mfa=False)
    with tenant_context(tenant.pk):
        ProductLine.objects.create(tenant=tenant, slug="compute", name="Compute")
        partners = PartnerOrganization.objects.bulk_create(
            PartnerOrganization(
                tenant=tenant, public_id=uuid.uuid4(), name=f"Racer {n:02d}", partner_type="reseller", status="active"
            )
            for n in range(PARTNERS)
        )
    return tenant, partners


def customer(round_number: int) -> str:
    """A customer per round whose name shares no word with any other round's (so only the race decides)."""
    return f"customer{uuid.uuid5(uuid.NAMESPACE_DNS, str(round_number)).hex[:12]}"


def race(tenant: Tenant, partners: list) -> tuple[list[list[str]], list[float]]:
    from deals.registrations import registration_submit

    start = threading.Barrier(len(partners))
    statuses = [[""] * len(partners) for _ in range(ROUNDS)]
    latencies: list[float] = []
    lock = threading.Lock()

    def one(index: int, partner) -> None:
        try:
            for round_number in range(ROUNDS):
                name = customer(round_number)
                values = {
                    "customer_name": name,
                    "customer_domain": f"{name}.example",
                    "contact_name": "Pat Buyer",
                    "product_lines": ["compute"],
                    "value": "50000",
                    "currency": "USD",
                    "expected_close_date": "2099-01-01",
                }
                start.wait(timeout=120)
                began = time.perf_counter()
                try:
                    with tenant_context(tenant.pk, partner_id=partner.pk):
                        submitted = registration_submit(tenant=tenant, actor=None, partner_id=partner.pk, values=values)
                    statuses[round_number][index] = submitted.registration.status
                except Exception as error:  # counted and printed below
                    statuses[round_number][index] = f"error: {type(error).__name__}: {error}"
                with lock:
                    latencies.append(time.perf_counter() - began)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(index, partner)) for index, partner in enumerate(partners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, latencies


def main() -> None:
    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    tenant, partners = seed()
    started = time.perf_counter()
    statuses, latencies = race(tenant, partners)
    seconds = time.perf_counter() - started
    passed = sum(1 for s in statuses if s.count("pending") == 1 and s.count("under_review") == PARTNERS - 1)
    errors = [status for s in statuses for status in s if status.startswith("error")]
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{PARTNERS} partners x {ROUNDS} rounds = {len(latencies):,} submissions in {seconds:.1f} s ({ROUNDS / seconds:.2f} rounds/s)"
    )
    print(f"rounds with exactly one holder and {PARTNERS - 1} under review: {passed} of {ROUNDS}; errors: {len(errors)}")
    print(
        f"submission latency p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    for error in errors[:5]:
        print(" ", error)
    connections.close_all()
    bootstrap.drop_database(NAME)
    sys.exit(0 if passed == ROUNDS and not errors else 1)


if __name__ == "__main__":
    main()
