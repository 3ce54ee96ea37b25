"""Campaign tagging of leads: a manager tags a lead with an approved MDF campaign of the lead's partner, a
partner only with its own; anything else is a field error (the page keeps the choice, the API answers 400
with the envelope) and nothing changes. A tagged lead counts on the campaign page, and its campaign carries
to the registration when the partner converts the lead."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from deals import leads
from deals.models import DealRegistration, Lead
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.mdf.tests.support import budget_for, funded, request_as
from partners.models import PartnerOrganization

from .support import product_lines_for


@pytest.fixture(autouse=True)
def setup(world):
    cache.clear()
    product_lines_for(world.a.tenant)
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk__in=[world.a.partner1.pk, world.a.partner2.pk]).update(regions=["emea"])
    budget_for(world.a, "10000", allocations={world.a.partner1: "3000", world.a.partner2: "3000"})


@pytest.fixture
def offered(world) -> Lead:
    """A lead offered to partner 1 by a manager."""
    with tenant_context(world.a.tenant.pk):
        lead = leads.lead_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            values={"company_name": "Initech Inc.", "domain": "initech.example", "region": "emea", "product_lines": ["compute"]},
        )
        leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=world.a.partner1)
    return lead


@pytest.fixture
def campaigns(world) -> dict:
    a = world.a
    return {
        "own": funded(a, a.partner1, a.partner1_admin, title="Own summit booth"),
        "waiting": request_as(a, a.partner1, a.partner1_admin, title="Own waiting webinar"),
        "other": funded(a, a.partner2, a.partner2_admin, title="Other partner roadshow"),
    }


def tag_of(world, lead) -> int | None:
    with tenant_context(world.a.tenant.pk):
        return Lead.objects.get(pk=lead.pk).mdf_request_id


def url(name, lead, slug="alpha") -> str:
    return reverse(name, kwargs={"tenant_slug": slug, "lead_id": lead.public_id})


# --- the service -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["other", "waiting", "not_a_uuid"])
def test_a_manager_cannot_tag_a_lead_with_a_campaign_that_is_not_an_approved_one_of_its_partner(world, offered, campaigns, which):
    value = "summit" if which == "not_a_uuid" else str(campaigns[which].public_id)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as refused:
        leads.lead_campaign_set(tenant=world.a.tenant, actor=world.a.manager, lead=offered, mdf_request=value)
    assert (refused.value.field, refused.value.code) == ("mdf_request", "invalid_choice")
    assert tag_of(world, offered) is None


def test_a_lead_without_a_partner_cannot_be_tagged(world, campaigns):
    with tenant_context(world.a.tenant.pk):
        lead = leads.lead_create(tenant=world.a.tenant, actor=world.a.manager, values={"company_name": "Hooli"})
        with pytest.raises(ApplicationError) as refused:
            leads.lead_campaign_set(
                tenant=world.a.tenant, actor=world.a.manager, lead=lead, mdf_request=str(campaigns["own"].public_id)
            )
    assert (refused.value.field, refused.value.code) == ("mdf_request", "no_partner")
    assert tag_of(world, lead) is None


def test_offering_a_tagged_lead_to_another_partner_drops_the_first_partners_campaign(world, offered, campaigns):
    a = world.a
    with tenant_context(a.tenant.pk):
        leads.lead_campaign_set(tenant=a.tenant, actor=a.manager, lead=offered, mdf_request=str(campaigns["own"].public_id))
        assert Lead.objects.get(pk=offered.pk).mdf_request_id == campaigns["own"].pk
        leads.lead_offer_manual(tenant=a.tenant, actor=a.manager, lead=offered, partner=a.partner2)
    assert tag_of(world, offered) is None


# --- vendor portal -----------------------------------------------------------------------------


def test_a_manager_tags_a_lead_and_a_foreign_campaign_keeps_the_page_with_the_error(client, world, offered, campaigns):
    client.force_login(world.a.manager)
    page = client.get(url("leads:detail", offered)).content.decode()
    assert "Own summit booth" in page and "Own waiting webinar" not in page and "Other partner roadshow" not in page

    other = str(campaigns["other"].public_id)
    refused = client.post(url("leads:campaign", offered), {"mdf_request": other})
    body = refused.content.decode()
    assert refused.status_code == 400 and 'data-testid="campaign-error"' in body and "Alpha Reseller" in body
    assert tag_of(world, offered) is None

    response = client.post(url("leads:campaign", offered), {"mdf_request": str(campaigns["own"].public_id)})
    assert response.status_code == 302 and tag_of(world, offered) == campaigns["own"].pk
    page = client.get(url("leads:detail", offered)).content.decode()
    assert 'data-testid="lead-campaign">Own summit booth<' in page


def test_an_analyst_cannot_tag_a_lead(client, world, offered, campaigns):
    client.force_login(world.a.analyst)
    assert client.post(url("leads:campaign", offered), {"mdf_request": str(campaigns["own"].public_id)}).status_code == 403
    assert tag_of(world, offered) is None


def test_the_campaign_page_counts_the_tagged_lead(client, world, offered, campaigns):
    client.force_login(world.a.manager)
    client.post(url("leads:campaign", offered), {"mdf_request": str(campaigns["own"].public_id)})
    export = client.get(reverse("mdf:campaigns", kwargs={"tenant_slug": "alpha"}) + "?export=csv")
    rows = {line.split(",")[2]: line.split(",") for line in export.content.decode().splitlines()[1:]}
    assert rows["Own summit booth"][10] == "1"  # tagged_leads
    assert rows["Other partner roadshow"][10] == "0"


# --- partner portal ----------------------------------------------------------------------------


def test_a_partner_tags_its_lead_only_with_its_own_approved_campaign(client, world, offered, campaigns):
    client.force_login(world.a.partner1_rep)
    page = client.get(url("partner_leads:detail", offered)).content.decode()
    assert "Own summit booth" in page and "Other partner roadshow" not in page and "Own waiting webinar" not in page

    for bad in ("other", "waiting"):
        refused = client.post(url("partner_leads:campaign", offered), {"mdf_request": str(campaigns[bad].public_id)})
        assert refused.status_code == 400 and 'data-testid="campaign-error"' in refused.content.decode()
    assert tag_of(world, offered) is None

    assert (
        client.post(url("partner_leads:campaign", offered), {"mdf_request": str(campaigns["own"].public_id)}).status_code == 302
    )
    assert tag_of(world, offered) == campaigns["own"].pk
    assert client.post(url("partner_leads:campaign", offered), {"mdf_request": ""}).status_code == 302
    assert tag_of(world, offered) is None


def test_the_other_partner_cannot_tag_a_lead_it_was_never_offered(client, world, offered, campaigns):
    client.force_login(world.a.partner2_admin)
    response = client.post(url("partner_leads:campaign", offered), {"mdf_request": str(campaigns["other"].public_id)})
    assert response.status_code == 404 and tag_of(world, offered) is None


def test_the_leads_campaign_carries_to_the_registration_when_the_partner_converts_it(client, world, offered, campaigns):
    a = world.a
    with tenant_context(a.tenant.pk):
        leads.lead_campaign_set(tenant=a.tenant, actor=a.manager, lead=offered, mdf_request=str(campaigns["own"].public_id))
    client.force_login(a.partner1_admin)
    client.post(url("partner_leads:accept", offered))
    form = client.get(url("partner_leads:convert", offered)).content.decode()
    assert f'value="{campaigns["own"].public_id}" selected' in form
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    values = {
        "customer_domain": "initech.example",
        "contact_name": "Bill",
        "product_lines": ["compute"],
        "value": "1000",
        "currency": "USD",
        "expected_close_date": due,
        "stage": "proposal",
    }
    assert client.post(url("partner_leads:convert", offered), values).status_code == 302
    with tenant_context(a.tenant.pk):
        registration = DealRegistration.objects.get()
    assert registration.mdf_request_id == campaigns["own"].pk


# --- API ---------------------------------------------------------------------------------------


def api(path: str, lead) -> str:
    return f"/api/v1/t/alpha/{path}/{lead.public_id}/campaign/"


def test_the_staff_api_tags_a_lead_and_refuses_another_partners_campaign_with_the_envelope(client, world, offered, campaigns):
    client.force_login(world.a.manager)
    refused = client.post(
        api("leads", offered), json.dumps({"mdf_request": str(campaigns["other"].public_id)}), content_type="application/json"
    )
    assert refused.status_code == 400
    assert (refused.json()["attr"], refused.json()["code"]) == ("mdf_request", "invalid_choice")
    assert tag_of(world, offered) is None

    done = client.post(
        api("leads", offered), json.dumps({"mdf_request": str(campaigns["own"].public_id)}), content_type="application/json"
    )
    assert done.status_code == 200
    assert (done.json()["mdf_request"], done.json()["mdf_request_title"]) == (str(campaigns["own"].public_id), "Own summit booth")

    cleared = client.post(api("leads", offered), json.dumps({"mdf_request": None}), content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["mdf_request"] is None and tag_of(world, offered) is None


def test_the_partner_api_tags_with_its_own_campaign_and_refuses_anothers(client, world, offered, campaigns):
    client.force_login(world.a.partner1_admin)
    refused = client.post(
        api("my-leads", offered), json.dumps({"mdf_request": str(campaigns["other"].public_id)}), content_type="application/json"
    )
    assert (refused.status_code, refused.json()["attr"], refused.json()["code"]) == (400, "mdf_request", "invalid_choice")
    done = client.post(
        api("my-leads", offered), json.dumps({"mdf_request": str(campaigns["own"].public_id)}), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["mdf_request"] == str(campaigns["own"].public_id)
    assert tag_of(world, offered) == campaigns["own"].pk
