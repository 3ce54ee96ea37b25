"""Campaign tagging on deal registrations: a partner picks one of its OWN approved campaigns when it registers
(portal form and API); another partner's campaign, or one not approved, is a field error and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from deals.models import DealRegistration
from deals.tests.support import product_lines_for, registration_values, submit_as
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context

from .support import budget_for, funded, request_as

API = "/api/v1/t/alpha/my-registrations/"


@pytest.fixture(autouse=True)
def setup(world):
    cache.clear()
    product_lines_for(world.a.tenant)
    budget_for(world.a, "10000", allocations={world.a.partner1: "3000", world.a.partner2: "3000"})


def registrations(world) -> list[DealRegistration]:
    with tenant_context(world.a.tenant.pk):
        return list(DealRegistration.objects.order_by("id"))


def form_data(**overrides) -> dict:
    return {k: v for k, v in registration_values(**overrides).items() if v is not None}


def test_a_registration_submitted_with_the_partners_own_approved_campaign_is_tagged(world):
    a = world.a
    campaign = funded(a, a.partner1, a.partner1_admin, title="Summit booth")
    registration = submit_as(a.tenant, a.partner1, a.partner1_admin, mdf_request=str(campaign.public_id)).registration
    assert registration.mdf_request_id == campaign.pk


@pytest.mark.parametrize("which", ["other_partner", "not_approved", "not_a_uuid"])
def test_a_campaign_that_is_not_the_partners_own_approved_one_is_a_field_error(world, which):
    a = world.a
    campaign = {
        "other_partner": lambda: funded(a, a.partner2, a.partner2_admin).public_id,
        "not_approved": lambda: request_as(a, a.partner1, a.partner1_admin).public_id,
        "not_a_uuid": lambda: "summit",
    }[which]()
    with pytest.raises(ApplicationError) as refused:
        submit_as(a.tenant, a.partner1, a.partner1_admin, mdf_request=str(campaign))
    assert (refused.value.field, refused.value.code) == ("mdf_request", "invalid_choice")
    assert registrations(world) == []


def test_the_portal_form_offers_only_the_partners_own_approved_campaigns_and_tags_the_deal(client, world):
    a = world.a
    own = funded(a, a.partner1, a.partner1_admin, title="Own summit booth")
    waiting = request_as(a, a.partner1, a.partner1_admin, title="Own waiting webinar")
    other = funded(a, a.partner2, a.partner2_admin, title="Other partner roadshow")
    client.force_login(a.partner1_admin)
    register = reverse("partner_deals:register", kwargs={"tenant_slug": "alpha"})

    page = client.get(register).content.decode()
    assert "Own summit booth" in page and "Own waiting webinar" not in page and "Other partner roadshow" not in page

    refused = client.post(register, form_data(mdf_request=str(other.public_id)))
    assert refused.status_code == 400 and "Initech Inc." in refused.content.decode() and registrations(world) == []
    assert client.post(register, form_data(mdf_request=str(waiting.public_id))).status_code == 400

    response = client.post(register, form_data(mdf_request=str(own.public_id)))
    [registration] = registrations(world)
    assert response.status_code == 302 and registration.mdf_request_id == own.pk


def test_the_api_tags_a_registration_and_refuses_another_partners_campaign(client, world):
    a = world.a
    own = funded(a, a.partner1, a.partner1_admin)
    other = funded(a, a.partner2, a.partner2_admin)
    client.force_login(a.partner1_admin)

    refused = client.post(API, json.dumps(registration_values(mdf_request=str(other.public_id))), content_type="application/json")
    assert (refused.status_code, refused.json()["attr"], refused.json()["code"]) == (400, "mdf_request", "invalid_choice")
    assert registrations(world) == []

    created = client.post(API, json.dumps(registration_values(mdf_request=str(own.public_id))), content_type="application/json")
    assert created.status_code == 201
    assert registrations(world)[0].mdf_request_id == own.pk


def test_a_registration_without_a_campaign_is_untagged(world):
    a = world.a
    registration = submit_as(a.tenant, a.partner1, a.partner1_admin).registration
    assert registration.mdf_request_id is None
