"""Benchmark: the nightly tier evaluation over 10,000 partners in one tenant (target: under 10 s,
a constant number of queries, not one per partner).

Realistic facts: each partner has 0-6 certified people (valid, expired and revoked certifications
mixed in) when the training module's Certification table exists; four tiers with rules; half the
partners already hold a tier. Runs the evaluation twice (first: proposals for everyone; second:
steady state) and prints seconds and query counts. Run with `make bench`.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connections, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

N = int(os.environ.get("BENCH_TIER_PARTNERS", "10000"))
NAME = "bench_tiers"


def seed() -> Tenant:
    from ecosystem.accounts.models import User
    from partners.models import PartnerOrganization, PartnerStatus, Tier, TierMetric, TierPolicy, TierRule

    tenant = Tenant.objects.create(slug="tiers", name="Tiers bench", require_staff_mfa=False)
    rng = random.Random(11)
    with tenant_context(tenant.pk):
        ladder = [
            Tier.objects.create(tenant=tenant, name=name, rank=rank)
            for rank, name in enumerate(["Registered", "Silver", "Gold", "Platinum"])
        ]
        for tier, minimum in zip(ladder[1:], (1, 3, 5), strict=True):
            TierRule.objects.create(tenant=tenant, tier=tier, metric=TierMetric.CERTIFIED_PEOPLE, minimum=minimum)
        TierPolicy.objects.create(tenant=tenant, auto_apply=True, downgrade_grace_days=60)
        partners = PartnerOrganization.objects.bulk_create(
            [
                PartnerOrganization(
                    tenant=tenant,
                    public_id=uuid.uuid4(),
                    name=f"Partner {i:05d}",
                    partner_type="reseller",
                    status=PartnerStatus.ACTIVE,
                    tier=ladder[rng.randrange(4)] if i % 2 else None,
                )
                for i in range(N)
            ],
            batch_size=5000,
        )
    try:
        certification = apps.get_model("onboarding", "Certification")
        course_model = apps.get_model("onboarding", "Course")
    except LookupError:
        print("no Certification table yet: every partner has 0 certified people")
        return tenant
    team_sizes = {partner.pk: rng.randrange(7) for partner in partners}
    people = User.objects.bulk_create(
        [User(email=f"p{pid}-{n}@tiers.example", password="!") for pid, size in team_sizes.items() for n in range(size)],
        batch_size=5000,
    )
    today = timezone.localdate()
    with tenant_context(tenant.pk):
        course = course_model.objects.create(tenant=tenant, title="Bench course", pass_mark=70)
        rows = []
        people_left = iter(people)
        for partner in partners:
            for person in [next(people_left) for _ in range(team_sizes[partner.pk])]:
                rows.append(
                    certification(
                        tenant=tenant,
                        partner=partner,
                        user=person,
                        course=course,
                        credential_number=f"B-{partner.pk}-{person.pk}",
                        issued_at=timezone.now(),
                        expires_on=today + timedelta(days=rng.choice([-10, 200, 400])),
                    )
                )
        certification.objects.bulk_create(rows, batch_size=5000)
        print(f"{len(rows):,} certifications")
    return tenant


def main() -> None:
    from partners.tiers import tier_evaluate_all

    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    tenant = seed()
    with connections["owner"].cursor() as cursor:
        cursor.execute("ANALYZE")
    for label in ("first run (everyone moves)", "second run (steady state)"):
        reset_queries()
        with CaptureQueriesContext(connections["default"]) as queries:
            started = time.perf_counter()
            with tenant_context(tenant.pk):
                counts = tier_evaluate_all(tenant=tenant)
            seconds = time.perf_counter() - started
        print(f"| {label} | {N:,} | {seconds:.2f} | {len(queries)} | {counts} |")


if __name__ == "__main__":
    print("| run | partners | seconds | queries | result |\n| --- | ---: | ---: | ---: | --- |")
    main()
