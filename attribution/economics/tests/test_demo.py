"""The demo shows every figure, and seeding it twice changes nothing."""

from __future__ import annotations

from attribution.economics import demo, selectors
from attribution.economics.models import CustomerRevenue, ProgramCost
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory


def test_the_demo_fills_every_figure_and_is_idempotent(world):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        extra = [
            PartnerFactory(tenant=a.tenant, name=f"Demo Partner {n}", website_domain=f"demo{n}.alpha.example") for n in range(4)
        ]
        partners = {p.website_domain: p for p in (a.partner1, a.partner2, *extra)}
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        counts = (CustomerRevenue.objects.count(), ProgramCost.objects.count())
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (CustomerRevenue.objects.count(), ProgramCost.objects.count()) == counts
        figures = selectors.economics_figures(tenant=a.tenant)

    assert counts[1] == 20  # four quarters × five categories
    assert figures.cac.partner_cac is not None and figures.cac.direct_cac is not None
    assert figures.cac.partner_cac < figures.cac.direct_cac  # the story: a healthy channel costs less
    for channel in ("partner", "direct"):
        r = figures.retention[channel]
        assert r.accounts > 0 and r.nrr is not None and 0 < r.grr <= 1 and 0 < r.logo_retention <= 1
    assert figures.retention["partner"].nrr > figures.retention["direct"].nrr
    assert len(figures.cltv) >= 5 and figures.cltv[0].revenue >= figures.cltv[-1].revenue
