from __future__ import annotations

from .models import Tenant


def tenant_by_slug(slug: str | None) -> Tenant | None:
    """The active tenant at this address, or None. Tenants are a global table: no scope needed."""
    try:
        return Tenant.objects.get(slug=slug, is_active=True)
    except Tenant.DoesNotExist:
        return None
