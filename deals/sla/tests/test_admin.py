"""Operators read every tenant's SLAs in Django admin; a target bound to a rule of engagement is read-only there."""

from __future__ import annotations

import pytest
from django.test import Client

from deals.sla.models import SlaDefinition
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_the_slas_of_every_tenant(operator_client, committed_world):
    body = operator_client.get("/admin/sla/sladefinition/").content.decode()
    assert "Alpha" in body and "Beta" in body
    assert body.count("registration_decision") + body.count("Vendor decides a deal registration") >= 2


def test_a_rule_bound_target_is_read_only_and_another_can_be_changed(operator_client, committed_world):
    with tenant_context(committed_world.a.tenant.pk):
        bound = SlaDefinition.objects.get(kind="registration_decision")
        free = SlaDefinition.objects.get(kind="cosell_answer")
    bound_page = operator_client.get(f"/admin/sla/sladefinition/{bound.pk}/change/").content.decode()
    assert 'name="target_hours"' not in bound_page
    response = operator_client.post(f"/admin/sla/sladefinition/{free.pk}/change/", {"target_hours": "96", "is_active": "on"})
    assert response.status_code == 302
    with tenant_context(committed_world.a.tenant.pk):
        assert SlaDefinition.objects.get(pk=free.pk).target_hours == 96


def test_the_warnings_sent_are_a_read_only_record(operator_client, committed_world):
    response = operator_client.get("/admin/sla/slawarning/")
    assert response.status_code == 200
    assert "Add SLA warning" not in response.content.decode()


def test_a_program_an_operator_adds_has_its_slas(operator_client):
    """The admin writes on the platform alias; the SLAs are made there, in the new tenant's scope, in the same transaction."""
    response = operator_client.post(
        "/admin/tenancy/tenant/add/", {"name": "Gamma Corp", "slug": "gamma", "is_active": "on", "require_staff_mfa": "on"}
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="gamma")
    with tenant_context(tenant.pk):
        assert sorted(SlaDefinition.objects.values_list("kind", "target_hours")) == [
            ("appeal_decision", 72),
            ("cosell_answer", 72),
            ("extension_decision", 48),
            ("lead_answer", 24),
            ("registration_decision", 48),
        ]
