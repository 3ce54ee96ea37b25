"""``onboarding-steps/<id>/review/``: a manager decides a high-risk security review through the API."""

from __future__ import annotations

from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context
from onboarding import services
from onboarding.models import OnboardingStep, StepStatus
from tests.fixtures import onboarding_plan_for

from .support import SECURITY_REVIEW, answers_for, step_of

BASE = "/api/v1/t/alpha/onboarding-steps/"


def waiting_review(world) -> OnboardingStep:
    """Partner 1's security review, answered at high risk: it waits for a manager."""
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        return services.security_review_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            step=step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW),
            answers=answers_for(world.a.tenant, no=2),
        )


def status_of(world, step) -> str:
    with tenant_context(world.a.tenant.pk):
        return OnboardingStep.objects.get(pk=step.pk).status


def test_a_manager_sends_a_review_back_with_the_reason(client, world):
    step = waiting_review(world)
    client.force_login(world.a.manager)
    response = client.post(
        BASE + f"{step.public_id}/review/", {"decision": "return", "reason": "Old pen test."}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == StepStatus.REJECTED == status_of(world, step)


def test_a_write_key_approves_a_review_and_a_second_decision_is_refused(client, world):
    step = waiting_review(world)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="GRC", scope="write")
    key = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    body = {"decision": "approve", "reason": "Controls checked."}
    response = client.post(BASE + f"{step.public_id}/review/", body, content_type="application/json", **key)
    assert response.status_code == 200, response.content
    assert status_of(world, step) == StepStatus.DONE
    again = client.post(BASE + f"{step.public_id}/review/", body, content_type="application/json", **key)
    assert (again.status_code, again.json()["code"]) == (400, "not_in_review")


def test_a_decision_needs_a_reason_and_an_analyst_may_not_decide(client, world):
    step = waiting_review(world)
    client.force_login(world.a.manager)
    missing = client.post(BASE + f"{step.public_id}/review/", {"decision": "approve"}, content_type="application/json")
    assert (missing.status_code, missing.json()["attr"]) == (400, "reason")
    client.force_login(world.a.analyst)
    body = {"decision": "approve", "reason": "Fine."}
    assert client.post(BASE + f"{step.public_id}/review/", body, content_type="application/json").status_code == 403
    assert status_of(world, step) == StepStatus.WAITING_FOR_REVIEW


def test_a_partner_user_cannot_reach_the_staff_step_resource(client, world):
    step = waiting_review(world)
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE + f"{step.public_id}/").status_code == 404
