"""Joint solution services: proposing, components and their answers, the team arrays, and the lifecycle."""

from __future__ import annotations

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.solutions import selectors, services
from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent, SolutionStatus

from .support import accept, as_partner, in_market, invite, partner3_of, propose


def staff(world):
    return tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk)


def reload(world, solution) -> JointSolution:
    with staff(world):
        return JointSolution.objects.get(pk=solution.pk)


# --- proposing ---------------------------------------------------------------------------------------


def test_a_partner_proposes_a_draft_with_its_own_component_accepted_at_once(world):
    solution = propose(world.a)

    with staff(world):
        solution = JointSolution.objects.get(pk=solution.pk)
        component = SolutionComponent.objects.get(solution=solution)
        audit = AuditEntry.objects.get(action="solutions.propose")
    assert solution.status == SolutionStatus.DRAFT
    assert solution.proposed_by_id == world.a.partner1.pk and solution.orchestrator_partner_id == world.a.partner1.pk
    assert solution.industries == ["Retail"] and solution.regions == ["emea"]
    assert (component.partner_id, component.role, component.status) == (
        world.a.partner1.pk,
        "si_implementation",
        ComponentStatus.ACCEPTED,
    )
    assert solution.team_partner_ids == [world.a.partner1.pk] == component.team_partner_ids
    assert audit.changes["component"] == str(component.public_id)


def test_a_partner_may_name_another_partner_as_orchestrator(world):
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        solution = services.solution_propose(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            values={"name": "Managed SOC"},
            role="consulting",
            orchestrator_partner=world.a.partner2,
        )
    solution = reload(world, solution)
    assert solution.orchestrator_partner_id == world.a.partner2.pk
    assert solution.team_partner_ids == sorted([world.a.partner1.pk, world.a.partner2.pk])


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Ok", "regions": ["mars"]}, "regions"),
        ({"name": "Ok", "industries": ["y" * 61]}, "industries"),
    ],
)
def test_bad_details_are_refused_on_their_field_and_nothing_is_written(world, values, field):
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin), pytest.raises(ApplicationError) as refused:
        services.solution_propose(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, values=values, role="consulting"
        )
    assert refused.value.field == field
    with staff(world):
        assert not JointSolution.objects.exists()


def test_a_proposal_needs_a_role_for_the_proposer(world):
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin), pytest.raises(ApplicationError) as refused:
        services.solution_propose(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, values={"name": "X"}, role="ceo"
        )
    assert refused.value.field == "role"


# --- components and the team arrays ---------------------------------------------------------------


def test_an_invited_partner_reads_the_solution_it_is_invited_to_and_its_invitation(world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)

    assert component.status == ComponentStatus.INVITED
    with as_partner(world.a, world.a.partner2, world.a.partner2_admin):
        assert selectors.access_solution(tenant=world.a.tenant, public_id=solution.public_id, partner_id=world.a.partner2.pk)
        invitations = list(selectors.invitations_for_partner(tenant=world.a.tenant, partner_id=world.a.partner2.pk))
    assert [i.pk for i in invitations] == [component.pk]
    with staff(world):
        assert JointSolution.objects.get(pk=solution.pk).team_partner_ids == sorted([world.a.partner1.pk, world.a.partner2.pk])
        assert {tuple(c.team_partner_ids) for c in SolutionComponent.objects.all()} == {
            tuple(sorted([world.a.partner1.pk, world.a.partner2.pk]))
        }


def test_a_partner_outside_the_team_reads_nothing_of_a_draft(world):
    partner3, admin3 = partner3_of(world.a)
    solution = propose(world.a)
    invite(world.a, solution, world.a.partner2)

    with as_partner(world.a, partner3, admin3):
        assert not JointSolution.objects.exists() and not SolutionComponent.objects.exists()
        with pytest.raises(NotFoundError):
            selectors.access_solution(tenant=world.a.tenant, public_id=solution.public_id, partner_id=partner3.pk)
        with pytest.raises(NotFoundError):
            selectors.catalogue_entry(tenant=world.a.tenant, public_id=solution.public_id)


