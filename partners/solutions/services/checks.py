"""Checking what the solution services are given: details, component roles, partners of the program."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, Region

from ..models import ComponentRole

# Partners that may join or orchestrate a solution: in the program and selling.
SOLUTION_PARTNER_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)
MAX_INDUSTRIES = 10

# --- input -----------------------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [" ".join(str(item).split()) for item in value if str(item).strip()]


def clean_details(values: dict[str, Any]) -> dict[str, Any]:
    """Name, summary, target industries and regions, checked; the first problem raised with its field."""
    name = _text(values.get("name"), 121)
    if not name:
        raise ApplicationError(_("Give the solution a name."), code="required", field="name")
    if len(name) > 120:
        raise ApplicationError(_("Use at most 120 characters."), code="max_length", field="name")
    summary = str(values.get("summary") or "").strip()
    if len(summary) > 4000:
        raise ApplicationError(_("Use at most 4000 characters."), code="max_length", field="summary")
    industries: list[str] = []
    for industry in _list(values.get("industries")):
        if len(industry) > 60:
            raise ApplicationError(_("Name each industry in at most 60 characters."), code="max_length", field="industries")
        if industry.casefold() not in {i.casefold() for i in industries}:
            industries.append(industry)
    if len(industries) > MAX_INDUSTRIES:
        raise ApplicationError(_("Name at most 10 industries."), code="too_many", field="industries")
    regions = sorted(set(_list(values.get("regions"))))
    if set(regions) - set(Region.values):
        raise ApplicationError(_("Choose regions from the list."), code="invalid_choice", field="regions")
    return {"name": name, "summary": summary, "industries": industries, "regions": regions}


def _clean_role(role: Any) -> str:
    if role not in ComponentRole.values:
        raise ApplicationError(
            _("Choose a role: ISV product, SI implementation, MSP managed service, distributor fulfilment or consulting."),
            code="invalid_choice",
            field="role",
        )
    return str(role)


def _check_partner(*, tenant: Tenant, partner: PartnerOrganization | None, field: str) -> PartnerOrganization:
    if partner is None or partner.tenant_id != tenant.pk or partner.status not in SOLUTION_PARTNER_STATUSES:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field=field)
    return partner
