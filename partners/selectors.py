"""Reads of partner organisations. Access helpers answer "not found" for rows that are not yours."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, QuerySet

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .filters import PartnerFilter
from .models import PartnerOrganization, PartnerStatusChange


def partner_list(*, tenant: Tenant, filters: Mapping[str, Any] | None = None, partner_id: int | None = None) -> QuerySet:
    """The tenant's partners, filtered like the portal list. ``partner_id`` narrows to one organisation."""
    queryset = PartnerOrganization.objects.filter(tenant=tenant)
    if partner_id is not None:
        queryset = queryset.filter(pk=partner_id)
    return PartnerFilter(filters, queryset=queryset).qs if filters else queryset


def partner_filter(*, tenant: Tenant, data: Mapping[str, Any]) -> PartnerFilter:
    return PartnerFilter(data, queryset=PartnerOrganization.objects.filter(tenant=tenant))


def access_partner(*, tenant: Tenant, public_id: uuid.UUID | str, partner_id: int | None = None) -> PartnerOrganization:
    """The partner with this public id, if the caller may see it.

    ``partner_id`` is the caller's own organisation when the caller is a partner user: they may
    only reach their own. Missing and foreign raise the same :class:`NotFoundError`.
    """
    queryset = PartnerOrganization.objects.filter(tenant=tenant)
    if partner_id is not None:
        queryset = queryset.filter(pk=partner_id)
    try:
        return queryset.get(public_id=public_id)
    except (PartnerOrganization.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def partner_counts(*, tenant: Tenant) -> dict[str, dict[str, int]]:
    """Partners by status and by type, in two grouped queries."""
    base = PartnerOrganization.objects.filter(tenant=tenant)
    by_status = {row["status"]: row["n"] for row in base.values("status").annotate(n=Count("id")).order_by()}
    by_type = {row["partner_type"]: row["n"] for row in base.values("partner_type").annotate(n=Count("id")).order_by()}
    return {"by_status": by_status, "by_type": by_type}


def partner_status_history(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """A partner's lifecycle, oldest first, with who changed it: kept through retirement for reporting."""
    return PartnerStatusChange.objects.filter(tenant=tenant, partner_id=partner_id).select_related("changed_by")
