"""``audit-log/``: the program's log through the API, for owners and API keys only, with the portal's filters."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.audit.services import audit_record
from ecosystem.tenancy.context import tenant_context

URL = "/api/v1/t/alpha/audit-log/"


def record(tenant_world, action: str, target=None) -> None:
    with tenant_context(tenant_world.tenant.pk):
        audit_record(tenant=tenant_world.tenant, actor=tenant_world.owner, action=action, target=target)


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.a.owner)
    return client


def test_the_owner_reads_the_log_newest_first(owner_client, world):
    record(world.a, "partner.update", world.a.partner1)
    record(world.a, "partner.retire", world.a.partner1)
    response = owner_client.get(URL)
    assert response.status_code == 200
    actions = [row["action"] for row in response.json()["results"]]
    assert actions[:2] == ["partner.retire", "partner.update"]
    assert response.json()["results"][0]["object_id"] == str(world.a.partner1.public_id)
    assert "count" not in response.json()


def test_the_portal_filters_narrow_the_log(owner_client, world):
    record(world.a, "partner.retire", world.a.partner1)
    record(world.a, "lead.create")
    rows = owner_client.get(URL, {"action": "partner.", "who": world.a.owner.email[:6]}).json()["results"]
    assert {row["action"] for row in rows} == {"partner.retire"}


def test_a_bad_day_answers_400_on_its_parameter(owner_client):
    response = owner_client.get(URL, {"since": "last tuesday"})
    assert response.status_code == 400
    assert (response.json()["type"], response.json()["attr"]) == ("validation_error", "since")


def test_a_read_only_api_key_reads_the_log_of_its_own_tenant_only(client, world):
    record(world.a, "partner.retire", world.a.partner1)
    record(world.b, "partner.retire", world.b.partner1)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="SIEM", scope="read")
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert str(world.b.partner1.public_id) not in response.content.decode()
    assert str(world.a.partner1.public_id) in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "analyst", "partner1_admin"])
def test_only_owners_read_the_log(client, world, persona):
    record(world.a, "partner.retire", world.a.partner1)
    client.force_login(getattr(world.a, persona))
    assert client.get(URL).status_code == 404


def test_the_log_is_read_only(owner_client, world):
    record(world.a, "partner.retire", world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        before = AuditEntry.objects.count()
    response = owner_client.post(URL, {"action": "forged"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("extra", [0, 30])
def test_a_page_costs_the_same_queries_however_long_the_log(owner_client, world, extra):
    for index in range(extra):
        record(world.a, f"probe.{index}")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(URL, {"page_size": 10})
    assert response.status_code == 200
    # 1 tenant by slug, 2 SAVEPOINT (tenant scope), 3 set_config, 4 session, 5 user, 6 membership + partner,
    # 7 the page of entries (no COUNT: a cursor page), 8 RELEASE, 9 set_config (outer settings back).
    assert len(queries) == 9, "\n".join(q["sql"] for q in queries.captured_queries)
