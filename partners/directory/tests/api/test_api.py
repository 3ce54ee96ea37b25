"""The directory, collaborations and the ecosystem map in the API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.tenancy.context import tenant_context
from partners.directory.models import CollaborationRequest, DirectoryProfile

from ..support import capabilities_for, profile_for, third_partner

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/"


def post(client, path: str, body: dict | None = None, **headers):
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json", headers=headers)


def put(client, path: str, body: dict, method: str = "put"):
    return getattr(client, method)(BASE + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def p3(world):
    partner, admin = third_partner(world.a)
    profile_for(partner, headline="Integrator")
    return partner, admin


# --- directory -------------------------------------------------------------------------------------


def test_partners_list_published_profiles_with_public_fields_and_staff_list_all(client, world, p3):
    profile_for(world.a.partner1, published=False)
    client.force_login(world.a.partner2_admin)
    response = client.get(BASE + "directory/")
    assert response.status_code == 200
    [card] = response.json()["results"]
    assert card["name"] == "Alpha Integrator" and card["headline"] == "Integrator"
    assert str(world.a.partner1.public_id) not in response.content.decode()
    assert set(card) == {
        "partner",
        "name",
        "partner_type",
        "tier",
        "is_published",
        "headline",
        "description",
        "capabilities",
        "regions",
        "industries",
        "contact_email",
        "certifications",
        "solutions",
        "updated_at",
    }
    client.force_login(world.a.analyst)
    assert len(client.get(BASE + "directory/").json()["results"]) == 2


def test_an_unpublished_profile_is_404_by_id_to_another_partner(client, world):
    profile_for(world.a.partner1, published=False)
    client.force_login(world.a.partner2_admin)
    response = client.get(BASE + f"directory/{world.a.partner1.public_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_directory_list_filters_and_costs_the_same_queries_for_one_and_many(client, world, p3):
    capabilities_for(world.a.tenant)
    client.force_login(world.a.partner2_admin)
    client.get(BASE + "directory/")
    with CaptureQueriesContext(connection) as one:
        client.get(BASE + "directory/")
    for index in range(3):
        partner, _ = third_partner(world.a, name=f"Extra {index}", partner_type="isv", with_admin=False)
        profile_for(partner, capabilities=["healthcare"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(BASE + "directory/")
    assert len(response.json()["results"]) == 4
    assert len(many.captured_queries) == len(one.captured_queries)
    filtered = client.get(BASE + "directory/?capability=healthcare&partner_type=isv").json()["results"]
    assert len(filtered) == 3


def test_my_profile_read_update_and_publish(client, world):
    capabilities_for(world.a.tenant)
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE + "my-directory-profile/").json()["is_published"] is False
    response = put(client, "my-directory-profile/", {"is_published": True})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("headline_required", "headline")
    response = put(
        client, "my-directory-profile/", {"headline": "Zero trust", "capabilities": ["security"], "is_published": True}
    )
    assert response.status_code == 200
    assert response.json()["is_published"] is True
    response = put(client, "my-directory-profile/", {"regions": ["emea"]}, method="patch")
    assert response.json()["regions"] == ["emea"] and response.json()["headline"] == "Zero trust"


def test_a_rep_reads_but_cannot_change_the_profile_and_staff_have_none(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get(BASE + "my-directory-profile/").status_code == 200
    assert put(client, "my-directory-profile/", {"headline": "x"}).status_code == 403
    client.force_login(world.a.manager)
    response = client.get(BASE + "my-directory-profile/")
    assert (response.status_code, response.json()["code"]) == (403, "partner_only")
    with tenant_context(world.a.tenant.pk):
        assert not DirectoryProfile.objects.exists()


# --- collaborations --------------------------------------------------------------------------------


def test_create_is_idempotent_and_the_receiver_accepts(client, world, p3):
    partner3, admin3 = p3
    client.force_login(world.a.partner1_rep)
    body = {"to_partner": str(partner3.public_id), "subject_kind": "general", "message": "Hello"}
    first = post(client, "my-collaborations/", body, **{"Idempotency-Key": "collab-1"})
    again = post(client, "my-collaborations/", body, **{"Idempotency-Key": "collab-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["direction"] == "out" and first.json()["to_partner"] == "Alpha Integrator"
    with tenant_context(world.a.tenant.pk):
        assert CollaborationRequest.objects.count() == 1
    collaboration_id = first.json()["id"]
    client.force_login(admin3)
    inbox = client.get(BASE + "my-collaborations/?box=in").json()["results"]
    assert [c["id"] for c in inbox] == [collaboration_id]
    accepted = post(client, f"my-collaborations/{collaboration_id}/accept/", {"note": "Yes"})
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["response_note"]) == ("accepted", "Yes")


def test_errors_use_the_envelope(client, world, p3):
    partner3, _ = p3
    client.force_login(world.a.partner1_admin)
    response = post(client, "my-collaborations/", {"to_partner": str(world.a.partner2.public_id), "subject_kind": "general"})
    assert response.status_code == 400
    assert {k: response.json()[k] for k in ("type", "code", "attr")} == {
        "type": "validation_error",
        "code": "invalid_choice",
        "attr": "to_partner",
    }
    body = {"to_partner": str(partner3.public_id), "subject_kind": "general"}
    assert post(client, "my-collaborations/", body).status_code == 201
    conflict = post(client, "my-collaborations/", body)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "collaboration_pending")


def test_only_the_receivers_admin_answers_and_only_the_sender_withdraws(client, world, p3):
    partner3, admin3 = p3
    client.force_login(world.a.partner1_admin)
    created = post(client, "my-collaborations/", {"to_partner": str(partner3.public_id), "subject_kind": "general"}).json()
    assert post(client, f"my-collaborations/{created['id']}/accept/").status_code == 404  # the sender cannot accept
    client.force_login(world.a.partner2_admin)
    assert client.get(BASE + f"my-collaborations/{created['id']}/").status_code == 404
    assert post(client, f"my-collaborations/{created['id']}/decline/").status_code == 404
    client.force_login(admin3)
    assert post(client, f"my-collaborations/{created['id']}/withdraw/").status_code == 404
    client.force_login(world.a.partner1_rep)
    withdrawn = post(client, f"my-collaborations/{created['id']}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"


def test_staff_read_every_collaboration_and_partners_cannot(client, world, p3):
    partner3, _admin3 = p3
    client.force_login(world.a.partner1_admin)
    post(client, "my-collaborations/", {"to_partner": str(partner3.public_id), "subject_kind": "account_mapping"})
    client.force_login(world.a.analyst)
    rows = client.get(BASE + "collaborations/").json()["results"]
    assert [(r["from_partner_name"], r["to_partner_name"], r["subject_kind"]) for r in rows] == [
        ("Alpha Reseller", "Alpha Integrator", "account_mapping")
    ]
    assert client.get(BASE + "collaborations/?status=accepted").json()["results"] == []
    assert client.get(BASE + f"collaborations/?partner={partner3.public_id}").json()["results"] != []
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE + "collaborations/").status_code == 404


def test_my_collaborations_list_costs_the_same_queries_for_one_and_many(client, world, p3):
    partner3, _ = p3
    client.force_login(world.a.partner1_admin)
    post(client, "my-collaborations/", {"to_partner": str(partner3.public_id), "subject_kind": "general"})
    client.get(BASE + "my-collaborations/")
    with CaptureQueriesContext(connection) as one:
        client.get(BASE + "my-collaborations/")
    profile_for(world.a.partner2)
    post(client, "my-collaborations/", {"to_partner": str(world.a.partner2.public_id), "subject_kind": "general"})
    post(client, "my-collaborations/", {"to_partner": str(partner3.public_id), "subject_kind": "account_mapping"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(BASE + "my-collaborations/")
    assert len(response.json()["results"]) == 3
    assert len(many.captured_queries) == len(one.captured_queries)


# --- the ecosystem map -----------------------------------------------------------------------------


def test_staff_read_the_graph_and_partners_get_404(client, world, p3):
    client.force_login(world.a.manager)
    response = client.get(BASE + "ecosystem-map/?partner_type=reseller&edge=cosell")
    assert response.status_code == 200
    assert [n["label"] for n in response.json()["nodes"]] == ["Alpha Reseller"]
    assert response.json()["edges"] == []
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE + "ecosystem-map/").status_code == 404