def test_declining_takes_the_partner_out_of_the_team(world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)

    accept(world.a, component, world.a.partner2, world.a.partner2_admin, yes=False)

    with as_partner(world.a, world.a.partner2, world.a.partner2_admin):
        assert not JointSolution.objects.exists()
    with staff(world):
        assert JointSolution.objects.get(pk=solution.pk).team_partner_ids == [world.a.partner1.pk]
        assert SolutionComponent.objects.get(pk=component.pk).status == ComponentStatus.DECLINED
        assert AuditEntry.objects.filter(action="solutions.component_decline").count() == 1


def test_an_invitation_is_answered_once_and_only_by_its_partner(world):
    partner3, admin3 = partner3_of(world.a)
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)

    with as_partner(world.a, partner3, admin3), pytest.raises(NotFoundError):
        services.component_respond(tenant=world.a.tenant, actor=admin3, partner_id=partner3.pk, component=component, accept=True)
    accept(world.a, component, world.a.partner2, world.a.partner2_admin)
    with pytest.raises(ConflictError) as again:
        accept(world.a, component, world.a.partner2, world.a.partner2_admin)
    assert again.value.code == "invitation_closed"


def test_the_same_partner_and_role_twice_is_a_conflict(world):
    solution = propose(world.a)
    invite(world.a, solution, world.a.partner2)
    with pytest.raises(ConflictError) as twice:
        invite(world.a, solution, world.a.partner2)
    assert twice.value.code == "component_exists"


def test_a_component_partner_that_does_not_manage_the_solution_cannot_change_it(world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)
    accept(world.a, component, world.a.partner2, world.a.partner2_admin)
    partner3, _admin3 = partner3_of(world.a)

    with as_partner(world.a, world.a.partner2, world.a.partner2_admin), pytest.raises(NotFoundError):
        services.component_add(
            tenant=world.a.tenant,
            actor=world.a.partner2_admin,
            solution=solution,
            partner=partner3,
            role="consulting",
            partner_id=world.a.partner2.pk,
        )
    with staff(world):
        assert SolutionComponent.objects.filter(solution=solution).count() == 2


def test_removing_a_component_rewrites_the_team(world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)

    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        services.component_remove(
            tenant=world.a.tenant, actor=world.a.partner1_admin, component=component, partner_id=world.a.partner1.pk
        )

    with staff(world):
        assert JointSolution.objects.get(pk=solution.pk).team_partner_ids == [world.a.partner1.pk]
        assert not SolutionComponent.objects.filter(pk=component.pk).exists()
        assert AuditEntry.objects.filter(action="solutions.component_remove").count() == 1


def test_the_solutions_business_plans_follow_its_confirmed_partners(world):
    import datetime

    from partners.plans.models import BusinessPlan
    from partners.plans.services import plan_create

    a = world.a
    solution = propose(a)
    with staff(world):
        plan = plan_create(
            tenant=a.tenant,
            actor=a.owner,
            title="Retail plan",
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 12, 31),
            solution=solution,
        )
    component = invite(a, solution, a.partner2)
    with staff(world):
        assert BusinessPlan.objects.get(pk=plan.pk).team_partner_ids == [a.partner1.pk]  # invited is not confirmed

    accept(a, component, a.partner2, a.partner2_admin)
    with as_partner(a, a.partner2, a.partner2_admin):
        assert list(BusinessPlan.objects.values_list("pk", flat=True)) == [plan.pk]  # partner 2 now reads the plan

    with as_partner(a, a.partner1, a.partner1_admin):
        services.component_remove(tenant=a.tenant, actor=a.partner1_admin, component=component, partner_id=a.partner1.pk)
    with as_partner(a, a.partner2, a.partner2_admin):
        assert not BusinessPlan.objects.exists()


# --- lifecycle -------------------------------------------------------------------------------------


def submit(world, solution):
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        return services.solution_submit(
            tenant=world.a.tenant, actor=world.a.partner1_admin, solution=solution, partner_id=world.a.partner1.pk
        )


def test_submitting_waits_for_every_invited_partner_to_answer(world):
    solution = propose(world.a)
    component = invite(world.a, solution, world.a.partner2)

    with pytest.raises(ConflictError) as refused:
        submit(world, solution)
    assert refused.value.code == "invitations_open"
    assert reload(world, solution).status == SolutionStatus.DRAFT

    accept(world.a, component, world.a.partner2, world.a.partner2_admin)
    assert submit(world, solution).status == SolutionStatus.PROPOSED


