"""``deal-teams/<id>/solution-team/``: the portal's "bring the solution's partners on" button in the API.
Managers only (analysts 403, partner users 403/404, other tenants 404); a registration without a joint
solution is a 400 envelope; joining again changes nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from deals.models import DealParticipant
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context

from .support import accept, invite, partner3_of, propose

BASE = "/api/v1/t/alpha"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


@pytest.fixture
def registration(world):
    """Partner 1's active registration for a solution with partners 2 and 3, whose team has lost them
    (as one approved after review, before the manager brings the team on)."""
    a = world.a
    partner3, admin3 = partner3_of(a)
    draft = propose(a)
    accept(a, invite(a, draft, a.partner2), a.partner2, a.partner2_admin)
    accept(a, invite(a, draft, partner3, role="distributor_fulfilment"), partner3, admin3)
    from partners.solutions import services

    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        solution = services.solution_approve(tenant=a.tenant, actor=a.manager, solution=draft)
    registration = submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id)).registration
    with tenant_context(a.tenant.pk):
        DealParticipant.objects.filter(registration=registration).exclude(partner=a.partner1).delete()
    registration.partner3 = partner3
    return registration


def team(world, registration) -> dict[int, tuple[str, str]]:
    with tenant_context(world.a.tenant.pk):
        return {p.partner_id: (p.role, p.status) for p in DealParticipant.objects.filter(registration=registration)}


def test_a_manager_brings_the_solutions_partners_on_and_again_changes_nothing(world, registration):
    url = f"{BASE}/deal-teams/{registration.public_id}/solution-team/"

    response = api(world.a.manager).post(url)

    assert response.status_code == 200, response.content
    assert team(world, registration)[world.a.partner2.pk] == ("implementation", "accepted")
    assert team(world, registration)[registration.partner3.pk] == ("distribution", "accepted")
    answered = {(m["partner_name"], m["role"], m["status"]) for m in response.json()["team"]}
    assert (world.a.partner2.name, "implementation", "accepted") in answered
    assert (registration.partner3.name, "distribution", "accepted") in answered
    again = api(world.a.manager).post(url)
    assert again.status_code == 200 and len(team(world, registration)) == 3


def test_a_registration_without_a_joint_solution_is_a_400_envelope(world):
    plain = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    response = api(world.a.owner).post(f"{BASE}/deal-teams/{plain.public_id}/solution-team/")

    assert response.status_code == 400 and response.json()["code"] == "not_eligible"
    assert len(team(world, plain)) <= 1


def test_analysts_partner_users_and_other_tenants_change_nothing(world, registration):
    url = f"{BASE}/deal-teams/{registration.public_id}/solution-team/"

    assert api(world.a.analyst).post(url).status_code == 403
    assert api(world.a.partner1_admin).post(url).json()["code"] == "staff_only"
    assert api(world.a.partner2_admin).post(url).status_code == 404
    assert api(world.b.owner).post(url).status_code == 404
    assert api(world.b.owner).post(f"/api/v1/t/beta/deal-teams/{registration.public_id}/solution-team/").status_code == 404
    assert set(team(world, registration)) == {world.a.partner1.pk}
