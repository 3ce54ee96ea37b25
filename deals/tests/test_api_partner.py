"""The partner side of deal registration in the API (``my-registrations/``), and ``Idempotency-Key`` on its create."""

from __future__ import annotations

import datetime
import json
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone

from deals import partner_views, workflow
from deals.api import partner_views as api_views
from deals.models import CustomerAccount, DealRegistration
from ecosystem.api.idempotency import KEY_LIFETIME
from ecosystem.api.models import IdempotencyKey
from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context
from tests.fixtures import onboarding_plan_for

from .support import product_lines_for, registration_values, rules_for, submit_as

API = "/api/v1/t/alpha/my-registrations/"


@pytest.fixture(autouse=True)
def lines(request):
    cache.clear()  # the precheck's rate limit counts in the cache
    if "committed_world" in request.fixturenames:
        return  # the concurrency test commits its own world
    world = request.getfixturevalue("world")
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)


@pytest.fixture
def api(client, world):
    client.force_login(world.a.partner1_admin)
    return client


def post(client, path: str, body: dict | None = None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", headers=headers)


def registrations(world, **filters) -> list[DealRegistration]:
    with tenant_context(world.a.tenant.pk):
        return list(DealRegistration.objects.filter(**filters).order_by("submitted_at", "id"))


def body(**overrides) -> dict:
    return registration_values(**overrides)


# --- create --------------------------------------------------------------------------------------


def test_a_partner_user_registers_a_deal_and_gets_201_with_its_status(api, world):
    response = post(api, API, body())

    assert response.status_code == 201
    data = response.json()
    [registration] = registrations(world)
    assert data["id"] == str(registration.public_id)
    assert (data["status"], data["customer_name"], data["product_lines"], data["value"]) == (
        "pending",
        "Initech Inc.",
        ["compute"],
        "50000.00",
    )
    assert registration.partner_id == world.a.partner1.pk and registration.submitted_by == world.a.partner1_admin
    assert "account" not in data and "partner" not in data


def test_a_conflict_answers_201_under_review_with_a_neutral_message(api, world):
    theirs = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration

    response = post(api, API, body(customer_domain="emea.initech.example"))

    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "under_review"
    assert "may already be registered" in data["message"] and "A manager will review it." in data["message"]
    text = response.content.decode()
    assert world.a.partner2.name not in text and str(theirs.public_id) not in text


def test_an_auto_approved_deal_answers_with_its_protection_expiry(api, world):
    rules_for(world.a.tenant, auto_approve_below="100000", protection_days=30)

    data = post(api, API, body(value="900")).json()

    expiry = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert (data["status"], data["protected_until"]) == ("approved", expiry)
    assert data["message"] == f"Approved, protected until {expiry}."


def test_field_errors_come_in_the_envelope_and_write_nothing(api, world):
    missing = post(api, API, body(customer_name=""))
    bad_line = post(api, API, body(product_lines=["teleportation"]))
    bad_domain = post(api, API, body(customer_domain="nope"))

    assert missing.status_code == bad_line.status_code == bad_domain.status_code == 400
    assert missing.json()["type"] == "validation_error" and missing.json()["attr"] == "customer_name"
    assert (bad_line.json()["code"], bad_line.json()["attr"]) == ("invalid_choice", "product_lines")
    assert bad_domain.json()["attr"] == "customer_domain"
    assert registrations(world) == []
    with tenant_context(world.a.tenant.pk):
        assert not CustomerAccount.objects.exists()


def test_until_sales_access_opens_the_api_refuses_with_onboarding_incomplete(api, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)

    response = post(api, API, body())

    assert response.status_code == 403
    assert (response.json()["type"], response.json()["code"]) == ("client_error", "onboarding_incomplete")
    assert registrations(world) == []


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_answer_and_registers_once(api, world):
    first = post(api, API, body(), **{"Idempotency-Key": "4f1c-retry"})
    again = post(api, API, body(), **{"Idempotency-Key": "4f1c-retry"})

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert len(registrations(world)) == 1


def test_the_same_key_with_another_body_is_422_and_registers_nothing_more(api, world):
    post(api, API, body(), **{"Idempotency-Key": "k-1"})

    response = post(api, API, body(value="75000"), **{"Idempotency-Key": "k-1"})

    assert response.status_code == 422
    assert (response.json()["type"], response.json()["code"]) == ("client_error", "idempotency_key_reused")
    assert len(registrations(world)) == 1


def test_keys_belong_to_one_caller_and_errors_are_not_remembered(api, client, world):
    bad = post(api, API, body(customer_name=""), **{"Idempotency-Key": "k-2"})
    fixed = post(api, API, body(), **{"Idempotency-Key": "k-2"})  # the corrected retry runs
    api.force_login(world.a.partner1_rep)
    colleague = post(api, API, body(customer_name="Hooli", customer_domain="hooli.example"), **{"Idempotency-Key": "k-2"})

    assert (bad.status_code, fixed.status_code, colleague.status_code) == (400, 201, 201)
    assert len(registrations(world)) == 2
    with tenant_context(world.a.tenant.pk):
        rows = list(IdempotencyKey.objects.order_by("id").values_list("caller", "response_status", "partner_id"))
    assert rows == [
        (f"user:{world.a.partner1_admin.pk}", 201, world.a.partner1.pk),
        (f"user:{world.a.partner1_rep.pk}", 201, world.a.partner1.pk),
    ]


def test_a_key_older_than_24_hours_is_new_again(api, world):
    post(api, API, body(), **{"Idempotency-Key": "k-3"})
    with tenant_context(world.a.tenant.pk):
        IdempotencyKey.objects.update(created_at=timezone.now() - KEY_LIFETIME - datetime.timedelta(minutes=1))

    response = post(api, API, body(customer_name="Hooli", customer_domain="hooli.example"), **{"Idempotency-Key": "k-3"})

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert len(registrations(world)) == 2


def test_a_key_that_is_too_long_is_refused(api, world):
    response = post(api, API, body(), **{"Idempotency-Key": "x" * 256})

    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert registrations(world) == []


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_register_once(committed_world, monkeypatch):
    """The second request's key insert waits on the unique index for the first's transaction, then replays it."""
    world = committed_world
    product_lines_for(world.a.tenant)
    real_submit = api_views.registration_submit

    def slow_submit(**kwargs):
        time.sleep(0.5)  # hold the first transaction open while the second arrives
        return real_submit(**kwargs)

    monkeypatch.setattr(api_views, "registration_submit", slow_submit)
    start = threading.Barrier(2)
    answers: list = [None, None]

    def one(index: int) -> None:
        try:
            client = Client()
            client.force_login(world.a.partner1_admin)
            start.wait(timeout=30)
            answers[index] = post(client, API, body(), **{"Idempotency-Key": "same-time"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert len(registrations(world)) == 1


# --- read ----------------------------------------------------------------------------------------


def test_the_list_holds_the_organisations_own_registrations_filtered_by_status(api, world):
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration
    approved = submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Hooli", customer_domain="hooli.example"
    ).registration
    theirs = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Pied Piper", customer_domain="pp.example"
    ).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=approved)

    everything = api.get(API).json()["results"]
    only_approved = api.get(API, {"status": "approved"}).json()["results"]

    assert [r["id"] for r in everything] == [str(approved.public_id), str(mine.public_id)]
    assert [r["id"] for r in only_approved] == [str(approved.public_id)]
    assert str(theirs.public_id) not in api.get(API).content.decode()


