"""The partner portal's deal pages: register (with the precheck and the gate), my registrations, one registration, rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import partner_views, workflow
from deals.models import DealRegistration, RegistrationAppeal, RegistrationDecision, RegistrationExtension
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, Tier
from tests.fixtures import onboarding_plan_for

from .support import product_lines_for, registration_values, rules_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)
    cache.clear()  # the precheck's rate limit counts in the cache


def url(name: str, **kwargs) -> str:
    return reverse(f"partner_deals:{name}", kwargs={"tenant_slug": "alpha", **kwargs})


def registrations(world, **filters) -> list[DealRegistration]:
    with tenant_context(world.a.tenant.pk):
        return list(DealRegistration.objects.filter(**filters).order_by("submitted_at", "id"))


def form_data(**overrides) -> dict:
    values = registration_values(**overrides)
    return {key: value for key, value in values.items() if value is not None}


@pytest.fixture
def partner1_client(client, world):
    client.force_login(world.a.partner1_admin)
    return client


# --- register ------------------------------------------------------------------------------------


def test_a_partner_registers_a_deal_and_lands_on_its_page_pending_review(partner1_client, world):
    page = partner1_client.get(url("register"))
    assert page.status_code == 200
    assert 'value="compute"' in page.content.decode() and "Security" in page.content.decode()  # the program's lines

    response = partner1_client.post(url("register"), form_data(product_lines=["compute", "data"]))

    [registration] = registrations(world)
    assert response.status_code == 302
    assert response["Location"] == url("detail", registration_id=registration.public_id)
    assert (registration.partner_id, registration.status, registration.product_lines) == (
        world.a.partner1.pk,
        "pending",
        ["compute", "data"],
    )
    assert registration.submitted_by == world.a.partner1_admin
    detail = partner1_client.get(response["Location"]).content.decode()
    assert "Pending review" in detail and "Initech Inc." in detail


def test_a_conflicting_registration_reads_conflict_under_review_and_names_nobody(partner1_client, world):
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin)

    response = partner1_client.post(url("register"), form_data(), follow=True)

    body = response.content.decode()
    assert "Conflict, under review" in body
    assert world.a.partner2.name not in body and str(world.a.partner2.public_id) not in body
    assert registrations(world, partner=world.a.partner1)[0].status == "under_review"


def test_an_auto_approved_registration_reads_approved_protected_until_its_expiry(partner1_client, world):
    rules_for(world.a.tenant, auto_approve_below="100000", protection_days=45)

    response = partner1_client.post(url("register"), form_data(value="5000"), follow=True)

    expiry = timezone.localdate() + datetime.timedelta(days=45)
    [registration] = registrations(world)
    assert registration.protected_until == expiry
    assert "Approved, protected until" in response.content.decode()


def test_errors_keep_what_was_typed_and_sit_next_to_their_field(partner1_client, world):
    response = partner1_client.post(
        url("register"), form_data(customer_domain="not a domain", contact_name="Peter Gibbons", notes="Call on Monday")
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Initech Inc."' in body and 'value="Peter Gibbons"' in body and "Call on Monday" in body
    assert 'name="customer_domain" id="id_customer_domain" value="not a domain" class="form-control is-invalid"' in body
    assert registrations(world) == []


def test_a_form_without_product_lines_says_so_and_writes_nothing(partner1_client, world):
    data = form_data()
    del data["product_lines"]

    response = partner1_client.post(url("register"), data)

    assert response.status_code == 400
    assert 'id="id_product_lines"' in response.content.decode() and "This field is required." in response.content.decode()
    assert registrations(world) == []


def test_until_the_gate_opens_the_page_lists_the_missing_steps_and_the_service_refuses(partner1_client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)

    page = partner1_client.get(url("register")).content.decode()
    response = partner1_client.post(url("register"), form_data())

    assert 'data-testid="gate-closed"' in page and "Sign the partner agreement" in page
    assert 'data-testid="registration-form"' not in page
    assert response.status_code == 403
    assert "Finish onboarding first" in response.content.decode()
    assert registrations(world) == []


def test_vendor_staff_have_no_partner_deal_pages(client, world):
    client.force_login(world.a.manager)

    assert client.get(url("register")).status_code == 404
    assert client.get(url("list")).status_code == 404


# --- the precheck --------------------------------------------------------------------------------


def precheck(client, **values):
    data = {"customer_name": "Initech", "customer_domain": "initech.example", **values}
    return client.post(url("precheck"), data, headers={"HX-Request": "true"})


def test_the_precheck_says_looks_new_for_an_unknown_customer(partner1_client, world):
    response = precheck(partner1_client)

    assert response.status_code == 200
    assert 'data-outcome="clear"' in response.content.decode() and "Looks new" in response.content.decode()


def test_the_precheck_warns_of_another_registration_without_saying_whose(partner1_client, world):
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin)

    response = precheck(partner1_client, customer_domain="www.initech.example")

    body = response.content.decode()
    assert 'data-outcome="likely_conflict"' in body
    assert "You can still submit; a manager will review it." in body
    assert world.a.partner2.name not in body and "MSP" not in body


def test_the_precheck_recognises_the_partners_own_registration(partner1_client, world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep)

    response = precheck(partner1_client, product_lines=["compute"])

    assert 'data-outcome="yours"' in response.content.decode()
    assert "Your organisation already registered this customer." in response.content.decode()


def test_the_precheck_with_half_a_customer_asks_for_the_rest_and_counts_nothing(partner1_client, world, monkeypatch):
    monkeypatch.setattr(partner_views, "PRECHECK_LIMIT", 1)

    for _ in range(3):
        response = precheck(partner1_client, customer_domain="")
        assert response.status_code == 200 and 'data-outcome=""' in response.content.decode()

    assert 'data-outcome="clear"' in precheck(partner1_client).content.decode()  # the limit was not spent


def test_the_precheck_is_rate_limited_per_user_so_it_cannot_scan(client, world, monkeypatch):
    monkeypatch.setattr(partner_views, "PRECHECK_LIMIT", 3)
    client.force_login(world.a.partner1_admin)
    answers = [precheck(client, customer_name=f"Customer {n}", customer_domain=f"c{n}.example") for n in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 'data-outcome="throttled"' in answers[3].content.decode()
    client.force_login(world.a.partner1_rep)  # another person has their own allowance
    assert precheck(client).status_code == 200


def test_the_precheck_stays_silent_until_the_gate_opens(partner1_client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin)

    body = precheck(partner1_client).content.decode()

    assert 'data-outcome=""' in body and "Finish onboarding first" in body


# --- my registrations ----------------------------------------------------------------------------


def submit_many(world, count: int, partner=None, user=None) -> list[DealRegistration]:
    partner, user = partner or world.a.partner1, user or world.a.partner1_admin
    return [
        submit_as(
            world.a.tenant, partner, user, customer_name=f"Customer {n}", customer_domain=f"customer{n}.example"
        ).registration
        for n in range(count)
    ]


def test_my_registrations_lists_the_organisations_own_and_not_the_other_partners(partner1_client, world):
    mine = submit_many(world, 2, user=world.a.partner1_rep)
    theirs = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Hooli", customer_domain="hooli.example"
    ).registration

    body = partner1_client.get(url("list")).content.decode()

    assert all(str(r.public_id) in body for r in mine)  # a colleague's registrations too
    assert str(theirs.public_id) not in body and "Hooli" not in body


def test_my_registrations_filter_by_status_and_stage(partner1_client, world):
    first, second = submit_many(world, 2)
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=second.pk).update(status="approved", stage="proposal")

    by_status = partner1_client.get(url("list"), {"status": "approved"}).content.decode()
    by_stage = partner1_client.get(url("list"), {"stage": "qualification"}, headers={"HX-Request": "true"}).content.decode()

    assert str(second.public_id) in by_status and str(first.public_id) not in by_status
    assert str(first.public_id) in by_stage and str(second.public_id) not in by_stage
    assert '<nav class="navbar' not in by_stage  # HTMX gets the results partial only


def test_my_registrations_paginate(partner1_client, world, monkeypatch):
    monkeypatch.setattr(partner_views, "PAGE_SIZE", 2)
    made = submit_many(world, 3)

    first = partner1_client.get(url("list")).content.decode()
    second = partner1_client.get(url("list"), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and str(made[0].public_id) in second and str(made[0].public_id) not in first


@pytest.mark.parametrize("count", [1, 10])
def test_my_registrations_cost_the_same_queries_for_1_or_10_rows(partner1_client, world, count):
    submit_many(world, count)
    partner1_client.get(url("list"))  # warm the session and the content types

    with CaptureQueriesContext(connection) as queries:
        response = partner1_client.get(url("list"))

    assert response.status_code == 200 and response.content.decode().count("data-registration=") == count
    assert len(queries) == 16, "\n".join(q["sql"][:150] for q in queries.captured_queries)


# The list page, whatever the number of rows (statements as the database sees them):
#  1 session   2 user   3 tenant by slug
#  4 savepoint + 5 set_config: the tenant scope opens (one transaction per request)
#  6 membership   7 set_config: narrowed to the partner (restrict_to_partner)
#  8 count of my registrations (the paginator)
#  9 savepoint + 10 set_config + 11 memberships + 12 set_config + 13 release: the tenant switcher in the nav
# 14 the page of registrations (every column the row shows is on the row: no joins, no N+1)
# 15 release savepoint   16 set_config: the scope closes


# --- one registration ----------------------------------------------------------------------------


def test_the_registration_page_shows_its_history_with_rule_and_reason(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    body = partner1_client.get(url("detail", registration_id=registration.public_id)).content.decode()

    assert 'data-testid="history"' in body
    assert "first_submission" in body and "Received first for this customer; waiting for a manager." in body


def test_an_under_review_registration_shows_the_evidence_that_applies_to_it_and_not_the_other_partner(partner1_client, world):
    theirs = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration
    mine = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    body = partner1_client.get(url("detail", registration_id=mine.public_id)).content.decode()

    assert 'data-testid="evidence"' in body and "conflict:registered" in body
    assert 'data-testid="evidence-first"' in body and 'data-testid="evidence-yours"' in body
    for secret in (world.a.partner2.name, str(world.a.partner2.public_id), str(theirs.public_id), "Alpha MSP"):
        assert secret not in body


def test_another_partners_registration_is_not_found_and_its_actions_change_nothing(partner1_client, world):
    theirs = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration

    assert partner1_client.get(url("detail", registration_id=theirs.public_id)).status_code == 404
    for action in ("info", "stage", "withdraw", "appeal", "extension"):
        response = partner1_client.post(url(action, registration_id=theirs.public_id), {"stage": "proposal", "reason": "x"})
        assert response.status_code == 404, action
    [after] = registrations(world, pk=theirs.pk)
    assert (after.status, after.stage) == ("pending", theirs.stage)


def test_another_tenants_registration_is_not_found(partner1_client, world):
    product_lines_for(world.b.tenant)
    foreign = submit_as(world.b.tenant, world.b.partner1, world.b.partner1_admin).registration

    assert partner1_client.get(url("detail", registration_id=foreign.public_id)).status_code == 404


# --- what the partner does next ------------------------------------------------------------------


def test_the_partner_moves_the_stage_and_closes_the_deal_won(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    today = timezone.localdate().isoformat()

    moved = partner1_client.post(url("stage", registration_id=registration.public_id), {"stage": "proposal"})
    won = partner1_client.post(
        url("stage", registration_id=registration.public_id),
        {"stage": "closed_won", "closed_amount": "48000", "closed_on": today},
    )

    assert moved.status_code == won.status_code == 302
    [after] = registrations(world)
    assert (after.status, after.stage, str(after.closed_amount), after.closed_on.isoformat()) == (
        "won",
        "closed_won",
        "48000.00",
        today,
    )


def test_closing_won_without_an_amount_keeps_the_form_and_says_why(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    response = partner1_client.post(url("stage", registration_id=registration.public_id), {"stage": "closed_won"})

    assert response.status_code == 400
    assert "Enter the amount the deal closed for." in response.content.decode()
    assert registrations(world)[0].status == "pending"


def test_the_partner_answers_an_information_request(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_request_info(
            tenant=world.a.tenant, actor=world.a.manager, registration=registration, question="Who is the budget holder?"
        )

    page = partner1_client.get(url("detail", registration_id=registration.public_id)).content.decode()
    response = partner1_client.post(url("info", registration_id=registration.public_id), {"answer": "The CFO."})

    assert "Who is the budget holder?" in page and 'data-testid="info-form"' in page
    assert response.status_code == 302
    assert registrations(world)[0].status == "pending"
    with tenant_context(world.a.tenant.pk):
        assert RegistrationDecision.objects.filter(action="info_provided", reason="The CFO.").exists()


def test_the_partner_withdraws_its_registration(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    response = partner1_client.post(url("withdraw", registration_id=registration.public_id))

    assert response.status_code == 302 and registrations(world)[0].status == "withdrawn"
    again = partner1_client.post(url("withdraw", registration_id=registration.public_id), follow=True)
    assert "This registration has ended already." in again.content.decode()


def test_a_rejected_registration_is_appealed_once(partner1_client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_reject(tenant=world.a.tenant, actor=world.a.manager, registration=registration, reason="No fit.")

    page = partner1_client.get(url("detail", registration_id=registration.public_id)).content.decode()
    response = partner1_client.post(url("appeal", registration_id=registration.public_id), {"reason": "We met them first."})
    again = partner1_client.post(url("appeal", registration_id=registration.public_id), {"reason": "Please."})

    assert 'data-testid="appeal-form"' in page and 'data-testid="evidence"' in page
    assert response.status_code == 302
    assert again.status_code == 400 and "appealed once" in again.content.decode()
    with tenant_context(world.a.tenant.pk):
        appeal = RegistrationAppeal.objects.get()
    assert appeal.assigned_to == world.a.owner  # not the manager who rejected it


def test_an_approved_registration_asks_for_an_extension(partner1_client, world):
    rules_for(world.a.tenant, auto_approve_below="100000")
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, value="10").registration

    empty = partner1_client.post(url("extension", registration_id=registration.public_id), {"reason": ""})
    response = partner1_client.post(url("extension", registration_id=registration.public_id), {"reason": "Board meets in Q3."})

    assert empty.status_code == 400
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert RegistrationExtension.objects.get().status == "requested"
    page = partner1_client.get(url("detail", registration_id=registration.public_id)).content.decode()
    assert 'data-testid="extension-form"' not in page and "Board meets in Q3." in page


# --- the rules -----------------------------------------------------------------------------------


def test_the_rules_page_publishes_the_programs_rules_in_plain_words(partner1_client, world):
    rules_for(
        world.a.tenant, protection_days=60, auto_approve_below="25000", approval_sla_hours=36, notes="Renewals are not deals."
    )
    with tenant_context(world.a.tenant.pk):
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2, deal_protection_days=120)
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=gold)

    body = partner1_client.get(url("rules")).content.decode()

    assert "protected for 60 days" in body
    assert "Gold: 120 days" in body and "(your tier)" in body
    assert "below 25,000.00 USD is approved at once" in body
    assert "within 36 hours" in body
    assert "Never: an approved registration is the partner" in body
    assert "Renewals are not deals." in body
