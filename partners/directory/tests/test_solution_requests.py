"""Collaboration requests about a joint solution: who may ask, in which role, and what accepting does."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_context
from partners.directory import selectors, services
from partners.directory.models import CollaborationRequest
from partners.solutions import services as solution_services
from partners.solutions.models import JointSolution, SolutionComponent
from partners.solutions.tests.support import accept, as_partner, in_market, invite, propose

from .support import profile_for, third_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def p3(world):
    """A third partner, an SI with an admin, published in the directory."""
    partner, admin = third_partner(world.a)
    profile_for(partner)
    return partner, admin


def _ask(world, to, solution, *, role="consulting", sender=None, actor=None):
    sender = sender or world.a.partner1
    with tenant_context(world.a.tenant.pk, partner_id=sender.pk):
        return services.collaboration_request(
            tenant=world.a.tenant,
            actor=actor or world.a.partner1_admin,
            from_partner=sender,
            to_partner=to,
            subject_kind="solution",
            subject=solution,
            message="Join us?",
            component_role=role,
        )


def _answer(world, partner, admin, request, *, accept=True):
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
        return services.collaboration_answer(
            tenant=world.a.tenant, actor=admin, partner_id=partner.pk, collaboration=request, accept=accept
        )


def _components(world, solution) -> list[tuple[int, str, str]]:
    with tenant_context(world.a.tenant.pk):
        return sorted(SolutionComponent.objects.filter(solution=solution).values_list("partner_id", "role", "status"), key=str)


def _reads(world, partner, solution) -> bool:
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
        return JointSolution.objects.filter(pk=solution.pk).exists()


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


# --- who may ask, about what ------------------------------------------------------------------------


def test_accepting_adds_the_receiver_as_an_accepted_component_in_the_role_asked(world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    request = _ask(world, partner3, solution, role="msp_managed_service")
    assert (request.subject_label, request.component_role) == ("Retail cloud in a box", "msp_managed_service")
    assert not _reads(world, partner3, solution)  # asking shares the name, not the solution

    accepted = _answer(world, partner3, admin3, request)

    assert accepted.status == "accepted"
    with tenant_context(world.a.tenant.pk):
        component = SolutionComponent.objects.get(solution=solution, partner=partner3)
        solution.refresh_from_db()
        arrays = set(map(tuple, SolutionComponent.objects.filter(solution=solution).values_list("team_partner_ids", flat=True)))
        actions = list(AuditEntry.objects.filter(tenant=world.a.tenant).values_list("action", flat=True))
    assert (component.role, component.status) == ("msp_managed_service", "accepted")
    assert component.responded_at is not None
    assert accepted.solution_component_id == component.pk
    assert solution.team_partner_ids == sorted([world.a.partner1.pk, partner3.pk])
    assert arrays == {tuple(solution.team_partner_ids)}  # every component row carries the same team
    assert {"solutions.component_add", "solutions.component_accept", "directory.collaboration_accept"} <= set(actions)
    assert _reads(world, partner3, solution)  # it is on the team now


def test_a_sender_that_does_not_manage_the_solution_is_refused(world, p3):
    partner3, _ = p3
    solution = propose(world.a)
    accept(world.a, invite(world.a, solution, world.a.partner2), world.a.partner2, world.a.partner2_admin)
    profile_for(world.a.partner2)
    assert _reads(world, world.a.partner2, solution)  # a component partner reads it, but does not manage it
    with pytest.raises(ApplicationError) as error:
        _ask(world, partner3, solution, sender=world.a.partner2, actor=world.a.partner2_admin)
    assert (error.value.code, error.value.field) == ("not_solution_manager", "subject")
    with tenant_context(world.a.tenant.pk):
        assert not CollaborationRequest.objects.exists()


def test_a_retired_solution_is_refused(world, p3):
    partner3, _ = p3
    solution = propose(world.a)
    with tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk):
        solution_services.solution_retire(tenant=world.a.tenant, actor=world.a.manager, solution=solution)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):  # as the form and the API read it
        solution = selectors.collaboration_subject(
            tenant=world.a.tenant, partner_id=world.a.partner1.pk, kind="solution", public_id=str(solution.public_id)
        )
    with pytest.raises(ApplicationError) as error:
        _ask(world, partner3, solution)
    assert (error.value.code, error.value.field) == ("solution_retired", "subject")


def test_a_solution_past_draft_is_refused_because_its_partners_cannot_add_components(world, p3):
    partner3, _ = p3
    solution = in_market(world.a)
    with pytest.raises(ApplicationError) as error:
        _ask(world, partner3, solution)
    assert (error.value.code, error.value.field) == ("solution_not_draft", "subject")


def test_the_role_must_be_a_component_role(world, p3):
    partner3, _ = p3
    solution = propose(world.a)
    for role in ("", "implementation"):
        with pytest.raises(ApplicationError) as error:
            _ask(world, partner3, solution, role=role)
        assert (error.value.code, error.value.field) == ("invalid_choice", "component_role")


def test_the_subject_list_offers_only_the_drafts_the_sender_manages(world, p3):
    mine = propose(world.a, name="Mine")
    other = in_market(world.a, name="In market")
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        offered = dict(selectors.collaboration_subjects(tenant=world.a.tenant, partner_id=world.a.partner1.pk))
    assert str(mine.public_id) in offered
    assert str(other.public_id) not in offered
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        offered = dict(selectors.collaboration_subjects(tenant=world.a.tenant, partner_id=world.a.partner2.pk))
    assert str(other.public_id) not in offered  # partner 2 has a component in it but does not manage it


# --- answering -------------------------------------------------------------------------------------


def test_declining_changes_nothing_on_the_solution(world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    before = _components(world, solution)
    request = _ask(world, partner3, solution)
    declined = _answer(world, partner3, admin3, request, accept=False)
    assert declined.status == "declined" and declined.solution_component_id is None
    assert _components(world, solution) == before
    with tenant_context(world.a.tenant.pk):
        solution.refresh_from_db()
    assert solution.team_partner_ids == [world.a.partner1.pk]
    assert not _reads(world, partner3, solution)


def test_a_solution_submitted_since_the_request_fails_the_accept_and_changes_nothing(world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    request = _ask(world, partner3, solution)
    with as_partner(world.a, world.a.partner1, world.a.partner1_admin):
        solution_services.solution_submit(
            tenant=world.a.tenant, actor=world.a.partner1_admin, solution=solution, partner_id=world.a.partner1.pk
        )
    before = _components(world, solution)
    with pytest.raises(ConflictError) as error:
        _answer(world, partner3, admin3, request)
    assert error.value.code == "solution_not_draft"
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
    assert request.status == "pending"
    assert _components(world, solution) == before
    assert not _reads(world, partner3, solution)


def test_a_solution_retired_since_the_request_fails_the_accept(world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    request = _ask(world, partner3, solution)
    with tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk):
        solution_services.solution_retire(tenant=world.a.tenant, actor=world.a.manager, solution=solution)
    with pytest.raises(ConflictError) as error:
        _answer(world, partner3, admin3, request)
    assert error.value.code == "solution_retired"
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
    assert request.status == "pending"
    assert not any(partner == partner3.pk for partner, _role, _status in _components(world, solution))


def test_an_open_invitation_in_that_role_is_the_one_accepted(world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    invited = invite(world.a, solution, partner3, role="consulting")
    request = _ask(world, partner3, solution, role="consulting")
    accepted = _answer(world, partner3, admin3, request)
    assert accepted.solution_component_id == invited.pk
    assert (partner3.pk, "consulting", "accepted") in _components(world, solution)


# --- pages and API ---------------------------------------------------------------------------------


def test_form_offers_the_role_then_the_inbox_and_the_request_show_it(client, world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    client.force_login(world.a.partner1_admin)
    form = client.get(_url("partner_directory:collaboration_new") + f"?about=solution&id={solution.public_id}")
    body = form.content.decode()
    assert 'name="component_role"' in body and "MSP managed service" in body
    assert f'value="{solution.public_id}" selected' in body
    response = client.post(
        _url("partner_directory:collaboration_new"),
        {"to": str(partner3.public_id), "about": "solution", "subject": str(solution.public_id), "component_role": ""},
    )
    assert response.status_code == 400
    assert "Choose a role" in response.content.decode()
    response = client.post(
        _url("partner_directory:collaboration_new"),
        {
            "to": str(partner3.public_id),
            "about": "solution",
            "subject": str(solution.public_id),
            "component_role": "distributor_fulfilment",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        request = CollaborationRequest.objects.get()
    assert request.component_role == "distributor_fulfilment"
    client.force_login(admin3)
    inbox = client.get(_url("partner_directory:collaborations") + "?box=in").content.decode()
    assert "(Distributor fulfilment)" in inbox
    detail = client.get(_url("partner_directory:collaboration", collaboration_id=request.public_id)).content.decode()
    assert "Distributor fulfilment" in detail
    assert client.post(_url("partner_directory:collaboration_accept", collaboration_id=request.public_id)).status_code == 302
    assert (partner3.pk, "distributor_fulfilment", "accepted") in _components(world, solution)


def test_the_form_refuses_a_solution_the_sender_does_not_manage_next_to_the_field(client, world, p3):
    partner3, _ = p3
    solution = propose(world.a)
    accept(world.a, invite(world.a, solution, world.a.partner2), world.a.partner2, world.a.partner2_admin)
    client.force_login(world.a.partner2_admin)
    response = client.post(
        _url("partner_directory:collaboration_new"),
        {"to": str(partner3.public_id), "about": "solution", "subject": str(solution.public_id), "component_role": "consulting"},
    )
    assert response.status_code == 400
    assert "Only the partner that proposed or orchestrates a solution" in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert not CollaborationRequest.objects.exists()


def test_api_takes_the_component_role_and_the_accept_adds_the_component(client, world, p3):
    partner3, admin3 = p3
    solution = propose(world.a)
    client.force_login(world.a.partner1_admin)
    base = "/api/v1/t/alpha/my-collaborations/"
    body = {"to_partner": str(partner3.public_id), "subject_kind": "solution", "subject": str(solution.public_id)}
    refused = client.post(base, json.dumps({**body, "component_role": "nope"}), content_type="application/json")
    assert (refused.status_code, refused.json()["code"], refused.json()["attr"]) == (400, "invalid_choice", "component_role")
    created = client.post(base, json.dumps({**body, "component_role": "isv_product"}), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["component_role"] == "isv_product"
    client.force_login(admin3)
    accepted = client.post(f"{base}{created.json()['id']}/accept/", "{}", content_type="application/json")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert (partner3.pk, "isv_product", "accepted") in _components(world, solution)
    assert _reads(world, partner3, solution)


def test_accepting_emails_the_sender_and_not_a_solution_invitation_to_the_receiver(
    world, p3, mailoutbox, django_capture_on_commit_callbacks
):
    partner3, admin3 = p3
    solution = propose(world.a)
    request = _ask(world, partner3, solution)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, partner3, admin3, request)
    subjects = {mail.subject: mail.to for mail in mailoutbox}
    assert subjects["Alpha Integrator accepted your collaboration request"] == [world.a.partner1_admin.email]
    # the receiver confirmed the component by accepting: no "you are invited" email for it
    assert "You are invited to the joint solution Retail cloud in a box" not in subjects
    assert all(admin3.email not in to for to in subjects.values())