def test_the_detail_shows_history_and_the_evidence_that_applies_never_the_other_partner(api, world):
    theirs = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    response = api.get(f"{API}{mine.public_id}/")

    data = response.json()
    assert response.status_code == 200
    assert [(h["action"], h["rule"]) for h in data["history"]] == [("submitted", "conflict:registered")]
    assert data["evidence"]["first_submitted_at"] is not None and data["evidence"]["rule"] == "conflict:registered"
    text = response.content.decode()
    assert str(theirs.public_id) not in text and world.a.partner2.name not in text


def test_another_partners_registration_is_not_found_and_its_actions_change_nothing(api, world):
    theirs = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration

    assert api.get(f"{API}{theirs.public_id}/").status_code == 404
    for action, payload in (
        ("stage", {"stage": "proposal"}),
        ("withdraw", {}),
        ("appeal", {"reason": "x"}),
        ("extension", {"reason": "x"}),
        ("info", {"answer": "x"}),
    ):
        response = post(api, f"{API}{theirs.public_id}/{action}/", payload)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), action
    [after] = registrations(world, pk=theirs.pk)
    assert (after.status, after.stage) == ("pending", "qualification")


def test_another_tenants_registration_is_not_found(api, world):
    foreign = submit_as(world.b.tenant, world.b.partner1, world.b.partner1_admin).registration

    assert api.get(f"{API}{foreign.public_id}/").status_code == 404


