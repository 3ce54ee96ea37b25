"""Deals and leads that reference a joint solution: who may, and the solution's partners joining the deal's team."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import leads
from deals.models import DealParticipant, DealRegistration, Lead, LeadOffer
from deals.registrations import registration_submit, solution_team_join
from deals.tests.support import product_lines_for, registration_values, rules_for, submit_as
from deals.workflow import registration_approve, registration_reject
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.solutions import selectors, services

from .support import accept, as_partner, in_market, invite, partner3_of, propose


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


@pytest.fixture
def solution(world):
    """In market: partner 1 (SI) and partner 2 (MSP) accepted, partner 3 (distributor) accepted too."""
    a = world.a
    partner3, admin3 = partner3_of(a)
    draft = propose(a)
    msp = invite(a, draft, a.partner2)
    accept(a, msp, a.partner2, a.partner2_admin)
    distributor = invite(a, draft, partner3, role="distributor_fulfilment")
    accept(a, distributor, partner3, admin3)
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        solution = services.solution_approve(tenant=a.tenant, actor=a.manager, solution=draft)
    solution.partner3 = partner3
    return solution


def team_of(world, registration) -> dict[int, tuple[str, str]]:
    with tenant_context(world.a.tenant.pk):
        return {p.partner_id: (p.role, p.status) for p in DealParticipant.objects.filter(registration=registration)}


def test_a_registration_for_the_solution_brings_its_partners_onto_the_deal_in_their_roles(world, solution):
    a = world.a
    submitted = submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id))

    registration = submitted.registration
    assert registration.joint_solution_id == solution.pk and registration.status == "pending"
    assert registration.solution == "Retail cloud in a box"  # the free text co-sellers read names it
    assert team_of(world, registration) == {
        a.partner1.pk: ("sourcing", "accepted"),
        a.partner2.pk: ("implementation", "accepted"),
        solution.partner3.pk: ("distribution", "accepted"),
    }
    with tenant_context(a.tenant.pk):
        assert sorted(DealRegistration.objects.get(pk=registration.pk).team_partner_ids) == sorted(
            [a.partner1.pk, a.partner2.pk, solution.partner3.pk]
        )
    # and partner 2 reads the deal as a co-seller
    with as_partner(a, a.partner2, a.partner2_admin):
        assert DealRegistration.objects.filter(pk=registration.pk).exists()


def test_joining_again_changes_nothing(world, solution):
    a = world.a
    registration = submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id)).registration
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        assert solution_team_join(tenant=a.tenant, actor=a.manager, registration=registration) == []
    assert len(team_of(world, registration)) == 3


def test_a_partner_not_in_the_solution_cannot_reference_it(world, solution):
    a = world.a
    # partner 2 declines nothing but proposes nothing: a fresh draft of partner 1 is not in market
    draft = propose(a, name="Still a draft")
    with pytest.raises(ApplicationError) as refused:
        submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(draft.public_id))
    assert (refused.value.code, refused.value.field) == ("invalid_choice", "joint_solution")
    with pytest.raises(ApplicationError) as garbage:
        submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution="not-an-id")
    assert garbage.value.field == "joint_solution"
    with tenant_context(a.tenant.pk):
        assert not DealRegistration.objects.exists()


def test_a_partner_outside_the_solution_cannot_reference_it(world):
    a = world.a
    solution = in_market(a)  # partner 1 and partner 2
    partner3, admin3 = partner3_of(a)
    values = registration_values(joint_solution=str(solution.public_id))
    with tenant_context(a.tenant.pk, partner_id=partner3.pk, user_id=admin3.pk), pytest.raises(ApplicationError) as refused:
        registration_submit(
            tenant=a.tenant,
            actor=admin3,
            partner_id=partner3.pk,
            values=values,
        )
    assert refused.value.field == "joint_solution"


def test_a_retired_solution_takes_no_new_deal(world, solution):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        services.solution_retire(tenant=a.tenant, actor=a.manager, solution=solution)
    with pytest.raises(ApplicationError) as refused:
        submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id))
    assert refused.value.field == "joint_solution"


def test_a_registration_under_review_gets_its_team_when_a_manager_approves_it(world, solution):
    a = world.a
    first = submit_as(
        a.tenant, a.partner2, a.partner2_admin, customer_name="Initech", joint_solution=str(solution.public_id)
    ).registration
    second = submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id)).registration

    assert second.status == "under_review"
    assert team_of(world, second) == {}

    # The manager settles the conflict for partner 1: the solution's team joins with the approval.
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        registration_reject(tenant=a.tenant, actor=a.manager, registration=first, reason="Partner 1 was first in talks.")
        registration_approve(tenant=a.tenant, actor=a.manager, registration=second)
    assert team_of(world, second) == {
        a.partner1.pk: ("sourcing", "accepted"),
        a.partner2.pk: ("implementation", "accepted"),
        solution.partner3.pk: ("distribution", "accepted"),
    }


def test_auto_approved_registrations_join_the_team_too(world, solution):
    a = world.a
    rules_for(a.tenant, auto_approve_below="1000000")
    registration = submit_as(a.tenant, a.partner2, a.partner2_admin, joint_solution=str(solution.public_id)).registration
    assert registration.status == "approved"
    assert team_of(world, registration)[a.partner1.pk] == ("implementation", "accepted")


def test_registrable_solutions_are_the_in_market_ones_the_partner_delivers(world, solution):
    a = world.a
    propose(a, name="A draft")
    with as_partner(a, a.partner2, a.partner2_admin):
        assert selectors.registrable_solutions(tenant=a.tenant, partner_id=a.partner2.pk) == [
            (str(solution.public_id), "Retail cloud in a box")
        ]


# --- the portal and the API ----------------------------------------------------------------------


def test_the_register_form_offers_the_solution_and_keeps_what_was_typed_on_a_bad_one(client, world, solution):
    a = world.a
    client.force_login(a.partner1_admin)
    url = reverse("partner_deals:register", kwargs={"tenant_slug": "alpha"})
    page = client.get(url)
    assert str(solution.public_id) in page.content.decode()

    draft = propose(a, name="Not yet")
    values = registration_values(joint_solution=str(draft.public_id), customer_name="Typed Customer")
    response = client.post(url, values)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Typed Customer" in body and "is-invalid" in body
    with tenant_context(a.tenant.pk):
        assert not DealRegistration.objects.exists()

    response = client.post(url, registration_values(joint_solution=str(solution.public_id)))
    assert response.status_code == 302
    with tenant_context(a.tenant.pk):
        registration = DealRegistration.objects.get()
    assert registration.joint_solution_id == solution.pk
    detail = client.get(
        reverse("partner_deals:detail", kwargs={"tenant_slug": "alpha", "registration_id": registration.public_id})
    )
    assert 'data-testid="joint-solution"' in detail.content.decode() and "Retail cloud in a box" in detail.content.decode()


def test_the_partner_api_registers_for_a_solution_and_says_which(client, world, solution):
    a = world.a
    client.force_login(a.partner1_admin)
    url = "/api/v1/t/alpha/my-registrations/"
    values = registration_values(joint_solution=str(solution.public_id))
    response = client.post(url, values, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["joint_solution"] == {"id": str(solution.public_id), "name": "Retail cloud in a box"}

    draft = propose(a, name="Not yet")
    response = client.post(
        url,
        registration_values(joint_solution=str(draft.public_id), customer_domain="other.example"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_choice", "joint_solution")


# --- leads ---------------------------------------------------------------------------------------


def offered_lead(world, solution, partner):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        lead = leads.lead_create(
            tenant=a.tenant,
            actor=a.manager,
            values={"company_name": "Globex", "domain": "globex.example", "joint_solution": str(solution.public_id)},
        )
        respond_by = timezone.now() + datetime.timedelta(hours=24)
        Lead.objects.filter(pk=lead.pk).update(status="accepted", offered_to=partner)
        LeadOffer.objects.create(tenant=a.tenant, lead=lead, partner=partner, respond_by=respond_by, status="accepted")
        return Lead.objects.get(pk=lead.pk)


def convert(world, lead, partner, user):
    a = world.a
    with as_partner(a, partner, user):
        return leads.lead_convert(
            tenant=a.tenant,
            actor=user,
            partner_id=partner.pk,
            lead=lead,
            values={
                "contact_name": "Hank Scorpio",
                "product_lines": ["compute"],
                "value": "1000",
                "currency": "USD",
                "expected_close_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            },
        )


def test_a_leads_solution_carries_to_the_registration_when_the_partner_delivers_it(world, solution):
    a = world.a
    lead = offered_lead(world, solution, a.partner2)
    assert lead.joint_solution_id == solution.pk

    submitted = convert(world, lead, a.partner2, a.partner2_admin)

    assert submitted.registration.joint_solution_id == solution.pk
    assert team_of(world, submitted.registration)[a.partner1.pk] == ("implementation", "accepted")


def test_a_leads_solution_is_left_out_when_the_partner_does_not_deliver_it(world):
    a = world.a
    solution = in_market(a)
    partner3, admin3 = partner3_of(a)
    lead = offered_lead(world, solution, partner3)

    submitted = convert(world, lead, partner3, admin3)

    assert submitted.registration.joint_solution_id is None


def test_staff_set_and_clear_a_leads_solution_and_bad_ids_are_refused(world, solution):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        lead = leads.lead_create(tenant=a.tenant, actor=a.manager, values={"company_name": "Umbrella"})
        leads.lead_solution_set(tenant=a.tenant, actor=a.manager, lead=lead, joint_solution=str(solution.public_id))
        assert Lead.objects.get(pk=lead.pk).joint_solution_id == solution.pk
        with pytest.raises(ApplicationError) as refused:
            leads.lead_solution_set(tenant=a.tenant, actor=a.manager, lead=lead, joint_solution="nope")
        assert refused.value.field == "joint_solution"
        leads.lead_solution_set(tenant=a.tenant, actor=a.manager, lead=lead, joint_solution="")
        assert Lead.objects.get(pk=lead.pk).joint_solution_id is None


def test_the_lead_api_creates_a_lead_for_a_solution(client, world, solution):
    client.force_login(world.a.manager)
    response = client.post(
        "/api/v1/t/alpha/leads/",
        {"company_name": "Initrode", "joint_solution": str(solution.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["joint_solution"]["id"] == str(solution.public_id)


def test_the_lead_page_sets_the_solution(client, world, solution):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        lead = leads.lead_create(tenant=a.tenant, actor=a.manager, values={"company_name": "Umbrella"})
    client.force_login(a.manager)
    detail = reverse("leads:detail", kwargs={"tenant_slug": "alpha", "lead_id": lead.public_id})
    assert str(solution.public_id) in client.get(detail).content.decode()
    response = client.post(
        reverse("solutions:lead_solution", kwargs={"tenant_slug": "alpha", "lead_id": lead.public_id}),
        {"joint_solution": str(solution.public_id)},
    )
    assert response.status_code == 302
    with tenant_context(a.tenant.pk):
        assert Lead.objects.get(pk=lead.pk).joint_solution_id == solution.pk


def test_the_lead_api_sets_and_clears_the_solution_of_a_lead(client, world, solution):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        lead = leads.lead_create(tenant=a.tenant, actor=a.manager, values={"company_name": "Umbrella"})
    client.force_login(a.manager)
    path = f"/api/v1/t/alpha/leads/{lead.public_id}/solution/"

    set_ = client.post(path, {"joint_solution": str(solution.public_id)}, content_type="application/json")
    draft = propose(a, name="Draft")
    refused = client.post(path, {"joint_solution": str(draft.public_id)}, content_type="application/json")

    assert set_.status_code == 200 and set_.json()["joint_solution"]["name"] == "Retail cloud in a box"
    assert (refused.status_code, refused.json()["attr"]) == (400, "joint_solution")
    cleared = client.post(path, {"joint_solution": None}, content_type="application/json")
    assert cleared.json()["joint_solution"] is None


def test_the_convert_form_offers_the_leads_solution_to_a_partner_that_delivers_it(client, world, solution):
    lead = offered_lead(world, solution, world.a.partner2)
    client.force_login(world.a.partner2_admin)
    page = client.get(reverse("partner_leads:convert", kwargs={"tenant_slug": "alpha", "lead_id": lead.public_id}))
    assert f'<option value="{solution.public_id}" selected>' in page.content.decode()


def test_a_manager_brings_the_solution_team_onto_a_registration_approved_after_review(client, world, solution):
    from deals.workflow import registration_approve, registration_reject

    a = world.a
    first = submit_as(a.tenant, a.partner2, a.partner2_admin, customer_name="Initech").registration
    second = submit_as(a.tenant, a.partner1, a.partner1_admin, joint_solution=str(solution.public_id)).registration
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        from deals.workflow import registration_reject

        registration_reject(tenant=a.tenant, actor=a.manager, registration=first, reason="Lost to the other")
        registration_approve(tenant=a.tenant, actor=a.manager, registration=second)
    client.force_login(a.manager)
    page = client.get(reverse("deals:registration", kwargs={"tenant_slug": "alpha", "registration_id": second.public_id}))
    assert 'data-testid="solution-team-join"' in page.content.decode()

    client.post(reverse("solutions:registration_team", kwargs={"tenant_slug": "alpha", "registration_id": second.public_id}))

    assert team_of(world, second)[a.partner2.pk] == ("implementation", "accepted")
    assert team_of(world, second)[solution.partner3.pk] == ("distribution", "accepted")
