"""API keys: shown once, stored hashed, tenant-bound, scoped, revocable; every error in the envelope."""

from __future__ import annotations

import pytest

from ecosystem.api.models import ApiKey
from ecosystem.api.services import api_key_create, api_key_revoke, hash_secret
from ecosystem.tenancy.context import tenant_context


def issue(tenant_world, scope="read"):
    with tenant_context(tenant_world.tenant.pk):
        return api_key_create(tenant=tenant_world.tenant, actor=tenant_world.owner, name="CRM sync", scope=scope)


def bearer(issued) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


def test_the_key_is_stored_as_a_hash_and_never_in_plain_text(world):
    issued = issue(world.a)
    secret = issued.plaintext.split("_", 2)[2]
    with tenant_context(world.a.tenant.pk):
        stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in (stored.secret_hash, stored.prefix, stored.name)


def test_a_read_key_lists_partners_of_its_tenant(client, world):
    response = client.get("/api/v1/t/alpha/partners/", **bearer(issue(world.a)))
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {world.a.partner1.name, world.a.partner2.name}


def test_a_read_key_may_not_write(client, world):
    response = client.post(
        "/api/v1/t/alpha/partners/",
        {"name": "X", "partner_type": "msp"},
        content_type="application/json",
        **bearer(issue(world.a)),
    )
    assert response.status_code == 403
    assert response.json() == {
        "type": "client_error",
        "code": "read_only_key",
        "detail": "This API key may only read.",
        "attr": None,
    }


def test_a_write_key_creates_and_the_audit_log_names_the_key(client, world):
    issued = issue(world.a, scope="write")
    response = client.post(
        "/api/v1/t/alpha/partners/",
        {"name": "Keyed In", "partner_type": "isv", "website_domain": "keyed.example"},
        content_type="application/json",
        **bearer(issued),
    )
    assert response.status_code == 201
    from ecosystem.audit.models import AuditEntry

    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="partner.create")
    assert entry.actor_id is None
    assert entry.actor_label == f"API key CRM sync ({issued.api_key.prefix})"
    assert entry.via == "api"


def test_a_key_of_another_tenant_is_not_valid_here(client, world):
    response = client.get("/api/v1/t/beta/partners/", **bearer(issue(world.a)))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


def test_a_revoked_key_is_refused(client, world):
    issued = issue(world.a)
    with tenant_context(world.a.tenant.pk):
        api_key_revoke(tenant=world.a.tenant, actor=world.a.owner, api_key=issued.api_key)
    response = client.get("/api/v1/t/alpha/partners/", **bearer(issued))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


def test_a_wrong_secret_is_refused(client, world):
    issued = issue(world.a)
    forged = issued.plaintext[:-4] + ("AAAA" if not issued.plaintext.endswith("AAAA") else "BBBB")
    response = client.get("/api/v1/t/alpha/partners/", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer prm_xyz", "Bearer prm_0123abcd_", "Bearer  "])
def test_a_malformed_key_gets_a_clear_answer(client, world, header):
    response = client.get("/api/v1/t/alpha/partners/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "client_error"
    assert body["code"] == "malformed_api_key"
    assert "Bearer prm_" in body["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_credentials_answer_401_in_the_envelope(client, world):
    response = client.get("/api/v1/t/alpha/partners/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_tenant_answers_404_even_with_a_valid_session(client, world):
    client.force_login(world.a.manager)
    response = client.get("/api/v1/t/nowhere/partners/")
    assert response.status_code == 404
    assert response.json() == {"type": "client_error", "code": "not_found", "detail": "Not found.", "attr": None}


def test_owners_create_keys_in_the_portal_and_see_them_once(client, world):
    client.force_login(world.a.owner)
    response = client.post("/t/alpha/api-keys/", {"name": "BI export", "scope": "read"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "It will not be shown again" in body
    plaintext = body.split('<div class="key-once mt-2">')[1].split("</div>")[0].strip()
    assert client.get("/api/v1/t/alpha/partners/", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    assert plaintext not in client.get("/t/alpha/api-keys/").content.decode()


def test_the_portal_key_form_keeps_input_on_error(client, world):
    client.force_login(world.a.owner)
    response = client.post("/t/alpha/api-keys/", {"name": "Half done", "scope": "admin"})
    assert response.status_code == 400
    assert 'value="Half done"' in response.content.decode()


def test_only_owners_manage_keys(client, world):
    client.force_login(world.a.manager)
    assert client.get("/t/alpha/api-keys/").status_code == 403
    assert client.post("/t/alpha/api-keys/", {"name": "x", "scope": "write"}).status_code == 403
