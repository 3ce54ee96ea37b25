"""Retiring and reactivating a partner through the API: the same lifecycle services as the portal."""

from __future__ import annotations

import pytest

from ecosystem.accounts.models import Membership
from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from partners.lifecycle import partner_retire
from partners.models import PartnerOrganization, PartnerStatusChange


def url(partner, action: str, tenant: str = "alpha") -> str:
    return f"/api/v1/t/{tenant}/partners/{partner.public_id}/{action}/"


def post(client, partner, action: str, body: dict | None = None, **extra):
    return client.post(url(partner, action, **extra), body or {}, content_type="application/json")


def status_of(world, partner) -> str:
    with tenant_context(world.a.tenant.pk):
        return PartnerOrganization.objects.get(pk=partner.pk).status


def active_users(world, partner) -> set[int]:
    with tenant_context(world.a.tenant.pk):
        return set(Membership.objects.filter(partner=partner, is_active=True).values_list("user_id", flat=True))


def audit(world, action: str) -> list[AuditEntry]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action, object_id=str(world.a.partner1.public_id)))


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_editors_retire_a_partner_and_its_users_lose_access(client, world, role):
    client.force_login(getattr(world.a, role))
    response = post(client, world.a.partner1, "retire", {"reason": "Contract ended"})

    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert status_of(world, world.a.partner1) == "retired"
    assert active_users(world, world.a.partner1) == set()
    [entry] = audit(world, "partner.retire")
    assert entry.changes["reason"] == "Contract ended"
    with tenant_context(world.a.tenant.pk):
        assert PartnerStatusChange.objects.filter(partner=world.a.partner1, to_status="retired", reason="Contract ended").exists()


def test_reactivating_brings_the_partner_and_its_users_back(client, world):
    users = active_users(world, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        partner_retire(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, reason="Paused")
    client.force_login(world.a.manager)

    response = post(client, world.a.partner1, "reactivate", {"reason": "Renewed"})

    assert response.status_code == 200
    assert status_of(world, world.a.partner1) == "active"
    assert active_users(world, world.a.partner1) == users
    assert audit(world, "partner.reactivate")[0].changes["reason"] == "Renewed"


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_a_reason_is_required_and_nothing_changes_without_one(client, world, body):
    client.force_login(world.a.manager)
    response = post(client, world.a.partner1, "retire", body)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "reason")
    assert status_of(world, world.a.partner1) != "retired"
    assert audit(world, "partner.retire") == []


def test_retiring_twice_or_reactivating_an_active_partner_is_refused(client, world):
    client.force_login(world.a.manager)
    assert post(client, world.a.partner1, "reactivate", {"reason": "Why not"}).json()["code"] == "not_retired"
    post(client, world.a.partner1, "retire", {"reason": "Contract ended"})
    again = post(client, world.a.partner1, "retire", {"reason": "Again"})
    assert (again.status_code, again.json()["code"]) == (400, "already_retired")
    assert len(audit(world, "partner.retire")) == 1


def test_analysts_are_refused_and_nothing_changes(client, world):
    client.force_login(world.a.analyst)
    response = post(client, world.a.partner1, "retire", {"reason": "Contract ended"})
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert status_of(world, world.a.partner1) != "retired"
    assert audit(world, "partner.retire") == []


def test_partner_users_cannot_retire_their_own_organisation(client, world):
    client.force_login(world.a.partner1_admin)
    assert post(client, world.a.partner1, "retire", {"reason": "Leaving"}).status_code == 404
    assert status_of(world, world.a.partner1) != "retired"


def test_cannot_retire_another_tenants_partner(client, world):
    client.force_login(world.b.owner)
    assert post(client, world.a.partner1, "retire", {"reason": "x"}, tenant="beta").status_code == 404
    assert post(client, world.a.partner1, "retire", {"reason": "x"}).status_code == 404
    assert status_of(world, world.a.partner1) != "retired"


def test_a_write_key_retires_and_the_audit_names_the_key(client, world):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM sync", scope="write")
    response = client.post(
        url(world.a.partner1, "retire"),
        {"reason": "Contract ended"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}",
    )
    assert response.status_code == 200
    [entry] = audit(world, "partner.retire")
    assert entry.actor_id is None
    assert "CRM sync" in entry.actor_label
    assert entry.via == "api"
