"""Fetch-for-access: one tenant row by its public id, "not found" alike for missing and foreign rows."""

from __future__ import annotations

import uuid

from django.db.models import Model, QuerySet

from ecosystem.errors import NotFoundError

from .models import Tenant


def access_row(queryset: QuerySet, *, tenant: Tenant, public_id: uuid.UUID | str | None, partner_id: int | None = None) -> Model:
    """The row of ``queryset`` with this public id in ``tenant`` (and, for partner users, of ``partner_id``).

    Raises :class:`NotFoundError` (a 404 in the portal and the API) when it is missing, belongs to
    another tenant or another partner, or the id is not a UUID.
    """
    queryset = queryset.filter(tenant=tenant)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID or reads as one: public ids from URLs, forms and query strings are checked first."""
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return False
    return True
