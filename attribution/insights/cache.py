"""The dashboard's cache and its invalidation.

A dashboard is cached per tenant, period, slice and active rule. The key also holds:

- the tenant's **data version**, raised (after the commit) whenever a record the figures read is saved
  or deleted through the ORM (:data:`WATCHED`);
- a **fingerprint** of the rows written in bulk (imports, COPY loaders), which send no signal: the
  largest id of each of those tables for the tenant (:data:`BULK_TABLES`), one query.

So a figure is never served from before a change: any write moves the key, and the next view
computes afresh. Entries also expire after :data:`TTL_SECONDS` (the current quarter's "today" moves).
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.db import connection, transaction

from ecosystem.tenancy.context import require_tenant_id

TTL_SECONDS = 60 * 60
WATCHED = (
    "deals.DealRegistration",
    "deals.DirectOpportunity",
    "deals.CurrencyRate",
    "deals.EngagementRules",
    "attribution.Touchpoint",
    "partners.PartnerOrganization",
    "partners.PartnerStatusChange",
    "partners.EngagementEvent",
    "partners.Tier",
    "surveys.SurveyResponse",
    "scoring.ChurnPrediction",
    "scoring.ChurnAlert",
    "scoring.ScoringSettings",
    "economics.ProgramCost",
    "economics.CustomerRevenue",
    "mdf.MdfRequest",
    "mdf.MdfClaim",
)
BULK_TABLES = (
    "deals.DealRegistration",
    "attribution.Touchpoint",
    "deals.CurrencyRate",
    "economics.CustomerRevenue",
    "partners.EngagementEvent",
    "scoring.ChurnPrediction",
)


def _version_key(tenant_id: int) -> str:
    return f"insights:version:{tenant_id}"


def data_version(tenant_id: int) -> int:
    return cache.get_or_set(_version_key(tenant_id), 1, timeout=None)


def data_changed(tenant_id: int, *, using: str = "default") -> None:
    """After the commit, move the tenant's dashboards to a new key (the old entries expire unread)."""

    def bump() -> None:
        key = _version_key(tenant_id)
        if not cache.add(key, 2, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 2, timeout=None)

    transaction.on_commit(bump, using=using)


def record_changed(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    if raw or getattr(instance, "tenant_id", None) is None:
        return
    data_changed(instance.tenant_id, using=using)


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(record_changed, sender=model, dispatch_uid=f"insights_{label}_save")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"insights_{label}_delete")


def fingerprint() -> list[int]:
    """The largest id of each bulk-written table for the tenant in scope. One query."""
    from django.apps import apps

    tables = [apps.get_model(label)._meta.db_table for label in BULK_TABLES]
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table} WHERE tenant_id = %(tenant)s)" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tenant": require_tenant_id()})
        return [value or 0 for value in cursor.fetchone()]


def cached(tenant_id: int, parts: dict, compute):
    """``compute()``, or the copy cached under the tenant's version, the fingerprint and ``parts``."""
    identity = json.dumps({"v": data_version(tenant_id), "f": fingerprint(), **parts}, sort_keys=True, default=str)
    key = f"insights:dashboard:{tenant_id}:{hashlib.sha256(identity.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TTL_SECONDS)
    return value


def cached_dashboard(*, tenant, period, chosen, rule):
    """The dashboard of ``tenant`` for these choices, from the cache when it is current (the page and the API)."""
    from django.utils import timezone

    from . import selectors

    parts = {
        "period": [period.year, period.quarter],
        "slice": [chosen.partner_type, chosen.tier_id, chosen.region],
        "rule": [list(rule.signals), rule.days],
        "today": timezone.localdate().isoformat(),
    }
    return cached(tenant.pk, parts, lambda: selectors.dashboard(tenant=tenant, period=period, chosen=chosen, rule=rule))
