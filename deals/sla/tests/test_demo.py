"""The SLA demo history measures every SLA, with breaches on both sides, and seeding twice changes nothing.

Run on the test world's tenant with two partners standing in for the demo's (the whole ``seed_demo``
runs in the browser journey, tests/browser/test_sla_journey.py).
"""

from __future__ import annotations

from deals.models import DealRegistration, LeadOffer
from deals.sla import demo
from deals.sla.selectors import sla_breaches, sla_report
from deals.tests.support import product_lines_for
from ecosystem.tenancy.context import tenant_context


def test_the_demo_has_sla_history_with_breaches_on_both_sides_and_is_idempotent(world):
    a = world.a
    product_lines_for(a.tenant)
    partners = {"northwind.example": a.partner1, "fabrikam.example": a.partner2}
    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        report = sla_report(tenant=a.tenant)
        first = (DealRegistration.objects.count(), LeadOffer.objects.count(), sla_breaches(tenant=a.tenant).count())
    figures = {f.kind: f for f in report.program}
    assert all(figures[kind].count > 0 for kind in ("registration_decision", "lead_answer", "cosell_answer"))
    assert figures["registration_decision"].breaches > 0 and figures["lead_answer"].breaches > 0
    assert figures["cosell_answer"].breaches > 0
    assert figures["registration_decision"].met > figures["registration_decision"].breaches  # mostly on time

    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (DealRegistration.objects.count(), LeadOffer.objects.count(), sla_breaches(tenant=a.tenant).count()) == first
