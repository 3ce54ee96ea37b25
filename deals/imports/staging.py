"""CRM imports: the uploaded file, kept in the cache until its job ends."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ecosystem.tenancy.models import Tenant

STAGING_SECONDS = 2 * 60 * 60  # an uploaded file waits this long for its import, then is gone


# --- the uploaded file, kept until its job ends -----------------------------------------------------
# In the cache (Redis, shared by web and worker processes), under the tenant's id, with a time limit:
# an upload nobody imports disappears on its own; the job deletes it when it ends.


def _staging_key(tenant: Tenant, token: str) -> str:
    return f"deals:import:{tenant.pk}:{token}"


def staged_put(*, tenant: Tenant, data: bytes, file_name: str, user_id: int | None) -> str:
    from django.core.cache import cache

    token = uuid.uuid4().hex
    cache.set(
        _staging_key(tenant, token),
        {"data": data, "file_name": file_name[:255], "user_id": user_id, "kind": "", "mapping": {}, "report": None},
        STAGING_SECONDS,
    )
    return token


def staged_get(*, tenant: Tenant, token: str) -> dict[str, Any] | None:
    from django.core.cache import cache

    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    return cache.get(_staging_key(tenant, token))


def staged_update(*, tenant: Tenant, token: str, **values: Any) -> None:
    from django.core.cache import cache

    staged = staged_get(tenant=tenant, token=token)
    if staged is not None:
        cache.set(_staging_key(tenant, token), {**staged, **values}, STAGING_SECONDS)


def staged_drop(*, tenant: Tenant, token: str) -> None:
    from django.core.cache import cache

    cache.delete(_staging_key(tenant, token))
