"""The directory demo: published profiles, collaborations (one puts Contoso on Northwind's deal team), idempotent.

Run on the test world's tenant with three partners standing in for the demo's (the whole ``seed_demo``
runs in the browser journey, tests/browser/test_directory_journey.py).
"""

from __future__ import annotations

from deals.models import DealParticipant
from deals.tests.support import product_lines_for, submit_as
from deals.workflow import registration_approve
from ecosystem.tenancy.context import tenant_context
from partners.directory import demo
from partners.directory.models import CollaborationRequest, DirectoryProfile

from .support import capabilities_for, third_partner


def test_the_demo_publishes_profiles_and_collaborations_and_is_idempotent(world):
    a = world.a
    product_lines_for(a.tenant)
    capabilities_for(a.tenant)
    fabrikam, _ = third_partner(a, name="Fabrikam Software", partner_type="isv", with_admin=False)
    wayne = submit_as(a.tenant, a.partner1, a.partner1_admin, customer_name="Wayne Enterprises").registration
    partners = {"northwind.example": a.partner1, "contoso-ms.example": a.partner2, "fabrikam.example": fabrikam}
    with tenant_context(a.tenant.pk):
        registration_approve(tenant=a.tenant, actor=a.manager, registration=wayne)
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        first = (DirectoryProfile.objects.count(), CollaborationRequest.objects.count())
        statuses = sorted(CollaborationRequest.objects.values_list("subject_kind", "status"))
        on_team = DealParticipant.objects.get(registration=wayne, partner=a.partner2)
        assert DirectoryProfile.objects.filter(is_published=True).count() == 3
        assert DirectoryProfile.objects.get(partner=a.partner2).capabilities == ["security"]  # known capabilities only
    assert statuses == [("account_mapping", "accepted"), ("deal", "accepted"), ("general", "pending")]
    assert (on_team.status, on_team.role) == ("accepted", "implementation")

    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (DirectoryProfile.objects.count(), CollaborationRequest.objects.count()) == first
