"""person_data: every tenant-owned model with a user column is covered, rows are the person's own and the
tenant's own, one query per model."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from ecosystem.privacy.selectors import person_data
from ecosystem.privacy.sources import EMAIL_SOURCES, PLATFORM_MODELS, SOURCES, tenant_models_with_user_keys, user_foreign_keys
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import TenantModel

from .support import IP, NAME, give_records, named


def test_every_tenant_model_with_a_user_column_is_a_source_with_exactly_those_columns():
    expected = tenant_models_with_user_keys()

    assert sorted(set(expected) - set(SOURCES)) == [], "tenant models with a user column missing from SOURCES"
    assert sorted(set(SOURCES) - set(expected)) == [], "SOURCES names models that have no user column"
    wrong = {
        label: (SOURCES[label].user_fields, keys)
        for label, keys in expected.items()
        if set(SOURCES[label].user_fields) != set(keys)
    }
    assert wrong == {}


def test_every_platform_model_with_a_user_column_says_why_it_is_left_out():
    user_model = get_user_model()
    platform = {
        m._meta.label
        for m in apps.get_models()
        if not issubclass(m, TenantModel) and m is not user_model and user_foreign_keys(m)
    }
    assert platform == set(PLATFORM_MODELS)


def test_email_sources_are_tenant_sources():
    assert set(EMAIL_SOURCES) <= set(SOURCES)


@pytest.fixture
def rita(world):
    return named(world.a.partner1_rep)


def test_person_data_holds_the_persons_records_and_profile(world, rita):
    held = give_records(world.a, rita, world.a.partner1)

    with tenant_context(world.a.tenant.pk):
        data = person_data(tenant=world.a.tenant, user=rita)

    assert data["profile"]["email"] == rita.email and data["profile"]["full_name"] == NAME
    records = data["records"]
    assert [r["public_id"] for r in records["mdf.mdfrequest"]] == [held.mdf_request]
    assert records["mdf.mdfrequest"][0]["person_is"] == ["submitted_by"]
    assert records["mdf.mdfrequest"][0]["title"] == "Rita's roadshow"
    signature = records["onboarding.agreementsignature"]
    assert [(s["public_id"], s["typed_name"], s["ip"]) for s in signature] == [(held.signature, NAME, IP)]
    assert [s["public_id"] for s in records["onboarding.onboardingstep"]] == [held.step]
    # two logins, and signing (the step completes) and the MDF submission are engagement events too
    kinds = sorted(e["kind"] for e in records["partners.engagementevent"])
    assert kinds == ["login", "login", "mdf_request_submitted", "onboarding_step_completed"]
    assert [m["role"] for m in records["accounts.membership"]] == ["partner_rep"]
    assert [i["public_id"] for i in data["by_email"]["accounts.invitation"]] == [held.invitation]
    assert "token_hash" not in data["by_email"]["accounts.invitation"][0]
    assert json.loads(json.dumps(data)) == data  # JSON-safe as it is


def test_person_data_leaves_out_other_people_and_other_tenants(world, rita):
    give_records(world.a, world.a.partner1_admin, world.a.partner1)  # a colleague's records
    theirs = give_records(world.b, world.b.partner1_rep, world.b.partner1)  # another tenant's

    with tenant_context(world.a.tenant.pk):
        data = person_data(tenant=world.a.tenant, user=rita)

    body = json.dumps(data)
    assert all(not rows for label, rows in data["records"].items() if label != "accounts.membership")
    assert theirs.mdf_request not in body and "Rita's roadshow" not in body


def test_person_data_reads_each_model_once(world, rita, django_assert_num_queries):
    give_records(world.a, rita, world.a.partner1)
    # 1 erased-person look-up + 1 query per source model + 1 per by-address source
    with tenant_context(world.a.tenant.pk), django_assert_num_queries(1 + len(SOURCES) + len(EMAIL_SOURCES)):
        person_data(tenant=world.a.tenant, user=rita)
