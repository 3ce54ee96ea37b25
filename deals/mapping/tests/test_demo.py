"""The account-mapping demo: an active, matched Acme ↔ Northwind pair with the recommendation the docs show; seeding twice changes nothing.

Run on the test world's tenant with its two partners standing in for Northwind and Fabrikam (the
whole ``seed_demo`` runs in the browser journey, tests/browser/test_mapping_journey.py).
"""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context

from .. import demo
from ..models import AccountOverlap, MappingAccount, MappingPartnership
from ..selectors import recommendations_for


def test_the_demo_pair_is_matched_with_twelve_prospects_and_seeding_twice_changes_nothing(world):
    a = world.a
    partners = {"northwind.example": a.partner1, "fabrikam.example": a.partner2}
    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        first = (MappingAccount.objects.count(), MappingPartnership.objects.count(), AccountOverlap.objects.count())
        sentences = [r.sentence for r in recommendations_for(tenant=a.tenant, partner_id=None)]
        assert f"12 of your prospects are customers of {a.partner1.name}." in sentences
        assert MappingPartnership.objects.filter(status="invited", partner_b__in=[a.partner1, a.partner2]).count() == 1
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (MappingAccount.objects.count(), MappingPartnership.objects.count(), AccountOverlap.objects.count()) == first
