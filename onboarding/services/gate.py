"""The sales-access gate: closed until every agreement and security review of the partner's plans is done."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ecosystem.errors import ForbiddenError
from ecosystem.tenancy.models import Tenant
from onboarding.models import OnboardingStep, StepStatus
from onboarding.models.plans import GATING_KINDS


@dataclass(frozen=True)
class AccessGate:
    is_open: bool
    missing: tuple[str, ...]  # titles of the steps still to finish, for people to read


def partner_access_gate(*, tenant: Tenant, partner_id: int) -> AccessGate:
    """Sales access opens when every agreement and security review of the partner's plans is done.

    One query. A partner without an onboarding plan (added by hand before plans existed) is open.
    """
    missing = tuple(
        OnboardingStep.objects.filter(tenant=tenant, partner_id=partner_id, kind__in=GATING_KINDS)
        .exclude(status=StepStatus.DONE)
        .order_by("position")
        .values_list("title", flat=True)
    )
    return AccessGate(is_open=not missing, missing=missing)


def require_sales_access(*, tenant: Tenant, partner_id: int) -> None:
    """Refuse sales actions (deal registration, sales content) until the gate is open.

    Called by the services that own those actions, so the API and the portal refuse alike.
    """
    gate = partner_access_gate(tenant=tenant, partner_id=partner_id)
    if not gate.is_open:
        raise ForbiddenError(
            _("Finish onboarding first: %(steps)s.") % {"steps": ", ".join(gate.missing)}, code="onboarding_incomplete"
        )
