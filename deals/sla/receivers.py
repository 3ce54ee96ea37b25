"""Signal receivers: a new program gets its SLAs; saved rules of engagement carry their deadlines to the SLAs."""

from __future__ import annotations

import logging

from ecosystem.tenancy.context import current_scope

from .services import sla_definitions_create, sla_targets_follow_rules

logger = logging.getLogger(__name__)


def tenant_created(sender, instance, created: bool, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``post_save`` on ``Tenant``: the five SLAs with their default targets, in the new tenant's scope.

    Inside the creating transaction (``tenant_create``'s, or the admin's on the ``platform`` alias),
    so a program never exists without them. A tenant created while another tenant's scope is open
    (no code path does; scopes refuse to nest across tenants) is logged and left to the safety net.
    """
    if not created or raw:
        return
    scope = current_scope()
    if scope is not None and scope.tenant_id != instance.pk:
        logger.warning(
            "Tenant %s created inside tenant %s's scope: SLA defaults left to first staff read", instance.pk, scope.tenant_id
        )
        return
    sla_definitions_create(tenant=instance, using=using)


def rules_saved(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``post_save`` on ``EngagementRules``: the rule-bound SLA targets follow, in the same transaction."""
    if raw:
        return
    sla_targets_follow_rules(rules=instance, using=using)
