"""``members/`` and ``invitations/``: the team pages through the API, with the portal's rules of who manages whom."""

from __future__ import annotations

import pytest

from ecosystem.accounts.models import Invitation, Membership
from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context

BASE = "/api/v1/t/alpha/"


def as_user(client, user):
    client.force_login(user)
    return client


def emails(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["email"] for row in response.json()["results"]}


def test_staff_read_every_membership_and_filter_by_partner(client, world):
    as_user(client, world.a.analyst)
    everyone = emails(client.get(BASE + "members/"))
    assert {world.a.owner.email, world.a.partner1_rep.email, world.a.partner2_admin.email} <= everyone
    partner1 = emails(client.get(BASE + "members/", {"partner": str(world.a.partner1.public_id)}))
    assert partner1 == {world.a.partner1_admin.email, world.a.partner1_rep.email}
    staff = emails(client.get(BASE + "members/", {"staff": "true", "is_active": "true"}))
    assert staff == {world.a.owner.email, world.a.manager.email, world.a.analyst.email}


def test_a_partner_user_reads_only_their_own_organisations_team(client, world):
    as_user(client, world.a.partner2_admin)
    assert emails(client.get(BASE + "members/")) == {world.a.partner2_admin.email}
    with tenant_context(world.a.tenant.pk):
        rep = Membership.objects.get(user=world.a.partner1_rep)
    assert client.get(BASE + f"members/{rep.public_id}/").status_code == 404


def test_a_partner_admin_invites_to_their_own_organisation_whatever_the_body_says(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    as_user(client, world.a.partner1_admin)
    body = {"email": "new.rep@example.com", "role": "partner_rep", "partner": str(world.a.partner2.public_id)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BASE + "invitations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == str(world.a.partner1.public_id)
    assert "token" not in response.content.decode()
    assert [message.to for message in mailoutbox] == [["new.rep@example.com"]]


def test_a_partner_manager_may_not_invite_an_owner(client, world):
    as_user(client, world.a.manager)
    response = client.post(BASE + "invitations/", {"email": "boss@example.com", "role": "owner"}, content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("role_forbidden", "role")
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.filter(email="boss@example.com").exists()


def test_staff_invite_a_partner_user_by_the_partners_id_and_revoke_it(client, world):
    as_user(client, world.a.manager)
    body = {"email": "pat@example.com", "role": "partner_admin", "partner": str(world.a.partner2.public_id)}
    created = client.post(BASE + "invitations/", body, content_type="application/json").json()
    assert created["partner"] == str(world.a.partner2.public_id)
    assert [row["id"] for row in client.get(BASE + "invitations/").json()["results"]] == [created["id"]]
    assert client.post(BASE + f"invitations/{created['id']}/revoke/").status_code == 200
    assert client.get(BASE + "invitations/").json()["results"] == []


def test_an_owner_deactivates_a_member_who_then_loses_access(client, world):
    with tenant_context(world.a.tenant.pk):
        rep = Membership.objects.get(user=world.a.partner1_rep)
    as_user(client, world.a.owner)
    response = client.post(BASE + f"members/{rep.public_id}/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    as_user(client, world.a.partner1_rep)
    assert client.get(BASE + "members/").status_code == 404


def test_the_last_owner_cannot_be_removed(client, world):
    with tenant_context(world.a.tenant.pk):
        owner = Membership.objects.get(user=world.a.owner)
    as_user(client, world.a.owner)
    response = client.post(BASE + f"members/{owner.public_id}/deactivate/")
    assert response.status_code == 400
    assert response.json()["code"] in {"self_removal", "last_owner"}


@pytest.mark.parametrize(("path", "method"), [("members/", "get"), ("invitations/", "get"), ("invitations/", "post")])
def test_api_keys_may_not_manage_people(client, world, path, method):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="HR sync", scope="write")
    body = {"email": "x@example.com", "role": "owner"}
    response = getattr(client, method)(
        BASE + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "api_key_forbidden"
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.filter(email="x@example.com").exists()


def test_an_analyst_reads_but_may_not_invite(client, world):
    as_user(client, world.a.analyst)
    response = client.post(
        BASE + "invitations/", {"email": "a@example.com", "role": "partner_rep"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"
