"""Signal receivers: records that move a partner's health score ask for a refresh of that partner."""

from __future__ import annotations

from .tasks import refresh_soon


def partner_record_saved(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``post_save`` on engagement events, deal registrations and certifications."""
    if raw:
        return
    refresh_soon(instance.tenant_id, getattr(instance, "partner_id", None), using=using)
