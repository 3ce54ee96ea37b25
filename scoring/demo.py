"""Demo data for ``seed_demo`` (idempotent): three months of portal activity with different habits per
partner, and health scores computed for the last eight weeks so the trend charts have a history."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import EngagementEvent, EngagementKind, PartnerOrganization

from .models import HealthScore
from .services import health_scores_compute

DAYS = 90
# Logins a week per partner, from busy to quiet: some partners are slipping away (fewer lately).
HABITS = ((9, 9), (6, 4), (4, 5), (3, 1), (2, 0), (1, 1))  # (weekly logins 90–45 days ago, in the last 45 days)


def seed(*, tenant: Tenant, owner, partners: dict[str, PartnerOrganization]) -> None:
    with tenant_atomic():
        if HealthScore.objects.exists():
            return
        rng = random.Random(7)
        today = timezone.localdate()
        events = []
        for n, partner in enumerate(sorted(partners.values(), key=lambda p: p.name)):
            early, late = HABITS[n % len(HABITS)]
            for day in range(1, DAYS + 1):
                weekly = late if day <= 45 else early
                if rng.random() < weekly / 7:
                    at = timezone.make_aware(
                        datetime.datetime.combine(today - datetime.timedelta(days=day), datetime.time(rng.randrange(8, 18)))
                    )
                    events.append(
                        EngagementEvent(tenant=tenant, partner=partner, kind=EngagementKind.LOGIN, occurred_at=at, data={})
                    )
                    if rng.random() < 0.08:
                        events.append(
                            EngagementEvent(
                                tenant=tenant, partner=partner, kind=EngagementKind.COURSE_COMPLETED, occurred_at=at, data={}
                            )
                        )
        EngagementEvent.objects.bulk_create(events)
    for weeks_ago in range(8, -1, -1):  # oldest first, so each score says what moved since the week before
        health_scores_compute(tenant=tenant, as_of=timezone.localdate() - datetime.timedelta(weeks=weeks_ago))
