"""MDF in the API: staff budgets, requests (approve / partial / reject) and claims (approve / reject / pay); the
partner's own requests (create with Idempotency-Key) and a multipart claim with evidence; errors in the envelope,
ownership, roles."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.tenancy.context import tenant_context
from partners.mdf.models import MdfBudget, MdfClaim, MdfEvidence, MdfRequest

from .support import PDF, budget_for, claim_as, funded, request_as, request_values

T = "/api/v1/t/alpha"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, path, body=None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", headers=headers)


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def budget(world):
    return budget_for(world.a, "10000", allocations={world.a.partner1: "1000", world.a.partner2: "1000"})


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_staff_create_a_budget_and_list_it_with_what_is_left(manager, world):
    created = post(manager, f"{T}/mdf-budgets/", {"year": 2033, "quarter": 3, "amount": "25000"})
    assert created.status_code == 201, created.content
    assert (created.json()["period"], created.json()["left"], created.json()["currency"]) == ("Q3 2033", "25000.00", "USD")
    again = post(manager, f"{T}/mdf-budgets/", {"year": 2033, "quarter": 3, "amount": "1"})
    assert (again.status_code, again.json()["code"], again.json()["attr"]) == (409, "budget_exists", "quarter")
    listed = manager.get(f"{T}/mdf-budgets/").json()["results"]
    assert [b["period"] for b in listed] == ["Q3 2033"] and len(rows(world, MdfBudget)) == 1


def test_staff_list_requests_with_the_partners_remaining_and_decide_them(manager, world, budget):
    funded(world.a, world.a.partner1, world.a.partner1_admin, spend="300", title="Done")
    first = request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="700", title="First")
    second = request_as(world.a, world.a.partner2, world.a.partner2_admin, planned_spend="900", title="Second")

    waiting = manager.get(f"{T}/mdf-requests/", {"status": "submitted"}).json()["results"]
    assert {r["title"]: r["partner_remaining"] for r in waiting} == {"First": "700.00", "Second": "1000.00"}

    approved = post(manager, f"{T}/mdf-requests/{first.public_id}/approve/")
    assert (approved.status_code, approved.json()["status"], approved.json()["partner_remaining"]) == (200, "approved", "0.00")
    too_much = post(manager, f"{T}/mdf-requests/{second.public_id}/partial/", {"amount": "1000"})
    assert (too_much.status_code, too_much.json()["code"]) == (400, "not_partial")
    partial = post(manager, f"{T}/mdf-requests/{second.public_id}/partial/", {"amount": "450", "reason": "Half"})
    assert (partial.json()["status"], partial.json()["approved_amount"]) == ("partially_approved", "450.00")
    twice = post(manager, f"{T}/mdf-requests/{second.public_id}/reject/", {"reason": "No"})
    assert (twice.status_code, twice.json()["code"]) == (409, "request_decided")


def test_approving_beyond_the_remaining_funds_is_a_409_and_changes_nothing(manager, world, budget):
    first = request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="600", title="One")
    second = request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="600", title="Two")
    post(manager, f"{T}/mdf-requests/{first.public_id}/approve/")
    refused = post(manager, f"{T}/mdf-requests/{second.public_id}/approve/")
    assert (refused.status_code, refused.json()["code"], refused.json()["attr"]) == (409, "insufficient_funds", "amount")
    assert rows(world, MdfRequest, pk=second.pk)[0].status == "submitted"


def test_staff_approve_and_pay_a_claim(manager, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    claim = claim_as(world.a, world.a.partner1, world.a.partner1_admin, campaign, amount="480")

    listed = manager.get(f"{T}/mdf-claims/").json()["results"]
    assert [(c["claimed_amount"], c["evidence"][0]["original_filename"]) for c in listed] == [("480.00", "invoice.pdf")]
    approved = post(manager, f"{T}/mdf-claims/{claim.public_id}/approve/")
    assert (approved.json()["status"], approved.json()["approved_amount"]) == ("approved", "480.00")
    paid = post(manager, f"{T}/mdf-claims/{claim.public_id}/pay/")
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"]
    again = post(manager, f"{T}/mdf-claims/{claim.public_id}/reject/", {"reason": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "claim_decided")


def test_an_analyst_reads_but_cannot_decide(client, world, budget):
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.analyst)
    assert client.get(f"{T}/mdf-requests/").status_code == 200
    assert post(client, f"{T}/mdf-requests/{waiting.public_id}/approve/").status_code == 403
    assert rows(world, MdfRequest)[0].status == "submitted"


def test_partner_users_get_404_on_staff_routes(client, world, budget):
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.partner1_admin)
    assert client.get(f"{T}/mdf-requests/").status_code == 404
    assert post(client, f"{T}/mdf-requests/{waiting.public_id}/approve/").status_code == 404


# --- partner ---------------------------------------------------------------------------------------


def test_a_partner_creates_a_request_once_with_one_idempotency_key(client, world, budget):
    client.force_login(world.a.partner1_admin)
    first = post(client, f"{T}/my-mdf-requests/", request_values(), **{"Idempotency-Key": "mdf-1"})
    second = post(client, f"{T}/my-mdf-requests/", request_values(), **{"Idempotency-Key": "mdf-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and second["Idempotent-Replayed"] == "true"
    assert len(rows(world, MdfRequest)) == 1


def test_a_request_above_the_funds_comes_back_in_the_error_envelope(client, world, budget):
    client.force_login(world.a.partner1_admin)
    refused = post(client, f"{T}/my-mdf-requests/", request_values(planned_spend="1000.01"))
    assert (refused.status_code, refused.json()["code"], refused.json()["attr"]) == (
        400,
        "exceeds_available_funds",
        "planned_spend",
    )
    assert rows(world, MdfRequest) == []


def test_a_partner_lists_only_its_own_requests_and_cannot_read_anothers(client, world, budget):
    own = request_as(world.a, world.a.partner1, world.a.partner1_admin, title="Own")
    other = request_as(world.a, world.a.partner2, world.a.partner2_admin, title="Other")
    client.force_login(world.a.partner1_admin)
    assert [r["title"] for r in client.get(f"{T}/my-mdf-requests/").json()["results"]] == ["Own"]
    assert client.get(f"{T}/my-mdf-requests/{own.public_id}/").status_code == 200
    assert client.get(f"{T}/my-mdf-requests/{other.public_id}/").status_code == 404


def test_a_partner_files_a_multipart_claim_with_evidence(client, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.partner1_rep)
    response = client.post(
        f"{T}/my-mdf-requests/{campaign.public_id}/claim/",
        {"claimed_amount": "590", "attendees": "55", "files": [SimpleUploadedFile("invoice.pdf", PDF)]},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["claimed_amount"], response.json()["attendees"]) == ("590.00", 55)
    assert [e["original_filename"] for e in response.json()["evidence"]] == ["invoice.pdf"]
    assert len(rows(world, MdfEvidence)) == 1


def test_a_claim_with_a_disguised_file_or_on_anothers_campaign_is_refused(client, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    other = funded(world.a, world.a.partner2, world.a.partner2_admin)
    client.force_login(world.a.partner1_admin)
    fake = client.post(
        f"{T}/my-mdf-requests/{campaign.public_id}/claim/",
        {"claimed_amount": "10", "files": [SimpleUploadedFile("invoice.pdf", b"MZ not a pdf")]},
    )
    assert (fake.status_code, fake.json()["code"], fake.json()["attr"]) == (400, "content_mismatch", "files")
    foreign = client.post(
        f"{T}/my-mdf-requests/{other.public_id}/claim/", {"claimed_amount": "10", "files": [SimpleUploadedFile("i.pdf", PDF)]}
    )
    assert foreign.status_code == 404
    assert rows(world, MdfClaim) == []