def test_staff_and_api_keys_are_refused_with_partner_only(client, world):
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope="write")
    key = {"Authorization": f"Bearer {issued.plaintext}"}
    client.force_login(world.a.manager)

    answers = [
        client.get(API),
        post(client, API, body()),
        client.get(f"{API}{mine.public_id}/"),
        post(client, f"{API}{mine.public_id}/withdraw/"),
        client.get(API, headers=key),
        post(client, API, body(), **key),
        post(client, f"{API}precheck/", {"customer_name": "Initech", "customer_domain": "initech.example"}, **key),
    ]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(403, "partner_only")] * len(answers)
    assert registrations(world) == [mine] and registrations(world)[0].status == "pending"


# --- the precheck and the actions ----------------------------------------------------------------


def test_the_precheck_answers_three_neutral_outcomes(api, world):
    check = {"customer_name": "Initech", "customer_domain": "initech.example"}
    clear = post(api, f"{API}precheck/", check).json()
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin)
    likely = post(api, f"{API}precheck/", check)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep, product_lines=["data"])
    yours = post(api, f"{API}precheck/", {**check, "product_lines": ["data"]}).json()

    assert clear["outcome"] == "clear"
    assert likely.json()["outcome"] == "likely_conflict" and world.a.partner2.name not in likely.content.decode()
    assert yours["outcome"] == "yours"


def test_the_precheck_is_rate_limited_per_user(api, world, monkeypatch):
    monkeypatch.setattr(partner_views, "PRECHECK_LIMIT", 2)

    answers = [post(api, f"{API}precheck/", {"customer_name": f"C{n}", "customer_domain": f"c{n}.example"}) for n in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert (answers[2].json()["type"], answers[2].json()["code"]) == ("client_error", "throttled")


def test_the_partner_closes_won_then_cannot_withdraw(api, world):
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    today = timezone.localdate().isoformat()

    won = post(api, f"{API}{mine.public_id}/stage/", {"stage": "closed_won", "closed_amount": "48000", "closed_on": today})
    withdraw = post(api, f"{API}{mine.public_id}/withdraw/")

    assert won.status_code == 200
    assert (won.json()["status"], won.json()["closed_amount"], won.json()["history"][-1]["rule"]) == (
        "won",
        "48000.00",
        "closed_won",
    )
    assert withdraw.status_code == 400 and withdraw.json()["type"] == "validation_error"


def test_a_rejected_registration_is_appealed_once_and_an_approved_one_extended(api, world):
    rejected = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    rules_for(world.a.tenant, auto_approve_below="100000")
    approved = submit_as(
        world.a.tenant,
        world.a.partner1,
        world.a.partner1_admin,
        customer_name="Hooli",
        customer_domain="hooli.example",
        value="5",
    ).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_reject(tenant=world.a.tenant, actor=world.a.manager, registration=rejected, reason="No fit.")

    appeal = post(api, f"{API}{rejected.public_id}/appeal/", {"reason": "We met them first."})
    twice = post(api, f"{API}{rejected.public_id}/appeal/", {"reason": "Again."})
    extension = post(api, f"{API}{approved.public_id}/extension/", {"reason": "Budget in Q3."})
    detail = api.get(f"{API}{rejected.public_id}/").json()

    assert (appeal.status_code, appeal.json()["status"]) == (201, "open")
    assert (twice.status_code, twice.json()["code"]) == (409, "appealed")
    assert (extension.status_code, extension.json()["status"]) == (201, "requested")
    assert detail["appeal"]["reason"] == "We met them first." and detail["evidence"]["rule"] == "manager_rejection"


def test_the_partner_answers_an_information_request(api, world):
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_request_info(tenant=world.a.tenant, actor=world.a.manager, registration=mine, question="Budget?")

    response = post(api, f"{API}{mine.public_id}/info/", {"answer": "Approved by the CFO."})

    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert response.json()["history"][-1]["reason"] == "Approved by the CFO."
