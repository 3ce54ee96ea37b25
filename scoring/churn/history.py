"""A planted churn history written to the database: for the service tests, the bench and the demo.

Unlike :mod:`scoring.churn.synthetic` (a feature table in memory), this writes what the platform
records, engagement events, so the whole path (COPY read, point-in-time features, training, prediction)
runs as it does for a real tenant. The mechanism, per partner:

- a habit of ``λ`` logins a week, λ uniform in [1, 6], and 0.15 deal registrations a week;
- with probability ``quit_share`` the partner goes quiet on a day uniform in the window: over the 60
  days before it the login rate falls linearly to a fifth of λ, and from it there is no activity;
- everyone entered the program at the start of the window (``created_at`` set there).

A partner that went quiet is inactive for every month start from its quiet day on, which is what the
churn label measures; the falling logins before it are the signal a model should find.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.utils import timezone

from partners.models import EngagementEvent, EngagementKind, PartnerOrganization

DECLINE_DAYS = 60


def plant_history(
    *,
    tenant,
    partners: list[PartnerOrganization],
    today: datetime.date,
    days: int = 730,
    quit_share: float = 0.5,
    seed: int = 0,
    keep_active: frozenset[int] = frozenset(),
) -> dict[int, datetime.date | None]:
    """Write the events; return each partner's quiet day (None: stayed active). Call in the tenant's scope.

    Partners in ``keep_active`` (ids) never go quiet."""
    rng = np.random.default_rng(seed)
    start = today - datetime.timedelta(days=days)
    quiet: dict[int, datetime.date | None] = {}
    events = []
    offsets = np.arange(days)
    for partner in partners:
        rate = rng.uniform(1.0, 6.0) / 7.0
        quits = rng.random() < quit_share and partner.pk not in keep_active
        quit_at = int(rng.integers(DECLINE_DAYS, days)) if quits else days
        daily = np.full(days, rate)
        decline = (offsets >= quit_at - DECLINE_DAYS) & (offsets < quit_at)
        daily[decline] = rate * (1.0 - 0.8 * (offsets[decline] - (quit_at - DECLINE_DAYS)) / DECLINE_DAYS)
        daily[offsets >= quit_at] = 0.0
        logins = rng.poisson(daily)
        registrations = rng.poisson(np.where(offsets < quit_at, 0.15 / 7.0, 0.0))
        for kind, counts in ((EngagementKind.LOGIN, logins), (EngagementKind.REGISTRATION_SUBMITTED, registrations)):
            for offset in np.flatnonzero(counts):
                day = start + datetime.timedelta(days=int(offset))
                for _ in range(int(counts[offset])):
                    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(int(rng.integers(8, 18)))))
                    events.append(EngagementEvent(tenant=tenant, partner=partner, kind=kind, occurred_at=at, data={}))
        quiet[partner.pk] = start + datetime.timedelta(days=quit_at) if quits else None
    EngagementEvent.objects.bulk_create(events, batch_size=5_000)
    created = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
    PartnerOrganization.objects.filter(pk__in=[p.pk for p in partners]).update(created_at=created)
    return quiet
