"""Isolation matrix rows for the solutions routes, and the tenant A objects they probe.

Partner 1's draft solution (with its invitation to a third partner) and partner 1's open invitation to a
third partner's draft are partner 1's: partner 2 is on neither team, so every id is 404 to it and none may
appear in its pages. A solution in market (partner 1 and the third partner) is catalogue information
every partner reads: it is not among partner 1's private ids, and the catalogue names partners, never
their ids.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _draft(o: dict) -> dict:
    return {"solution_id": o["solution_draft"]}


def _draft_component(o: dict) -> dict:
    return {"solution_id": o["solution_draft"], "component_id": o["solution_draft_invited"]}


def _api_draft(o: dict) -> dict:
    return {"public_id": o["solution_draft"]}


ROUTES: dict[str, Route] = {
    # vendor portal: staff only, so partner users get 404 for every id
    "solutions:list": Route(no_ids, ("GET",)),
    "solutions:create": Route(no_ids, ("GET", "POST")),
    "solutions:detail": Route(_draft, ("GET",), partner_owned=True),
    "solutions:edit": Route(_draft, ("GET", "POST"), partner_owned=True),
    "solutions:component_add": Route(_draft, ("POST",), partner_owned=True),
    "solutions:component_remove": Route(_draft_component, ("POST",), partner_owned=True),
    "solutions:approve": Route(_draft, ("POST",), partner_owned=True),
    "solutions:decline": Route(_draft, ("POST",), partner_owned=True),
    "solutions:retire": Route(_draft, ("POST",), partner_owned=True),
    "solutions:lead_solution": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:lead-solution": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "solutions:registration_team": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "api:deal-team-solution-team": Route(lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    # partner portal: the catalogue and "our solutions" answer for the caller's own organisation
    "partner_solutions:list": Route(no_ids, ("GET",)),
    "partner_solutions:propose": Route(no_ids, ("GET", "POST")),
    "partner_solutions:invitations": Route(no_ids, ("GET",)),
    "partner_solutions:invitation_accept": Route(
        lambda o: {"component_id": o["solution_invitation"]}, ("POST",), partner_owned=True
    ),
    "partner_solutions:invitation_decline": Route(
        lambda o: {"component_id": o["solution_invitation"]}, ("POST",), partner_owned=True
    ),
    "partner_solutions:detail": Route(_draft, ("GET",), partner_owned=True),
    "partner_solutions:edit": Route(_draft, ("GET", "POST"), partner_owned=True),
    "partner_solutions:component_add": Route(_draft, ("POST",), partner_owned=True),
    "partner_solutions:component_remove": Route(_draft_component, ("POST",), partner_owned=True),
    "partner_solutions:submit": Route(_draft, ("POST",), partner_owned=True),
    # API, staff
    "api:solution-list": Route(no_ids, ("GET", "POST")),
    "api:solution-detail": Route(_api_draft, ("GET", "PUT"), partner_owned=True),
    "api:solution-approve": Route(_api_draft, ("POST",), partner_owned=True),
    "api:solution-decline": Route(_api_draft, ("POST",), partner_owned=True),
    "api:solution-retire": Route(_api_draft, ("POST",), partner_owned=True),
    "api:solution-components": Route(_api_draft, ("POST",), partner_owned=True),
    "api:solution-remove-component": Route(_api_draft, ("POST",), partner_owned=True),
    # API, partners
    "api:my-solution-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:my-solution-catalogue": Route(no_ids, ("GET",), own=True),
    "api:my-solution-invitations": Route(no_ids, ("GET",), own=True),
    "api:my-solution-detail": Route(_api_draft, ("GET", "PUT"), partner_owned=True),
    "api:my-solution-accept": Route(lambda o: {"public_id": o["solution_asked"]}, ("POST",), partner_owned=True),
    "api:my-solution-decline": Route(lambda o: {"public_id": o["solution_asked"]}, ("POST",), partner_owned=True),
    "api:my-solution-components": Route(_api_draft, ("POST",), partner_owned=True),
    "api:my-solution-remove-component": Route(_api_draft, ("POST",), partner_owned=True),
    "api:my-solution-submit": Route(_api_draft, ("POST",), partner_owned=True),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus partner1_ids: the ids partner 2's users must never see.
    """
    from partners.solutions import services
    from tests.factories import PartnerFactory

    third = PartnerFactory(
        tenant=a.tenant, name="Alpha Distributor", partner_type="distributor", website_domain="dist.alpha.example"
    )
    # partner 1's draft, with the third partner invited
    draft = services.solution_propose(
        tenant=a.tenant,
        actor=a.partner1_admin,
        partner_id=a.partner1.pk,
        values={"name": "Probe Draft Solution"},
        role="si_implementation",
    )
    invited = services.component_add(
        tenant=a.tenant,
        actor=a.partner1_admin,
        solution=draft,
        partner=third,
        role="distributor_fulfilment",
        partner_id=a.partner1.pk,
    )
    # the third partner's draft, with partner 1's open invitation
    asked = services.solution_propose(
        tenant=a.tenant, actor=a.owner, partner_id=third.pk, values={"name": "Probe Asked Solution"}, role="consulting"
    )
    invitation = services.component_add(
        tenant=a.tenant, actor=a.owner, solution=asked, partner=a.partner1, role="msp_managed_service", partner_id=third.pk
    )
    # in market: catalogue information every partner reads
    market = services.solution_propose(
        tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, values={"name": "Probe Market"}, role="isv_product"
    )
    services.solution_approve(tenant=a.tenant, actor=a.owner, solution=market)
    own_components = {str(c.public_id) for c in draft.components.all()} | {str(c.public_id) for c in asked.components.all()}
    return {
        "solution_draft": draft.public_id,
        "solution_draft_invited": invited.public_id,
        "solution_asked": asked.public_id,
        "solution_invitation": invitation.public_id,
        "partner1_ids": {str(draft.public_id), str(asked.public_id), str(invited.public_id), str(invitation.public_id)}
        | own_components,
    }