def test_a_solution_without_a_confirmed_component_cannot_be_submitted_or_approved(world):
    with staff(world):
        solution = services.solution_create(tenant=world.a.tenant, actor=world.a.manager, values={"name": "Vendor bundle"})
        with pytest.raises(ConflictError) as refused:
            services.solution_approve(tenant=world.a.tenant, actor=world.a.manager, solution=solution)
    assert refused.value.code == "no_confirmed_component"
    assert solution.orchestrator_user_id == world.a.manager.pk and solution.team_partner_ids == []


def test_the_manager_approves_a_proposal_into_market(world):
    solution = in_market(world.a)

    solution = reload(world, solution)
    assert solution.status == SolutionStatus.IN_MARKET and solution.launched_at is not None
    with staff(world):
        assert AuditEntry.objects.filter(action="solutions.approve", object_id=str(solution.public_id)).exists()


def test_declining_a_proposal_sends_it_back_to_draft_with_the_reason_the_partner_reads(world):
    solution = propose(world.a)
    submit(world, solution)

    with staff(world):
        with pytest.raises(ApplicationError) as no_reason:
            services.solution_decline(tenant=world.a.tenant, actor=world.a.manager, solution=solution, reason=" ")
        services.solution_decline(tenant=world.a.tenant, actor=world.a.manager, solution=solution, reason="Add a distributor.")
    assert no_reason.value.field == "reason"
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        seen = selectors.access_solution(tenant=world.a.tenant, public_id=solution.public_id, partner_id=world.a.partner1.pk)
    assert (seen.status, seen.decision_reason) == (SolutionStatus.DRAFT, "Add a distributor.")


def test_a_partner_cannot_change_a_proposed_solution(world):
    solution = propose(world.a)
    submit(world, solution)
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin), pytest.raises(ConflictError) as refused:
        services.solution_update(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            solution=solution,
            values={"name": "Renamed"},
            partner_id=world.a.partner1.pk,
        )
    assert refused.value.code == "solution_not_draft"
    assert reload(world, solution).name == "Retail cloud in a box"


def test_retiring_takes_the_solution_out_of_the_catalogue(world):
    solution = in_market(world.a)
    with staff(world):
        services.solution_retire(tenant=world.a.tenant, actor=world.a.manager, solution=solution, reason="Replaced")
        with pytest.raises(ConflictError):
            services.solution_retire(tenant=world.a.tenant, actor=world.a.manager, solution=solution)
    with as_partner(world.a, world.a.partner2, world.a.partner2_admin):
        assert selectors.catalogue(tenant=world.a.tenant) == []
    assert reload(world, solution).status == SolutionStatus.RETIRED


# --- the selectors other areas use ---------------------------------------------------------------


def test_solutions_of_partner_are_the_in_market_ones_with_its_accepted_component(world):
    solution = in_market(world.a)
    draft = propose(world.a, name="Another draft")
    invite(world.a, draft, world.a.partner2, role="consulting")  # invited only

    with staff(world):
        assert list(selectors.solutions_of_partner(partner_id=world.a.partner2.pk)) == [solution]
        assert list(selectors.solutions_of_partner(partner_id=world.a.partner1.pk)) == [solution]
        assert selectors.solution_partner_ids(solution=solution) == sorted([world.a.partner1.pk, world.a.partner2.pk])
        assert selectors.solution_partner_ids(solution=draft) == [world.a.partner1.pk]


def test_the_catalogue_shows_public_fields_to_any_partner(world):
    partner3, admin3 = partner3_of(world.a)
    in_market(world.a)
    propose(world.a, name="Secret draft")

    with as_partner(world.a, partner3, admin3):
        entries = selectors.catalogue(tenant=world.a.tenant)
        filtered = selectors.catalogue(tenant=world.a.tenant, filters={"region": "apac"})
    assert [e.name for e in entries] == ["Retail cloud in a box"]
    assert [(c.partner_name, c.role_label) for c in entries[0].components] == [
        ("Alpha Reseller", "SI implementation"),
        ("Alpha MSP", "MSP managed service"),
    ]
    assert filtered == []


def test_the_other_tenant_sees_nothing(world):
    solution = in_market(world.a)
    with tenant_context(world.b.tenant.pk, user_id=world.b.owner.pk):
        assert not JointSolution.objects.exists()
        with pytest.raises(NotFoundError):
            selectors.access_solution(tenant=world.b.tenant, public_id=solution.public_id)
