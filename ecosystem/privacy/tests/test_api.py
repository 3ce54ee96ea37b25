"""Personal data through the API: owners only for people, export, erasure and retention; everyone their own
data; API keys never; the other tenant 404; bad input in the error envelope, nothing changed."""

from __future__ import annotations

import pytest

from ecosystem.accounts.models import Membership
from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.privacy.models import ErasedPerson, PrivacySettings
from ecosystem.tenancy.context import tenant_context

from .support import NAME, give_records, named

BASE = "/api/v1/t/alpha/"


def member_id(world, user) -> str:
    with tenant_context(world.a.tenant.pk):
        return str(Membership.objects.get(user=user).public_id)


def audit_actions(world, action: str) -> list[dict]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action).values_list("changes", flat=True))


@pytest.fixture
def owner(client, world):
    client.force_login(world.a.owner)
    return client


@pytest.fixture
def rita(world):
    return named(world.a.partner1_rep)


def test_people_lists_staff_and_partner_users_newest_first_and_searches_by_name(owner, world, rita):
    response = owner.get(BASE + "privacy-people/")
    assert response.status_code == 200, response.content
    emails = [row["email"] for row in response.json()["results"]]
    assert {world.a.owner.email, world.a.manager.email, rita.email} <= set(emails)
    assert "next" in response.json() and "count" not in response.json()

    found = owner.get(BASE + "privacy-people/", {"q": "repsworth"}).json()["results"]
    assert [(row["email"], row["full_name"]) for row in found] == [(rita.email, NAME)]


def test_the_person_detail_counts_records_and_the_export_is_the_portal_file_and_audited(owner, world, rita):
    give_records(world.a, rita, world.a.partner1)
    target = member_id(world, rita)

    detail = owner.get(BASE + f"privacy-people/{target}/").json()
    exported = owner.post(BASE + f"privacy-people/{target}/export/")

    assert {"model": "mdf.mdfrequest", "rows": 1} in detail["records"]
    assert exported.status_code == 200, exported.content
    data = exported.json()
    assert data["profile"]["email"] == rita.email
    assert len(data["records"]["mdf.mdfrequest"]) == 1
    assert [changes["person"] for changes in audit_actions(world, "privacy.export")] == [str(rita.public_id)]


def test_erasure_needs_the_typed_address_then_shows_only_the_pseudonym(owner, world, rita):
    target = member_id(world, rita)

    wrong = owner.post(
        BASE + f"privacy-people/{target}/erase/", {"confirm_email": "nope@example.com"}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert (wrong.json()["code"], wrong.json()["attr"]) == ("confirmation_mismatch", "confirm_email")
    with tenant_context(world.a.tenant.pk):
        assert not ErasedPerson.objects.exists()

    done = owner.post(BASE + f"privacy-people/{target}/erase/", {"confirm_email": rita.email}, content_type="application/json")
    assert done.status_code == 200, done.content
    label = done.json()["erased_as"]
    assert label.startswith("Erased person #")

    row = owner.get(BASE + f"privacy-people/{target}/").json()
    assert (row["email"], row["full_name"], row["erased_as"], row["is_active"]) == (None, None, label, False)
    # a search by the erased person's old name does not say which pseudonym was theirs
    assert owner.get(BASE + "privacy-people/", {"q": "repsworth"}).json()["results"] == []
    assert [r["id"] for r in owner.get(BASE + "privacy-people/", {"q": label}).json()["results"]] == [target]


def test_an_owner_cannot_erase_themselves(owner, world):
    target = member_id(world, world.a.owner)
    response = owner.post(
        BASE + f"privacy-people/{target}/erase/", {"confirm_email": world.a.owner.email}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "self_erasure"


def test_erase_without_a_confirmation_is_a_400_envelope(owner, world, rita):
    response = owner.post(BASE + f"privacy-people/{member_id(world, rita)}/erase/", {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["attr"] == "confirm_email"


def test_retention_reads_the_default_and_saves_within_bounds(owner, world):
    assert owner.get(BASE + "privacy-retention/").json()["engagement_retention_days"] == 730

    saved = owner.put(BASE + "privacy-retention/", {"engagement_retention_days": 365}, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["engagement_retention_days"] == 365
    assert audit_actions(world, "privacy.settings_update") == [{"engagement_retention_days": [None, 365]}]

    too_short = owner.put(BASE + "privacy-retention/", {"engagement_retention_days": 10}, content_type="application/json")
    assert too_short.status_code == 400
    assert too_short.json()["attr"] == "engagement_retention_days"
    with tenant_context(world.a.tenant.pk):
        assert PrivacySettings.objects.get().engagement_retention_days == 365


@pytest.mark.parametrize("persona", ["manager", "analyst"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "privacy-people/"), ("get", "privacy-retention/"), ("put", "privacy-retention/")],
)
def test_staff_who_are_not_owners_get_404(client, world, persona, method, path):
    client.force_login(getattr(world.a, persona))
    response = getattr(client, method)(BASE + path, {"engagement_retention_days": 365}, content_type="application/json")
    assert response.status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert not PrivacySettings.objects.exists()


@pytest.mark.parametrize("action", ["export", "erase"])
def test_a_partner_admin_cannot_export_or_erase_their_own_rep(client, world, rita, action):
    client.force_login(world.a.partner1_admin)
    body = {"confirm_email": rita.email}
    response = client.post(BASE + f"privacy-people/{member_id(world, rita)}/{action}/", body, content_type="application/json")
    assert response.status_code == 404
    assert audit_actions(world, "privacy.export") == []
    with tenant_context(world.a.tenant.pk):
        assert not ErasedPerson.objects.exists()


def test_the_other_tenants_owner_gets_404_for_a_member_of_this_tenant(client, world, rita):
    client.force_login(world.b.owner)
    target = member_id(world, rita)
    for path in (f"privacy-people/{target}/", f"privacy-people/{target}/export/"):
        method = client.get if path.endswith("/" + target + "/") else client.post
        assert method("/api/v1/t/beta/" + path).status_code == 404
        assert method(BASE + path).status_code == 404
    assert audit_actions(world, "privacy.export") == []


@pytest.mark.parametrize(("method", "path"), [("get", "privacy-people/"), ("get", "my-data/"), ("post", "my-data/export/")])
def test_api_keys_may_not_read_personal_data(client, world, method, path):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI", scope="write")
    response = getattr(client, method)(BASE + path, HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 403
    assert response.json()["code"] == "api_key_forbidden"


@pytest.mark.parametrize("persona", ["analyst", "partner1_rep"])
def test_everyone_reads_and_exports_their_own_data(client, world, rita, persona):
    user = getattr(world.a, persona)
    if persona == "partner1_rep":
        give_records(world.a, user, world.a.partner1)
    client.force_login(user)

    mine = client.get(BASE + "my-data/")
    exported = client.post(BASE + "my-data/export/")

    assert mine.status_code == 200, mine.content
    assert mine.json()["profile"]["email"] == user.email
    assert exported.json()["profile"]["public_id"] == str(user.public_id)
    if persona == "partner1_rep":
        assert {"model": "mdf.mdfrequest", "rows": 1} in mine.json()["records"]
        assert len(exported.json()["records"]["mdf.mdfrequest"]) == 1
    assert [c["own_data"] for c in audit_actions(world, "privacy.export")] == [True]


def test_my_data_is_404_for_someone_outside_the_program(client, world):
    client.force_login(world.b.owner)
    assert client.get(BASE + "my-data/").status_code == 404
    assert client.post(BASE + "my-data/export/").status_code == 404
