"""The profile step is done by filling in the partner's profile, not by ticking a box."""

from __future__ import annotations

import pytest

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding import services
from onboarding.models import OnboardingStep, OnboardingTemplate, OnboardingTemplateStep
from partners.models import Capability, PartnerOrganization


@pytest.fixture
def profile_step(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        Capability.objects.create(tenant=tenant, name="Security", slug="security")
        template = OnboardingTemplate.objects.create(tenant=tenant, name="Profile only")
        OnboardingTemplateStep.objects.create(
            tenant=tenant, template=template, position=1, kind="profile", title="Complete your profile"
        )
        plan = services.plan_create_for_partner(tenant=tenant, actor=None, partner=world.a.partner1)
        return OnboardingStep.objects.get(plan=plan)


def test_filling_the_profile_completes_the_step_and_stores_the_profile(client, world, profile_step):
    client.force_login(world.a.partner1_admin)
    response = client.post(
        f"/p/alpha/onboarding/steps/{profile_step.public_id}/",
        {"description": "We secure mid-market cloud estates.", "regions": ["emea", "na"], "capabilities": ["security"]},
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        partner = PartnerOrganization.objects.get(pk=world.a.partner1.pk)
        step = OnboardingStep.objects.get(pk=profile_step.pk)
    assert (partner.description, partner.regions, partner.capabilities) == (
        "We secure mid-market cloud estates.",
        ["emea", "na"],
        ["security"],
    )
    assert step.status == "done"


def test_an_empty_description_is_refused_and_the_choices_are_kept(client, world, profile_step):
    client.force_login(world.a.partner1_admin)
    response = client.post(f"/p/alpha/onboarding/steps/{profile_step.public_id}/", {"description": " ", "regions": ["apac"]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tell us about your company." in body
    assert 'value="apac" checked' in body
    with tenant_context(world.a.tenant.pk):
        assert OnboardingStep.objects.get(pk=profile_step.pk).status == "todo"


def test_the_profile_step_cannot_be_ticked_off(world, profile_step):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.step_complete(tenant=world.a.tenant, actor=world.a.partner1_admin, step=profile_step)
    assert error.value.code == "wrong_step_kind"
