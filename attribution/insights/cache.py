"""The dashboard's cache and its invalidation, per group of figures.

The figures come in groups (:data:`attribution.insights.selectors.GROUPS`: revenue, pipeline, costs,
customers, activity, time to value, MDF, PSAT, tiers, at-risk), each cached on its own per tenant,
period, slice and active rule. A group's key also holds:

- the group's **data version** for the tenant, raised (after the commit) whenever a record the group
  reads is saved or deleted through the ORM; so a login moves only the activity figures, a survey
  answer only PSAT, and a registration the groups that read registrations;
- a **fingerprint** of the rows written in bulk (imports, COPY loaders, ``bulk_create``), which send no
  signal: the largest id of each such table for the tenant, read in one query per page.

A figure is therefore never served from before a change; entries also expire after
:data:`TTL_SECONDS` (the current quarter's "today" moves). Updates written with ``QuerySet.update()``
send no signal and move no id: none of the columns the figures read is written that way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from ecosystem.tenancy.context import require_tenant_id

from .selectors import GROUPS

TTL_SECONDS = 60 * 60
WATCHED: dict[str, tuple[str, ...]] = {}  # model label → the groups that read it
for _group, (_watched, _bulk) in GROUPS.items():
    for _label in _watched:
        WATCHED[_label] = (*WATCHED.get(_label, ()), _group)
BULK_TABLES = tuple(sorted({label for _watched, bulk in GROUPS.values() for label in bulk}))


def _version_key(tenant_id: int, group: str) -> str:
    return f"insights:version:{tenant_id}:{group}"


def data_changed(tenant_id: int, groups, *, using: str = "default") -> None:
    """After the commit, move ``groups`` of the tenant's dashboards to new keys (old entries expire unread)."""

    def bump() -> None:
        for group in groups:
            key = _version_key(tenant_id, group)
            if not cache.add(key, 2, timeout=None):
                try:
                    cache.incr(key)
                except ValueError:  # evicted between add and incr
                    cache.set(key, 2, timeout=None)

    transaction.on_commit(bump, using=using)


def record_changed(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    if raw or getattr(instance, "tenant_id", None) is None:
        return
    data_changed(instance.tenant_id, WATCHED[sender._meta.label], using=using)


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(record_changed, sender=model, dispatch_uid=f"insights_{label}_save")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"insights_{label}_delete")


def fingerprint() -> dict[str, int]:
    """The largest id of each bulk-written table for the tenant in scope. One query."""
    from django.apps import apps

    tables = [apps.get_model(label)._meta.db_table for label in BULK_TABLES]
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table} WHERE tenant_id = %(tenant)s)" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tenant": require_tenant_id()})
        return {label: value or 0 for label, value in zip(BULK_TABLES, cursor.fetchone(), strict=True)}


def through_cache(tenant_id: int, parts: dict) -> Callable[[str, Callable[[], Any]], Any]:
    """A ``through`` for :func:`attribution.insights.selectors.dashboard`: each group from the cache
    when its version and bulk ids are those it was computed at, else computed and kept."""
    versions = cache.get_many([_version_key(tenant_id, group) for group in GROUPS])
    ids = fingerprint()

    def through(group: str, compute: Callable[[], Any]) -> Any:
        identity = {
            "group": group,
            "version": versions.get(_version_key(tenant_id, group), 1),
            "ids": [ids[label] for label in GROUPS[group][1]],
            **parts,
        }
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
        key = f"insights:{tenant_id}:{group}:{digest}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=TTL_SECONDS)
        return value

    return through


def dashboard_parts(*, period, chosen, rule) -> dict:
    """What a dashboard's cache keys hold besides the group's data: the choices and today's date."""
    return {
        "period": [period.year, period.quarter],
        "slice": [chosen.partner_type, chosen.tier_id, chosen.region],
        "rule": [list(rule.signals), rule.days],
        "today": timezone.localdate().isoformat(),
    }


def cached_dashboard(*, tenant, period, chosen, rule):
    """The dashboard of ``tenant`` for these choices, each group from the cache while it is current."""
    from . import selectors

    parts = dashboard_parts(period=period, chosen=chosen, rule=rule)
    return selectors.dashboard(tenant=tenant, period=period, chosen=chosen, rule=rule, through=through_cache(tenant.pk, parts))
