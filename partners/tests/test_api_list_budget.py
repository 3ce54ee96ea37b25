"""The partner list is a hot path (bench/api_load.py): a fixed query budget whatever the page holds, no
filter set built when no filter is named, and the hand-written row JSON equal to the declared fields'."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context
from partners.api.serializers import PartnerOutputSerializer
from partners.filters import PartnerFilter
from partners.models import PartnerOrganization
from tests.factories import PartnerFactory

URL = "/api/v1/t/alpha/partners/"


@pytest.fixture
def key_headers(world) -> dict:
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI export", scope="read")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


def queries_of_a_page(client, headers: dict, params: dict | None = None) -> tuple[list[str], dict]:
    client.get(URL, params or {}, **headers)  # the key's first use writes last_used_at (at most once a minute)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params or {}, **headers)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries], response.json()


def test_a_page_of_the_partner_list_costs_the_same_seven_queries_whatever_it_holds(client, world, key_headers):
    few, body = queries_of_a_page(client, key_headers)
    assert len(body["results"]) == 2
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(60, tenant=world.a.tenant)
    many, body = queries_of_a_page(client, key_headers)
    assert len(body["results"]) == 50 and body["next"]
    # tenant by slug; SAVEPOINT (the tenant scope's transaction, inside the test's); row-level security
    # settings; the API key; the page (51 rows: no COUNT on a cursor page); RELEASE SAVEPOINT; the outer
    # settings put back (only inside a test's transaction: a request's scope is its outermost one)
    assert len(many) == len(few) == 7, many
    assert not any("COUNT(" in sql.upper() for sql in many)


def test_a_cursor_page_costs_the_same_queries_as_the_first(client, world, key_headers):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(60, tenant=world.a.tenant)
    _first_queries, first = queries_of_a_page(client, key_headers)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(first["next"], **key_headers).json()
    assert len(captured.captured_queries) == 7  # the same seven as the first page
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 62


def test_no_filter_set_is_built_when_no_filter_is_named(client, world, key_headers):
    with mock.patch.object(PartnerFilter, "__init__", side_effect=AssertionError("a filter set was built")):
        response = client.get(URL, {"page_size": 1}, **key_headers)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_a_named_filter_still_filters_and_refuses_a_bad_value(client, world, key_headers):
    rows = client.get(URL, {"partner_type": "msp"}, **key_headers).json()["results"]
    assert [row["id"] for row in rows] == [str(world.a.partner2.public_id)]
    response = client.get(URL, {"status": "sleeping"}, **key_headers)
    assert (response.status_code, response.json()["attr"]) == (400, "status")


def test_the_written_out_row_equals_what_the_declared_fields_write(world):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory(tenant=world.a.tenant, country="")
        partners = list(PartnerOrganization.objects.filter(tenant=world.a.tenant))
    serializer = PartnerOutputSerializer()
    for partner in partners:
        fast = serializer.to_representation(partner)
        assert list(fast) == PartnerOutputSerializer.Meta.fields
        assert fast == dict(serializers.ModelSerializer.to_representation(serializer, partner))
