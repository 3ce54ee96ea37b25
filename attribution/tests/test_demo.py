"""The attribution demo has won, lost and euro deals touched by several partners, two computed runs
whose every model credits exactly the won value, and seeding twice changes nothing.

Run on the test world's tenant with its two partners standing in for the demo's (the whole
``seed_demo`` runs in the browser journey).
"""

from __future__ import annotations

import pytest

from attribution import demo
from attribution.models import AttributionCredit, AttributionRun, AttributionTouch, RunStatus, Touchpoint
from deals.models import DealRegistration
from ecosystem.tenancy.context import tenant_context


def test_the_demo_computes_runs_over_partner_journeys_and_is_idempotent(world):
    a = world.a
    partners = {"northwind.example": a.partner1, "fabrikam.example": a.partner2}
    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        runs = list(AttributionRun.objects.order_by("created_at"))
        assert [r.dimension for r in runs] == ["partner_type", "partner"]
        assert all(r.status == RunStatus.SUCCEEDED and r.details_kept for r in runs)
        deals = DealRegistration.objects.filter(customer_domain__endswith=demo.MARK)
        assert deals.filter(stage="closed_won").exists() and deals.filter(stage="closed_lost").exists()
        assert deals.filter(stage="closed_won", currency="EUR").exists()
        by_partner = runs[1]
        # every model of the run credits exactly the run's won value, converted at the close-date rates
        for model in by_partner.model_names:
            total = sum(AttributionCredit.objects.filter(run=by_partner, model=model).values_list("value", flat=True))
            assert total == pytest.approx(by_partner.summary["value"], rel=1e-9), model
        assert AttributionTouch.objects.filter(run=by_partner).exclude(rate=1).exists()  # a euro deal
        assert AttributionTouch.objects.filter(run=by_partner).values("partner_id").distinct().count() == 2
        counts = (Touchpoint.objects.count(), AttributionRun.objects.count(), deals.count())

    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (Touchpoint.objects.count(), AttributionRun.objects.count(), deals.count()) == counts
