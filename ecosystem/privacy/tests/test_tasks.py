"""The nightly retention sweep: one task per active tenant, each deleting that tenant's old events."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from ecosystem.privacy import tasks
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementEvent


def test_the_sweep_is_scheduled_daily_and_fans_out_one_task_per_active_tenant(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.engagement_retention_task, "delay", lambda tenant_id: sent.append(tenant_id))
    world.b.tenant.is_active = False
    world.b.tenant.save(update_fields=["is_active"])

    assert tasks.engagement_retention_all_tenants() == 1

    assert sent == [world.a.tenant.pk]
    entry = settings.CELERY_BEAT_SCHEDULE["engagement-retention-all-tenants"]
    assert entry == {"task": "ecosystem.privacy.tasks.engagement_retention_all_tenants", "schedule": 24 * 60 * 60}


def test_the_tenant_task_deletes_events_older_than_the_default_730_days(world):
    now = timezone.now()
    with tenant_context(world.a.tenant.pk):
        _old, kept = (
            EngagementEvent.objects.create(
                tenant=world.a.tenant, partner=world.a.partner1, kind="login", occurred_at=now - datetime.timedelta(days=days)
            ).pk
            for days in (731, 729)  # the first is past the cut-off, the second within it
        )

    assert tasks.engagement_retention_task(world.a.tenant.pk) == 1

    with tenant_context(world.a.tenant.pk):
        assert list(EngagementEvent.objects.values_list("pk", flat=True)) == [kept]
