"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

* **Retail Cloud in a Box**, in market: Fabrikam Software (ISV product), an integrator (SI
  implementation) and Northwind Traders (distributor fulfilment), orchestrated by Fabrikam; two
  deals Fabrikam registered reference it (one open, one won), so its figures show and Northwind and
  the integrator are on those deals' co-sell teams.
* **Managed Security Operations**, proposed by Contoso Managed Services with Fabrikam's component
  accepted: waiting for the manager's approval.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from partners.models import PartnerStatus

RETAIL = "Retail Cloud in a Box"
SECURITY = "Managed Security Operations"
# Integrators for the in-market solution, the first active one wins (the demo's statuses are random).
INTEGRATORS = ("tailspin.example", "globalmantics.example", "coho.example", "fourthcoffee.example", "contoso-ms.example")


def _active(partners: dict, domains) -> object | None:
    for domain in domains:
        partner = partners.get(domain)
        if partner is not None and partner.status in (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK):
            return partner
    return None


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from ecosystem.accounts.models import User
    from partners.solutions import services
    from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent

    northwind, fabrikam, contoso = partners["northwind.example"], partners["fabrikam.example"], partners["contoso-ms.example"]
    integrator = _active(partners, INTEGRATORS)
    if not JointSolution.objects.filter(tenant=tenant, name=RETAIL).exists():
        solution = services.solution_create(
            tenant=tenant,
            actor=owner,
            values={
                "name": RETAIL,
                "summary": "Point of sale, inventory and analytics for store chains on Acme Cloud: Fabrikam's retail "
                "suite, rolled out by an integrator and delivered through Northwind's distribution.",
                "industries": ["Retail", "Consumer goods"],
                "regions": ["emea", "na"],
            },
            orchestrator_partner=fabrikam,
        )
        for partner, role, what in (
            (fabrikam, "isv_product", "Fabrikam Retail Suite licences and support"),
            (integrator, "si_implementation", "Store roll-out, data migration and training"),
            (northwind, "distributor_fulfilment", "Hardware bundles and licence fulfilment"),
        ):
            if partner is None:
                continue
            component = services.component_add(
                tenant=tenant, actor=owner, solution=solution, partner=partner, role=role, description=what
            )
            SolutionComponent.objects.filter(pk=component.pk).update(status=ComponentStatus.ACCEPTED, responded_at=timezone.now())
        solution = services.solution_approve(tenant=tenant, actor=owner, solution=solution)
        _deals(tenant=tenant, owner=owner, fabrikam=fabrikam, solution=solution)
    if not JointSolution.objects.filter(tenant=tenant, name=SECURITY).exists():
        carl = User.objects.get(email="admin@contoso-ms.example")
        proposed = services.solution_propose(
            tenant=tenant,
            actor=carl,
            partner_id=contoso.pk,
            values={
                "name": SECURITY,
                "summary": "24x7 detection and response on Acme Cloud Security, run by Contoso with Fabrikam's analytics.",
                "industries": ["Financial services", "Healthcare"],
                "regions": ["na"],
            },
            role="msp_managed_service",
            description="24x7 security operations centre",
        )
        component = services.component_add(
            tenant=tenant,
            actor=carl,
            solution=proposed,
            partner=fabrikam,
            role="isv_product",
            description="Threat analytics",
            partner_id=contoso.pk,
        )
        SolutionComponent.objects.filter(pk=component.pk).update(status=ComponentStatus.ACCEPTED, responded_at=timezone.now())
        services.solution_submit(tenant=tenant, actor=carl, solution=proposed, partner_id=contoso.pk)


def _deals(*, tenant, owner, fabrikam, solution) -> None:
    """Two Fabrikam deals for the solution: one open, one won (its other partners join each as co-sellers)."""
    from deals.registrations import registration_submit
    from deals.workflow import registration_approve, registration_update_stage

    close = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    made = []
    for customer, domain, value, stage in (
        ("Contoso Pharmacies", "contoso-pharmacies.example", "150000", "proposal"),
        ("Bluebell Grocers", "bluebell-grocers.example", "96000", "negotiation"),
    ):
        values = {
            "customer_name": customer,
            "customer_domain": domain,
            "contact_name": "Robin Retail",
            "contact_email": f"robin@{domain}",
            "product_lines": ["compute", "data"],
            "value": value,
            "currency": "USD",
            "expected_close_date": close,
            "stage": stage,
            "joint_solution": str(solution.public_id),
        }
        made.append(registration_submit(tenant=tenant, actor=None, partner_id=fabrikam.pk, values=values).registration)
    won = made[1]
    if won.status != "approved":
        registration_approve(tenant=tenant, actor=owner, registration=won)
    registration_update_stage(
        tenant=tenant, actor=owner, registration=won, stage="closed_won", closed_amount="91500", closed_on=timezone.localdate()
    )
