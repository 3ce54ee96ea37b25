"""The managers' queue in the API is a hot path (bench/api_load.py): a fixed query budget whatever the page
holds (conflicts counted in the page's own query, no COUNT of the queue), and the hand-written row JSON
equal to the declared fields'."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from deals import selectors
from deals.api.serializers import ManageRegistrationOutputSerializer
from deals.models import DealRegistration
from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, submit_as

URL = "/api/v1/t/alpha/deal-registrations/"


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


@pytest.fixture
def key_headers(world) -> dict:
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM sync", scope="read")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


def register(world, n: int, *, partner=None, user=None, **overrides):
    partner, user = partner or world.a.partner1, user or world.a.partner1_rep
    values = {"customer_name": f"Zork{n} Qux{n}", "customer_domain": f"c{n}.example", **overrides}
    return submit_as(world.a.tenant, partner, user, **values).registration


def queries_of_the_queue(client, headers: dict) -> tuple[list[str], dict]:
    client.get(URL, **headers)  # the key's first use writes last_used_at (at most once a minute)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, **headers)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries], response.json()


def test_a_page_of_the_queue_costs_the_same_eight_queries_whatever_it_holds(client, world, key_headers):
    register(world, 0)
    few, body = queries_of_the_queue(client, key_headers)
    assert len(body["results"]) == 1
    for n in range(1, 13):
        register(world, n, partner=world.a.partner2, user=world.a.partner2_admin)
    many, body = queries_of_the_queue(client, key_headers)
    assert len(body["results"]) == 13
    # tenant by slug; SAVEPOINT (the tenant scope's transaction, inside the test's); row-level security
    # settings; the API key; the rules of engagement (the SLA); the page (partner joined, conflicts
    # counted per row in the same query: no N+1, no COUNT of the queue); RELEASE SAVEPOINT; the outer
    # settings put back (only inside a test's transaction: a request's scope is its outermost one)
    assert len(many) == len(few) == 8, many
    assert not any(sql.upper().startswith("SELECT COUNT(") for sql in many)


def test_the_queue_counts_each_registrations_conflicts(client, world, key_headers):
    first = register(world, 0)
    contested = register(world, 1, partner=world.a.partner2, user=world.a.partner2_admin, customer_domain="c0.example")
    rows = {row["id"]: row for row in client.get(URL, **key_headers).json()["results"]}
    assert rows[str(contested.public_id)]["status"] == "under_review"
    assert rows[str(contested.public_id)]["conflict_count"] == 1
    assert rows[str(first.public_id)]["conflict_count"] == 0


def test_the_written_out_row_equals_what_the_declared_fields_write(world):
    decided = register(world, 0)
    register(world, 1, partner=world.a.partner2, user=world.a.partner2_admin, customer_domain="c0.example")
    serializer = ManageRegistrationOutputSerializer()
    with tenant_context(world.a.tenant.pk):
        # every nullable field filled on one row (amounts with fewer places than the field's two)
        DealRegistration.objects.filter(pk=decided.pk).update(
            decided_at=timezone.now(),
            protected_until=timezone.localdate(),
            closed_amount=Decimal("1234.5"),
            closed_on=timezone.localdate(),
        )
        rows = list(selectors.registration_queue(tenant=world.a.tenant).qs)
    assert len(rows) == 2
    for registration in rows:
        fast = serializer.to_representation(registration)
        assert list(fast) == ManageRegistrationOutputSerializer.Meta.fields
        assert fast == dict(serializers.ModelSerializer.to_representation(serializer, registration))


def test_the_default_page_builds_no_filter_set_and_a_named_filter_still_filters(client, world, key_headers):
    waiting = register(world, 0)
    register(world, 1, partner=world.a.partner2, user=world.a.partner2_admin, product_lines=["data"])
    with mock.patch.object(selectors.RegistrationQueueFilter, "__init__", side_effect=AssertionError("filter set built")):
        rows = client.get(URL, **key_headers).json()["results"]
    assert len(rows) == 2
    by_partner = client.get(URL, {"partner": str(world.a.partner1.public_id)}, **key_headers).json()["results"]
    assert [row["id"] for row in by_partner] == [str(waiting.public_id)]
    assert client.get(URL, {"status": "approved"}, **key_headers).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "attr"),
    [({"status": "bogus"}, "status"), ({"partner": "not-a-partner"}, "partner")],
)
def test_a_queue_filter_value_it_cannot_read_is_a_400_not_ignored(client, world, key_headers, query, attr):
    register(world, 0)
    response = client.get(URL, query, **key_headers)
    assert response.status_code == 400, response.content
    assert response.json()["attr"] == attr
