"""Managers that fail closed: tenant rows are only reachable inside a tenant scope."""

from __future__ import annotations

from django.db import models

from .context import require_tenant_id


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of every tenant-owned model.

    ``Model.objects.all()`` is filtered to the tenant in scope and raises ``TenantScopeError``
    when there is none. Platform code that must look across tenants says so with
    ``Model.objects.unscoped()`` and a comment giving the reason; row-level security still applies
    to the connection it runs on unless that is the admin's ``platform`` alias.
    """

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(tenant_id=require_tenant_id())

    def none(self) -> TenantQuerySet:
        """An empty queryset needs no tenant: it can show nothing (the OpenAPI generator asks for one)."""
        return super().get_queryset().none()

    def unscoped(self) -> TenantQuerySet:
        return super().get_queryset()
