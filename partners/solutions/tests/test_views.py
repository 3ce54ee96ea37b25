"""Joint solution pages: the vendor's list, form, detail and decisions; the partner's catalogue, proposal,
invitations and detail; roles, ownership, bad input kept, and query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent, SolutionStatus

from .support import accept, in_market, invite, partner3_of, propose


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def partner_admin(client, world):
    client.force_login(world.a.partner1_admin)
    return client


# --- vendor portal ---------------------------------------------------------------------------------


def test_a_manager_creates_a_solution_orchestrated_by_a_partner(manager, world):
    response = manager.post(
        url("solutions:create"),
        {
            "name": "Zero-trust rollout",
            "summary": "Identity, network and endpoint.",
            "industries": "Banking, Insurance",
            "regions": ["emea", "na"],
            "orchestrator": "partner",
            "orchestrator_partner": str(world.a.partner2.public_id),
        },
    )
    [solution] = rows(world, JointSolution)
    assert response.status_code == 302 and response["Location"] == url("solutions:detail", solution_id=solution.public_id)
    assert solution.orchestrator_partner_id == world.a.partner2.pk and solution.industries == ["Banking", "Insurance"]
    assert solution.team_partner_ids == [world.a.partner2.pk]


def test_bad_input_shows_field_errors_and_keeps_what_was_typed(manager, world):
    response = manager.post(
        url("solutions:create"), {"name": "Typed name", "industries": "x" * 61, "orchestrator": "vendor", "regions": ["na"]}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Typed name"' in body and "is-invalid" in body and "at most 60 characters" in body
    assert rows(world, JointSolution) == []


def test_an_analyst_reads_but_cannot_create(client, world):
    client.force_login(world.a.analyst)
    assert client.get(url("solutions:list")).status_code == 200
    assert client.post(url("solutions:create"), {"name": "X", "orchestrator": "vendor"}).status_code == 403
    assert rows(world, JointSolution) == []


def test_the_list_filters_and_exports(manager, world):
    in_market(world.a, name="Retail cloud")
    propose(world.a, name="Hospital records", industries="Healthcare", regions=["apac"])

    in_market_only = manager.get(url("solutions:list"), {"status": "in_market"}).content.decode()
    assert "Retail cloud" in in_market_only and "Hospital records" not in in_market_only
    by_industry = manager.get(url("solutions:list"), {"industry": "health"}).content.decode()
    assert "Hospital records" in by_industry and "Retail cloud" not in by_industry
    export = manager.get(url("solutions:list"), {"region": "apac", "export": "csv"})
    lines = export.content.decode().strip().splitlines()
    assert export["Content-Type"].startswith("text/csv")
    assert len(lines) == 2 and "Hospital records" in lines[1] and "Alpha Reseller" in lines[1]


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_costs_the_same_queries_for_any_number_of_solutions(manager, world, django_assert_num_queries, count):
    for n in range(count):
        propose(world.a, name=f"Solution {n}")
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership;
    # 7 the paginator's count, 8-12 base.html's switcher of the person's programs, 13 the page of solutions
    # with their orchestrators and component counts, 14 release, 15 set_config cleared.
    with django_assert_num_queries(15):
        response = manager.get(url("solutions:list"))
    assert response.content.decode().count("/t/alpha/solutions/") >= count


def test_the_manager_approves_a_proposal_and_the_detail_shows_it(manager, world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)
    accept(world.a, component, world.a.partner2, world.a.partner2_admin)

    response = manager.post(url("solutions:approve", solution_id=solution.public_id))
    detail = manager.get(url("solutions:detail", solution_id=solution.public_id)).content.decode()

    assert response.status_code == 302
    [solution] = rows(world, JointSolution)
    assert solution.status == SolutionStatus.IN_MARKET
    assert 'data-status="in_market"' in detail and "Alpha MSP" in detail and "attribution engine" in detail


def test_approving_with_an_open_invitation_says_why_and_changes_nothing(manager, world):
    solution = propose(world.a)
    invite(world.a, solution, world.a.partner2)

    response = manager.post(url("solutions:approve", solution_id=solution.public_id), follow=True)

    assert "have not answered yet" in response.content.decode()
    assert rows(world, JointSolution)[0].status == SolutionStatus.DRAFT


def test_declining_needs_a_reason_and_the_partner_reads_it(manager, client, world):
    solution = propose(world.a)
    with tenant_context(world.a.tenant.pk):
        JointSolution.objects.filter(pk=solution.pk).update(status=SolutionStatus.PROPOSED)

    empty = manager.post(url("solutions:decline", solution_id=solution.public_id), {"reason": ""})
    assert empty.status_code == 400 and rows(world, JointSolution)[0].status == SolutionStatus.PROPOSED
    manager.post(url("solutions:decline", solution_id=solution.public_id), {"reason": "Name the distributor."})

    client.force_login(world.a.partner1_admin)
    page = client.get(url("partner_solutions:detail", solution_id=solution.public_id)).content.decode()
    assert "Name the distributor." in page and 'data-testid="decision-reason"' in page


def test_the_detail_shows_figures_of_the_deals_for_the_solution(manager, world):
    product_lines_for(world.a.tenant)
    solution = in_market(world.a)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, joint_solution=str(solution.public_id))

    page = manager.get(url("solutions:detail", solution_id=solution.public_id)).content.decode()

    assert "Initech Inc." in page and 'data-testid="open-value">50,000.00' in page


def test_staff_retire_a_solution(manager, world):
    solution = in_market(world.a)
    manager.post(url("solutions:retire", solution_id=solution.public_id))
    assert rows(world, JointSolution)[0].status == SolutionStatus.RETIRED


# --- partner portal --------------------------------------------------------------------------------


def test_a_partner_proposes_then_invites_and_the_other_accepts_in_the_portal(partner_admin, client, world):
    response = partner_admin.post(
        url("partner_solutions:propose"),
        {"name": "Store in a box", "role": "si_implementation", "description": "Roll-out", "regions": ["emea"]},
    )
    [solution] = rows(world, JointSolution)
    assert response["Location"] == url("partner_solutions:detail", solution_id=solution.public_id)
    page = partner_admin.get(response["Location"]).content.decode()
    assert str(world.a.partner2.public_id) in page  # the invite form offers the program's partners

    partner_admin.post(
        url("partner_solutions:component_add", solution_id=solution.public_id),
        {"partner": str(world.a.partner2.public_id), "role": "msp_managed_service", "description": "Runs the stores"},
    )
    [invited] = rows(world, SolutionComponent, partner=world.a.partner2)
    assert invited.status == ComponentStatus.INVITED

    client.force_login(world.a.partner2_admin)
    invitations = client.get(url("partner_solutions:invitations")).content.decode()
    assert "Store in a box" in invitations
    client.post(url("partner_solutions:invitation_accept", component_id=invited.public_id))
    assert rows(world, SolutionComponent, partner=world.a.partner2)[0].status == ComponentStatus.ACCEPTED

    client.force_login(world.a.partner1_admin)
    client.post(url("partner_solutions:submit", solution_id=solution.public_id))
    assert rows(world, JointSolution)[0].status == SolutionStatus.PROPOSED


def test_the_propose_form_keeps_what_was_typed_on_bad_input(partner_admin, world):
    response = partner_admin.post(url("partner_solutions:propose"), {"name": "Typed", "role": "boss"})
    body = response.content.decode()
    assert response.status_code == 400 and 'value="Typed"' in body and "is-invalid" in body
    assert rows(world, JointSolution) == []


def test_a_rep_reads_but_cannot_propose(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get(url("partner_solutions:list")).status_code == 200
    assert client.post(url("partner_solutions:propose"), {"name": "X", "role": "consulting"}).status_code == 403
    assert rows(world, JointSolution) == []


def test_partner2_never_sees_partner1s_draft_or_its_invitation(client, world):
    partner3, _admin3 = partner3_of(world.a)
    solution = propose(world.a, name="Secret plan")
    invitation = invite(world.a, solution, partner3, role="distributor_fulfilment")
    client.force_login(world.a.partner2_admin)

    listing = client.get(url("partner_solutions:list")).content.decode()
    invitations = client.get(url("partner_solutions:invitations")).content.decode()
    detail = client.get(url("partner_solutions:detail", solution_id=solution.public_id))
    accept_ = client.post(url("partner_solutions:invitation_accept", component_id=invitation.public_id))
    api = client.get("/api/v1/t/alpha/my-solutions/").json()

    assert "Secret plan" not in listing and "Secret plan" not in invitations
    assert detail.status_code == 404 and accept_.status_code == 404
    assert api["results"] == []
    assert rows(world, SolutionComponent, pk=invitation.pk)[0].status == ComponentStatus.INVITED


def test_the_catalogue_shows_solutions_in_market_to_every_partner(client, world):
    _partner3, admin3 = partner3_of(world.a)
    solution = in_market(world.a)
    client.force_login(admin3)

    listing = client.get(url("partner_solutions:list")).content.decode()
    entry = client.get(url("partner_solutions:detail", solution_id=solution.public_id)).content.decode()

    assert "Retail cloud in a box" in listing
    assert "Alpha MSP" in entry and "MSP managed service" in entry
    assert str(world.a.partner1.public_id) not in listing + entry  # partners by name, never by id


@pytest.mark.parametrize("count", [1, 4])
def test_the_partner_list_costs_the_same_queries_for_any_number_of_solutions(
    partner_admin, world, django_assert_num_queries, count
):
    for n in range(count):
        in_market(world.a, name=f"Solution {n}")
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership,
    # 7 set_config for the partner; the catalogue across partners: 8 savepoint, 9 set_config, 10 solutions,
    # 11 components, 12 partner names, 13 release, 14 set_config back; 15 our solutions; their orchestrators'
    # names across partners: 16 savepoint, 17 set_config, 18 names, 19 release, 20 set_config back;
    # 21 open invitations count, 22-26 base.html's switcher of the person's programs, 27 release, 28 cleared.
    with django_assert_num_queries(28):
        response = partner_admin.get(url("partner_solutions:list"))
    assert response.content.decode().count('data-testid="solution-status"') == count


def test_a_partner_reads_the_name_of_the_partner_that_orchestrates_its_solution(partner_admin, world):
    from partners.solutions import services

    from .support import as_partner

    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        solution = services.solution_propose(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            values={"name": "Led by the MSP"},
            role="consulting",
            orchestrator_partner=world.a.partner2,
        )

    listing = partner_admin.get(url("partner_solutions:list")).content.decode()
    detail = partner_admin.get(url("partner_solutions:detail", solution_id=solution.public_id)).content.decode()
    api = partner_admin.get("/api/v1/t/alpha/my-solutions/").json()["results"]

    assert "Alpha MSP" in listing
    assert 'data-testid="orchestrator">Alpha MSP<' in detail
    assert [(s["orchestrator_name"], s["proposed_by_name"]) for s in api] == [("Alpha MSP", "Alpha Reseller")]


def test_a_manager_edits_a_solution_and_hands_it_to_the_vendor(manager, world):
    solution = propose(world.a)
    edit = url("solutions:edit", solution_id=solution.public_id)
    assert 'value="Retail cloud in a box"' in manager.get(edit).content.decode()

    response = manager.post(edit, {"name": "Retail cloud", "orchestrator": "vendor", "regions": ["na"], "industries": "Retail"})

    assert response.status_code == 302
    [saved] = rows(world, JointSolution)
    assert (saved.name, saved.orchestrator_kind, saved.orchestrator_user_id) == ("Retail cloud", "vendor", world.a.manager.pk)
    assert saved.team_partner_ids == [world.a.partner1.pk]  # the proposer keeps reading its solution


def test_the_proposer_edits_its_draft_and_removes_a_component(partner_admin, world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)
    edit = url("partner_solutions:edit", solution_id=solution.public_id)
    assert partner_admin.get(edit).status_code == 200

    partner_admin.post(edit, {"name": "Renamed", "orchestrator_partner": str(world.a.partner1.public_id)})
    partner_admin.post(
        url("partner_solutions:component_remove", solution_id=solution.public_id, component_id=component.public_id)
    )

    assert rows(world, JointSolution)[0].name == "Renamed"
    assert rows(world, SolutionComponent, pk=component.pk) == []


def test_a_component_partner_cannot_edit_a_solution_it_does_not_manage(client, world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)
    accept(world.a, component, world.a.partner2, world.a.partner2_admin)
    client.force_login(world.a.partner2_admin)

    assert client.get(url("partner_solutions:detail", solution_id=solution.public_id)).status_code == 200
    assert client.get(url("partner_solutions:edit", solution_id=solution.public_id)).status_code == 404
    assert client.post(url("partner_solutions:submit", solution_id=solution.public_id)).status_code == 404
    assert rows(world, JointSolution)[0].status == SolutionStatus.DRAFT
