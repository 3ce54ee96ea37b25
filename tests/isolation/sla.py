"""Isolation matrix rows for the sla routes, and the tenant A objects they probe.

Partner 1 has SLA breaches on both sides in tenant A (a registration the vendor left undecided past
its target, a lead offer it left unanswered past its target): partner 2's SLA page, ``my-slas`` and ``my-sla-breaches``
answer with partner 2's own figures and breaches and never mention partner 1's items; the vendor
pages, the report and ``sla-breaches`` are staff-only (404 to every partner user).
"""

from __future__ import annotations

from django.utils import timezone

from deals.sla.services import sla_definitions_ensure
from deals.sla.tests.support import HOUR, lead_offer, registration
from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "sla:overview": Route(no_ids, ("GET",)),
    "sla:edit": Route(lambda o: {"sla_id": o["sla_definition"]}, ("POST",)),
    "sla:breaches": Route(no_ids, ("GET",)),
    "sla:partner": Route(lambda o: {"partner_id": o["partner"]}, ("GET",), partner_owned=True),
    "partner_sla:mine": Route(no_ids, ("GET",)),
    "api:sla-definition-list": Route(no_ids, ("GET",)),
    "api:sla-definition-detail": Route(lambda o: {"public_id": o["sla_definition"]}, ("GET", "PUT", "PATCH")),
    "api:sla-report": Route(no_ids, ("GET",)),
    "api:my-slas": Route(no_ids, ("GET",), own=True),
    "api:sla-breach-list": Route(no_ids, ("GET",)),
    "api:my-sla-breach-list": Route(no_ids, ("GET",), own=True),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus partner1_ids: the ids partner 2's users must never see.
    """
    now = timezone.now()
    definitions = sla_definitions_ensure(tenant=a.tenant)
    waiting = registration(a.tenant, a.partner1, submitted_at=now - 100 * HOUR)
    offer = lead_offer(a.tenant, a.partner1, offered_at=now - 50 * HOUR)
    return {
        "sla_definition": definitions[0].public_id,
        "partner1_ids": {str(waiting.public_id), str(offer.public_id), str(offer.lead.public_id)},
    }
