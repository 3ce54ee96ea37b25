from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from tests.factories import PartnerFactory


def test_the_list_shows_the_tenants_partners_only(client, world):
    client.force_login(world.a.manager)
    response = client.get("/t/alpha/partners/")
    assert response.status_code == 200
    body = response.content.decode()
    assert world.a.partner1.name in body and world.a.partner2.name in body
    assert world.b.partner1.name not in body


def test_the_list_filters_by_search_type_and_status(client, world):
    client.force_login(world.a.manager)
    body = client.get("/t/alpha/partners/", {"partner_type": "msp"}).content.decode()
    assert world.a.partner2.name in body and world.a.partner1.name not in body
    body = client.get("/t/alpha/partners/", {"q": "reseller.alpha"}).content.decode()
    assert world.a.partner1.name in body and world.a.partner2.name not in body
    body = client.get("/t/alpha/partners/", {"status": "retired"}).content.decode()
    assert "No partners match these filters." in body


def test_an_htmx_filter_request_gets_only_the_results_fragment(client, world):
    client.force_login(world.a.manager)
    response = client.get("/t/alpha/partners/", {"q": "MSP"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert world.a.partner2.name in body
    assert "<html" not in body and '<nav class="navbar' not in body


def test_the_list_is_paginated(client, world):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(30, tenant=world.a.tenant)
    client.force_login(world.a.manager)
    first = client.get("/t/alpha/partners/").content.decode()
    second = client.get("/t/alpha/partners/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_export_is_csv_and_spreadsheet_safe(client, world):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory(tenant=world.a.tenant, name='=HYPERLINK("http://evil")', website_domain="evil.example")
    client.force_login(world.a.analyst)
    response = client.get("/t/alpha/partners/", {"export": "csv", "q": "evil"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "id,name,type,website_domain,country,status,created_at"
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]


def test_a_partner_manager_creates_a_partner(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        "/t/alpha/partners/new/",
        {
            "name": "Orbit Systems",
            "partner_type": "si",
            "website_domain": "https://orbit.example",
            "country": "SE",
            "status": "onboarding",
        },
    )
    with tenant_context(world.a.tenant.pk):
        partner = PartnerOrganization.objects.get(name="Orbit Systems")
    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/partners/{partner.public_id}/"
    assert (partner.website_domain, partner.status) == ("orbit.example", "onboarding")


def test_bad_input_shows_field_errors_and_keeps_what_was_typed(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        "/t/alpha/partners/new/",
        {"name": "Kept Name Ltd", "partner_type": "si", "website_domain": "not a domain", "country": "", "status": "active"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a website domain such as example.com." in body
    assert 'value="Kept Name Ltd"' in body and 'value="not a domain"' in body
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(name="Kept Name Ltd").exists()


def test_a_duplicate_domain_is_shown_next_to_the_domain_field(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        "/t/alpha/partners/new/",
        {
            "name": "Twin",
            "partner_type": "si",
            "website_domain": world.a.partner1.website_domain,
            "country": "",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert "Another partner in this program already uses this website domain." in response.content.decode()


def test_editing_saves_and_returns_to_the_partner(client, world):
    client.force_login(world.a.owner)
    partner = world.a.partner1
    response = client.post(
        f"/t/alpha/partners/{partner.public_id}/edit/",
        {
            "name": "Renamed",
            "partner_type": "reseller",
            "website_domain": partner.website_domain,
            "country": "DE",
            "status": "at_risk",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        partner.refresh_from_db()
    assert (partner.name, partner.status) == ("Renamed", "at_risk")


def test_an_analyst_reads_but_may_not_create_or_edit(client, world):
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/partners/").status_code == 200
    assert client.get(f"/t/alpha/partners/{world.a.partner1.public_id}/").status_code == 200
    response = client.post("/t/alpha/partners/new/", {"name": "Nope", "partner_type": "si", "status": "active"})
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()
    assert client.get(f"/t/alpha/partners/{world.a.partner1.public_id}/edit/").status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(name="Nope").exists()


def test_cannot_access_other_tenants_partner_from_own_tenant(client, world):
    client.force_login(world.a.manager)
    assert client.get(f"/t/alpha/partners/{world.b.partner1.public_id}/").status_code == 404
    assert client.get(f"/t/alpha/partners/{world.b.partner1.public_id}/edit/").status_code == 404


@pytest.mark.parametrize("extra_partners", [0, 20])
def test_the_list_page_costs_the_same_queries_for_any_number_of_partners(client, world, extra_partners):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(extra_partners, tenant=world.a.tenant)
    client.force_login(world.a.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/t/alpha/partners/")
    assert response.status_code == 200
    # Under the test's own transaction the scopes are savepoints, and each scope puts the outer
    # settings back when it ends. 1 session, 2 user, 3 tenant by slug, 4 SAVEPOINT (tenant scope),
    # 5 set_config (tenant), 6 membership + partner, 7 paginator count; tenant switcher while
    # rendering: 8 SAVEPOINT, 9 set_config (user), 10 memberships in every tenant, 11 set_config
    # (tenant again), 12 RELEASE; 13 the page of partners, 14 RELEASE, 15 set_config (outer, empty).
    assert len(queries) == 15, "\n".join(q["sql"] for q in queries.captured_queries)
