from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from tests.factories import PartnerFactory

URL = "/api/v1/t/alpha/partners/"


@pytest.fixture
def manager_client(client, world):
    client.force_login(world.a.manager)
    return client


def test_list_is_cursor_paginated_newest_first(manager_client, world):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(5, tenant=world.a.tenant)
    first = manager_client.get(URL, {"page_size": 4}).json()
    assert len(first["results"]) == 4
    assert first["next"] is not None
    second = manager_client.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 7
    created = [row["created_at"] for row in first["results"] + second["results"]]
    assert created == sorted(created, reverse=True)


def test_list_filters_like_the_portal(manager_client, world):
    rows = manager_client.get(URL, {"partner_type": "msp"}).json()["results"]
    assert [row["id"] for row in rows] == [str(world.a.partner2.public_id)]
    rows = manager_client.get(URL, {"q": "reseller"}).json()["results"]
    assert [row["id"] for row in rows] == [str(world.a.partner1.public_id)]


def test_an_invalid_filter_value_answers_400_in_the_envelope(manager_client, world):
    response = manager_client.get(URL, {"status": "sleeping"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["attr"] == "status"


def test_create_then_retrieve(manager_client, world):
    response = manager_client.post(
        URL,
        {"name": "Api Made", "partner_type": "gsi", "website_domain": "WWW.apimade.example", "country": "JP"},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["website_domain"], created["country"], created["status"]) == ("apimade.example", "JP", "prospect")
    fetched = manager_client.get(f"{URL}{created['id']}/").json()
    assert fetched == created


def test_validation_errors_list_every_field(manager_client, world):
    response = manager_client.post(URL, {"partner_type": "pirate"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {(e["attr"], e["code"]) for e in body["errors"]} == {("name", "required"), ("partner_type", "invalid_choice")}


def test_business_rule_errors_use_the_envelope_with_the_field(manager_client, world):
    response = manager_client.post(
        URL,
        {"name": "Dup", "partner_type": "msp", "website_domain": world.a.partner1.website_domain},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["attr"]) == ("duplicate_domain", "website_domain")
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(name="Dup").exists()


def test_partial_update_changes_only_given_fields(manager_client, world):
    partner = world.a.partner1
    response = manager_client.patch(f"{URL}{partner.public_id}/", {"status": "at_risk"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "at_risk"
    assert response.json()["name"] == partner.name


def test_malformed_json_answers_400_in_the_envelope(manager_client, world):
    response = manager_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_analysts_read_but_cannot_write(client, world):
    client.force_login(world.a.analyst)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"name": "X", "partner_type": "msp"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"


def test_partner_users_do_not_see_the_vendor_partner_api(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}{world.a.partner1.public_id}/").status_code == 404


def test_cannot_access_other_tenants_partner_through_own_tenant(manager_client, world):
    response = manager_client.get(f"{URL}{world.b.partner1.public_id}/")
    assert response.status_code == 404
    assert str(world.b.partner1.public_id) not in response.content.decode()


def test_throttling_answers_429_with_retry_after(manager_client, world, monkeypatch):
    from django.core.cache import cache

    from ecosystem.api.throttling import ClientRateThrottle

    cache.clear()
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "2/min"})
    codes = [manager_client.get(URL).status_code for _ in range(3)]
    last = manager_client.get(URL)
    cache.clear()
    assert codes == [200, 200, 429]
    assert last.json()["code"] == "throttled"
    assert int(last["Retry-After"]) > 0


@pytest.mark.parametrize("extra", [0, 25])
def test_the_list_costs_the_same_queries_for_any_number_of_partners(manager_client, world, extra):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(extra, tenant=world.a.tenant)
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(URL)
    assert response.status_code == 200
    # 1 tenant by slug, 2 SAVEPOINT (tenant scope), 3 set_config, 4 session, 5 user,
    # 6 membership + partner, 7 the page of partners, 8 RELEASE, 9 set_config (outer settings back).
    assert len(queries) == 9, "\n".join(q["sql"] for q in queries.captured_queries)
