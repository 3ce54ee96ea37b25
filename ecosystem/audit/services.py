"""Writing the audit log. Every mutating service calls :func:`audit_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from ecosystem.tenancy.context import current_scope
from ecosystem.tenancy.models import Tenant

from .context import current_request_context
from .models import AuditEntry, PlatformAuditEntry


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    from ecosystem.api.models import ApiKey

    if isinstance(actor, ApiKey):
        return f"API key {actor.name} ({actor.prefix})"
    return getattr(actor, "email", str(actor))


def _actor_user(actor: Any):
    """The person behind a change; None for the system and for API keys (``actor_label`` names the key)."""
    from ecosystem.api.models import ApiKey

    return None if isinstance(actor, ApiKey) else actor


def audit_record(
    *,
    tenant: Tenant,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    using: str = "default",
    via: str | None = None,
) -> AuditEntry:
    """Append one audit row. ``actor`` is a user, an API key, or None for the system itself."""
    request = current_request_context()
    scope = current_scope()
    user = _actor_user(actor)
    entry = AuditEntry(
        tenant=tenant,
        # By id: Django admin writes through the "platform" alias while request.user came from
        # "default", and Django refuses to relate instances loaded through different aliases.
        actor_id=getattr(user, "pk", None),
        actor_label=actor_label(actor),
        partner_id=scope.partner_id if scope else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or "") if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
        via=via or (request.via if request else "task"),
        request_id=request.request_id if request else "",
        ip=request.ip if request else None,
    )
    entry.save(using=using)
    return entry


def platform_audit_record(*, actor: Any, action: str, target: models.Model, changes: dict[str, Any] | None = None) -> None:
    request = current_request_context()
    PlatformAuditEntry.objects.using("platform").create(
        actor_id=getattr(_actor_user(actor), "pk", None),  # by id, as in audit_record
        actor_label=actor_label(actor),
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(getattr(target, "public_id", None) or target.pk),
        object_repr=str(target)[:200],
        changes=changes or {},
        request_id=request.request_id if request else "",
        ip=request.ip if request else None,
    )


def model_changes(instance: models.Model, fields: list[str], before: dict[str, Any] | None) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that changed (all of them, as ``[None, new]``, on create)."""
    changes: dict[str, Any] = {}
    for name in fields:
        new = getattr(instance, name)
        old = (before or {}).get(name)
        if before is None or old != new:
            changes[name] = [None if before is None else json_safe(old), json_safe(new)]
    return changes


def json_safe(value: Any) -> Any:
    """A value as the audit log's JSON stores it: plain scalars as they are, anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
