"""Idempotency keys older than 24 hours are forgotten by the daily task; younger ones keep answering."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ecosystem.api.models import IdempotencyKey
from ecosystem.api.tasks import idempotency_keys_purge_task
from ecosystem.tenancy.context import tenant_context


def key(tenant, name: str, *, hours_old: float) -> IdempotencyKey:
    with tenant_context(tenant.pk):
        row = IdempotencyKey.objects.create(
            tenant=tenant, key=name, caller="user:1", method="POST", path="/x/", request_hash="0" * 64, response_status=201
        )
        IdempotencyKey.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours_old))
    return row


def keys_of(tenant) -> list[str]:
    with tenant_context(tenant.pk):
        return sorted(IdempotencyKey.objects.values_list("key", flat=True))


def test_the_task_forgets_only_the_tenants_keys_older_than_a_day(world):
    key(world.a.tenant, "old", hours_old=25)
    key(world.a.tenant, "fresh", hours_old=23)
    key(world.b.tenant, "other-tenant-old", hours_old=30)

    purged = idempotency_keys_purge_task(world.a.tenant.pk)

    assert purged == 1
    assert keys_of(world.a.tenant) == ["fresh"]
    assert keys_of(world.b.tenant) == ["other-tenant-old"]
