"""Lead pages and API: roles, ownership (other partner and other tenant: 404, nothing changed), forms that
keep what was typed, and Idempotency-Key on creating."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import leads
from deals.models import DealRegistration, Lead, LeadOffer
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization

from .support import product_lines_for


@pytest.fixture(autouse=True)
def setup(world):
    product_lines_for(world.a.tenant)
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk__in=[world.a.partner1.pk, world.a.partner2.pk]).update(regions=["emea"])


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


def state(world, lead) -> tuple:
    with tenant_context(world.a.tenant.pk):
        lead = Lead.objects.get(pk=lead.pk)
        return (
            lead.status,
            lead.offered_to_id,
            list(LeadOffer.objects.filter(lead=lead).order_by("id").values_list("status", flat=True)),
        )


def url(name, lead=None, slug="alpha") -> str:
    return reverse(name, kwargs={"tenant_slug": slug, **({"lead_id": lead.public_id} if lead else {})})


def test_a_manager_creates_a_lead_and_a_bad_field_keeps_what_was_typed(client, world):
    client.force_login(world.a.manager)
    response = client.post(url("leads:create"), {"company_name": "Globex", "domain": "not a domain!", "region": "emea"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Globex"' in body and "invalid-feedback" in body

    response = client.post(url("leads:create"), {"company_name": "Globex", "domain": "globex.example", "region": "emea"})
    with tenant_context(world.a.tenant.pk):
        lead = Lead.objects.get(company_name="Globex")
    assert response.status_code == 302 and response["Location"] == url("leads:detail", lead)


def test_routing_from_the_lead_page_shows_the_offer_and_why(client, world):
    with tenant_context(world.a.tenant.pk):
        lead = leads.lead_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            values={"company_name": "Hooli", "region": "emea", "partner_type": "msp"},
        )
    client.force_login(world.a.manager)
    client.post(url("leads:route", lead))
    page = client.get(url("leads:detail", lead)).content.decode()
    assert state(world, lead) == ("offered", world.a.partner2.pk, ["offered"])
    assert "Alpha MSP" in page and "Picked by weight from 1 matching partner" in page
    listing = client.get(url("leads:list") + "?status=offered&region=emea").content.decode()
    assert "Hooli" in listing and "left" in listing  # the SLA countdown


def test_an_analyst_reads_leads_but_cannot_create_route_or_withdraw(client, world, offered):
    client.force_login(world.a.analyst)
    assert client.get(url("leads:detail", offered)).status_code == 200
    assert client.get(url("leads:create")).status_code == 403
    assert client.post(url("leads:withdraw", offered)).status_code == 403
    assert state(world, offered) == ("offered", world.a.partner1.pk, ["offered"])


def test_offering_to_nobody_keeps_the_page_with_the_error(client, world, offered):
    client.force_login(world.a.manager)
    response = client.post(url("leads:offer", offered), {"partner": "", "note": "Best in region"})
    assert response.status_code == 400
    assert (
        "Choose a partner from the list." in response.content.decode() and 'value="Best in region"' in response.content.decode()
    )


def test_the_offered_partner_sees_accepts_and_converts_the_lead(client, world, offered):
    client.force_login(world.a.partner1_rep)
    assert "Initech Inc." in client.get(url("partner_leads:list")).content.decode()
    assert client.post(url("partner_leads:accept", offered)).status_code == 302
    form = client.get(url("partner_leads:convert", offered))
    assert form.status_code == 200 and 'value="initech.example"' in form.content.decode()

    bad = client.post(
        url("partner_leads:convert", offered),
        {
            "customer_domain": "initech.example",
            "contact_name": "Bill",
            "product_lines": ["compute"],
            "value": "lots",
            "currency": "USD",
            "expected_close_date": "2099-01-01",
            "stage": "proposal",
        },
    )
    assert bad.status_code == 400 and 'value="lots"' in bad.content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    client.post(
        url("partner_leads:convert", offered),
        {
            "customer_domain": "initech.example",
            "contact_name": "Bill",
            "product_lines": ["compute"],
            "value": "1000",
            "currency": "USD",
            "expected_close_date": due,
            "stage": "proposal",
        },
    )
    with tenant_context(world.a.tenant.pk):
        registration = DealRegistration.objects.get()
    assert state(world, offered)[0] == "converted" and registration.partner_id == world.a.partner1.pk


def test_declining_without_a_reason_keeps_the_page_then_the_lead_leaves_the_partner(client, world, offered):
    client.force_login(world.a.partner1_admin)
    response = client.post(url("partner_leads:decline", offered), {"reason": ""})
    assert response.status_code == 400 and "Say why you decline" in response.content.decode()
    client.post(url("partner_leads:decline", offered), {"reason": "Too small"})
    assert state(world, offered) == ("offered", world.a.partner2.pk, ["declined", "offered"])
    assert client.get(url("partner_leads:detail", offered)).status_code == 404
    assert "Initech" not in client.get(url("partner_leads:list")).content.decode()


def test_the_other_partner_and_the_other_tenant_get_404_and_change_nothing(client, world, offered):
    before = state(world, offered)
    client.force_login(world.a.partner2_admin)
    for name in ("partner_leads:detail", "partner_leads:convert"):
        assert client.get(url(name, offered)).status_code == 404
    for name in ("partner_leads:accept", "partner_leads:decline"):
        assert client.post(url(name, offered), {"reason": "x"}).status_code == 404
    client.force_login(world.b.owner)
    assert client.get(url("leads:detail", offered, slug="beta")).status_code == 404
    assert client.post(url("leads:withdraw", offered, slug="beta")).status_code == 404
    assert state(world, offered) == before


def api(client, method, path, body=None, **headers):
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_api_create_honours_the_idempotency_key_and_the_partner_reads_only_its_leads(client, world, offered):
    client.force_login(world.a.manager)
    body = {"company_name": "Umbrella", "region": "apac"}
    first = api(client, "POST", "/api/v1/t/alpha/leads/", body, **{"Idempotency-Key": "lead-1"})
    again = api(client, "POST", "/api/v1/t/alpha/leads/", body, **{"Idempotency-Key": "lead-1"})
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json()["id"] == again.json()["id"]
    with tenant_context(world.a.tenant.pk):
        assert Lead.objects.filter(company_name="Umbrella").count() == 1
    detail = api(client, "GET", f"/api/v1/t/alpha/leads/{offered.public_id}/").json()
    assert detail["offers"][0]["routing"]["rule"] == "manual"

    client.force_login(world.a.partner2_admin)
    assert api(client, "GET", "/api/v1/t/alpha/my-leads/").json()["results"] == []
    assert api(client, "POST", f"/api/v1/t/alpha/my-leads/{offered.public_id}/accept/").status_code == 404
    client.force_login(world.a.partner1_admin)
    [mine] = api(client, "GET", "/api/v1/t/alpha/my-leads/").json()["results"]
    assert mine["id"] == str(offered.public_id) and "routing" not in mine
    declined = api(client, "POST", f"/api/v1/t/alpha/my-leads/{offered.public_id}/decline/", {"reason": "Busy"})
    assert declined.status_code == 204
    assert api(client, "GET", f"/api/v1/t/alpha/my-leads/{offered.public_id}/").status_code == 404
