"""Shared set-up for the joint solution tests: a third partner with an admin, and a solution in each state."""

from __future__ import annotations

from ecosystem.accounts.models import Role
from ecosystem.tenancy.context import tenant_context
from partners.solutions import services
from partners.solutions.models import JointSolution
from tests.factories import MembershipFactory, PartnerFactory, UserFactory


def partner3_of(tenant_world):
    """A third active partner (a distributor) in the tenant, with its own admin: (partner, admin)."""
    tenant = tenant_world.tenant
    with tenant_context(tenant.pk):
        partner = PartnerFactory(
            tenant=tenant,
            name=f"{tenant.name} Distributor",
            partner_type="distributor",
            website_domain=f"dist.{tenant.slug}.example",
        )
        admin = UserFactory(email=f"partner_admin-p3-{tenant.slug}@example.com")
        MembershipFactory(tenant=tenant, user=admin, role=Role.PARTNER_ADMIN, partner=partner)
    return partner, admin


def as_partner(tenant_world, partner, user):
    return tenant_context(tenant_world.tenant.pk, partner_id=partner.pk, user_id=user.pk)


def propose(tenant_world, *, name="Retail cloud in a box", role="si_implementation", **values) -> JointSolution:
    """Partner 1 proposes a draft with its own SI component."""
    a = tenant_world
    with as_partner(a, a.partner1, a.partner1_admin):
        return services.solution_propose(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            values={"name": name, "summary": "Stores on the cloud.", "industries": "Retail", "regions": ["emea"], **values},
            role=role,
            description="Implementation and migration",
        )


def invite(tenant_world, solution, partner, role="msp_managed_service"):
    a = tenant_world
    with as_partner(a, a.partner1, a.partner1_admin):
        return services.component_add(
            tenant=a.tenant,
            actor=a.partner1_admin,
            solution=solution,
            partner=partner,
            role=role,
            description="Runs it",
            partner_id=a.partner1.pk,
        )


def accept(tenant_world, component, partner, admin, *, yes=True):
    a = tenant_world
    with as_partner(a, partner, admin):
        return services.component_respond(tenant=a.tenant, actor=admin, partner_id=partner.pk, component=component, accept=yes)


def in_market(tenant_world, *, name="Retail cloud in a box") -> JointSolution:
    """Partner 1's solution with partner 2 (MSP) accepted, submitted and approved by the manager."""
    a = tenant_world
    solution = propose(a, name=name)
    component = invite(a, solution, a.partner2)
    accept(a, component, a.partner2, a.partner2_admin)
    with as_partner(a, a.partner1, a.partner1_admin):
        services.solution_submit(tenant=a.tenant, actor=a.partner1_admin, solution=solution, partner_id=a.partner1.pk)
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        return services.solution_approve(tenant=a.tenant, actor=a.manager, solution=solution)
