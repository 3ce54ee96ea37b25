"""MDF pages: the partner's funds, requests and claims with evidence; the vendor's budgets, queues and
campaigns with ROPI; roles, ownership, bad input kept, attachments, CSV and query budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from partners.mdf.models import MdfAllocation, MdfBudget, MdfClaim, MdfEvidence, MdfRequest

from .support import PDF, budget_for, claim_as, claim_decide, funded, pdf, request_as, request_values, this_quarter


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def partner_admin(client, world):
    client.force_login(world.a.partner1_admin)
    return client


@pytest.fixture
def budget(world):
    return budget_for(world.a, "10000", allocations={world.a.partner1: "3000", world.a.partner2: "2000"})


# --- partner portal --------------------------------------------------------------------------------


def test_the_partner_sees_its_funds_this_quarter_and_its_own_requests_only(partner_admin, world, budget):
    funded(world.a, world.a.partner1, world.a.partner1_admin, spend="1000", title="Own booth")
    request_as(world.a, world.a.partner2, world.a.partner2_admin, title="Other partner roadshow")

    page = partner_admin.get(url("partner_mdf:home")).content.decode()

    assert "Own booth" in page and "Other partner roadshow" not in page
    year, quarter = this_quarter()
    assert f"Q{quarter} {year}" in page and "2,000.00 USD" in page  # 3,000 allocated − 1,000 approved


def test_the_partner_requests_funds_and_lands_on_the_request(partner_admin, world, budget):
    response = partner_admin.post(url("partner_mdf:request_new"), request_values(planned_spend="2500"))

    [created] = rows(world, MdfRequest)
    assert response.status_code == 302 and response["Location"] == url("partner_mdf:request", request_id=created.public_id)
    assert (created.partner_id, created.planned_spend, created.status) == (world.a.partner1.pk, Decimal("2500.00"), "submitted")


def test_a_request_above_the_funds_re_renders_with_the_error_and_the_typed_values(partner_admin, world, budget):
    response = partner_admin.post(url("partner_mdf:request_new"), request_values(planned_spend="3000.01", title="Typed title"))

    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Typed title"' in body and "is-invalid" in body and "You have 3000.00 USD available" in body
    assert rows(world, MdfRequest) == []


def test_the_partner_claims_with_a_file_and_downloads_it_as_an_attachment(partner_admin, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    detail = partner_admin.get(url("partner_mdf:request", request_id=campaign.public_id)).content.decode()
    assert 'data-testid="claim-form"' in detail

    response = partner_admin.post(
        url("partner_mdf:claim_submit", request_id=campaign.public_id),
        {"claimed_amount": "550", "leads_generated": "9", "attendees": "70", "files": [pdf()]},
    )

    assert response.status_code == 302
    [claim] = rows(world, MdfClaim)
    [evidence] = rows(world, MdfEvidence)
    assert (claim.claimed_amount, claim.leads_generated, evidence.claim_id) == (Decimal("550.00"), 9, claim.pk)
    download = partner_admin.get(url("partner_mdf:evidence", evidence_id=evidence.public_id))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert (
        'data-testid="claim-form"'
        not in partner_admin.get(url("partner_mdf:request", request_id=campaign.public_id)).content.decode()
    )


def test_a_claim_without_a_file_re_renders_with_the_error_and_the_typed_values(partner_admin, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    response = partner_admin.post(
        url("partner_mdf:claim_submit", request_id=campaign.public_id), {"claimed_amount": "432.10", "notes": "Typed notes"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Attach at least one invoice" in body
    assert 'value="432.10"' in body and "Typed notes" in body
    assert rows(world, MdfClaim) == []


def test_another_partners_request_claim_and_evidence_are_not_found(client, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    claim = claim_as(world.a, world.a.partner1, world.a.partner1_admin, campaign)
    [evidence] = rows(world, MdfEvidence)
    client.force_login(world.a.partner2_admin)

    assert client.get(url("partner_mdf:request", request_id=campaign.public_id)).status_code == 404
    assert client.get(url("partner_mdf:evidence", evidence_id=evidence.public_id)).status_code == 404
    response = client.post(
        url("partner_mdf:claim_submit", request_id=campaign.public_id), {"claimed_amount": "1", "files": [pdf()]}
    )
    assert response.status_code == 404
    assert rows(world, MdfClaim) == [claim]


# --- vendor portal ---------------------------------------------------------------------------------


def test_a_manager_creates_a_budget_and_allocates_it_to_a_partner_and_a_tier(manager, world):
    from partners.models import Tier

    with tenant_context(world.a.tenant.pk):
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2)
    response = manager.post(url("mdf:budgets"), {"year": "2031", "quarter": "2", "amount": "50000"})
    [created] = rows(world, MdfBudget)
    assert response.status_code == 302 and (created.year, created.quarter, created.amount) == (2031, 2, Decimal("50000.00"))

    allocate = url("mdf:allocation_set", budget_id=created.public_id)
    assert manager.post(allocate, {"partner": str(world.a.partner1.public_id), "amount": "5000"}).status_code == 302
    assert manager.post(allocate, {"tier": str(gold.public_id), "amount": "1500"}).status_code == 302
    both = manager.post(allocate, {"partner": str(world.a.partner1.public_id), "tier": str(gold.public_id), "amount": "1"})
    assert both.status_code == 400 and "not both" in both.content.decode()
    allocations = {(a.partner_id, a.tier_id): a.amount for a in rows(world, MdfAllocation)}
    assert allocations == {(world.a.partner1.pk, None): Decimal("5000.00"), (None, gold.pk): Decimal("1500.00")}
    page = manager.get(url("mdf:budget", budget_id=created.public_id)).content.decode()
    assert "Each Gold partner" in page and "Alpha Reseller" in page


def test_a_second_budget_for_a_quarter_is_refused_with_the_typed_values(manager, world, budget):
    response = manager.post(url("mdf:budgets"), {"year": str(budget.year), "quarter": str(budget.quarter), "amount": "777"})
    assert response.status_code == 409 and "has a budget already" in response.content.decode()
    assert 'value="777"' in response.content.decode() and len(rows(world, MdfBudget)) == 1


def test_the_queue_shows_the_partners_remaining_funds_and_a_manager_decides(manager, world, budget):
    funded(world.a, world.a.partner1, world.a.partner1_admin, spend="1000", title="Done")
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="800", title="Waiting")

    page = manager.get(url("mdf:requests")).content.decode()
    assert "Waiting" in page and "Done" not in page  # waiting for a decision by default
    assert '<td class="text-end" data-testid="partner-remaining">2,000.00' in page
    # the approving manager sees the predicted return; with no past campaign yet, why there is none
    assert 'data-testid="predicted-return"' in page and "Too few past campaigns to predict from: 0" in page

    response = manager.post(url("mdf:request_decide", request_id=waiting.public_id), {"decision": "partial", "amount": "500"})
    assert response.status_code == 302
    assert rows(world, MdfRequest, pk=waiting.pk)[0].approved_amount == Decimal("500.00")


def test_a_refused_decision_says_why_and_changes_nothing(manager, world, budget):
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="800")
    response = manager.post(url("mdf:request_decide", request_id=waiting.public_id), {"decision": "reject"}, follow=True)
    assert "Give the partner a reason." in response.content.decode()
    assert rows(world, MdfRequest)[0].status == "submitted"


def test_an_analyst_reads_the_queues_but_cannot_decide(client, world, budget):
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.analyst)
    assert client.get(url("mdf:requests")).status_code == 200
    assert client.post(url("mdf:request_decide", request_id=waiting.public_id), {"decision": "approve"}).status_code == 403
    assert client.post(url("mdf:budgets"), {"year": "2032", "quarter": "1", "amount": "1"}).status_code == 403
    assert rows(world, MdfRequest)[0].status == "submitted" and len(rows(world, MdfBudget)) == 1


def test_partner_users_get_404_on_vendor_pages(client, world, budget):
    client.force_login(world.a.partner1_admin)
    assert client.get(url("mdf:requests")).status_code == 404
    assert client.get(url("mdf:campaigns")).status_code == 404


def test_the_claims_queue_serves_evidence_and_a_manager_approves_then_pays(manager, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin)
    claim = claim_as(world.a, world.a.partner1, world.a.partner1_admin, campaign, amount="420")
    [evidence] = rows(world, MdfEvidence)

    page = manager.get(url("mdf:claims")).content.decode()
    assert url("mdf:evidence", evidence_id=evidence.public_id) in page
    download = manager.get(url("mdf:evidence", evidence_id=evidence.public_id))
    assert download["Content-Disposition"] == 'attachment; filename="invoice.pdf"'

    assert manager.post(url("mdf:claim_decide", claim_id=claim.public_id), {"decision": "approve"}).status_code == 302
    assert manager.post(url("mdf:claim_pay", claim_id=claim.public_id)).status_code == 302
    assert rows(world, MdfClaim)[0].status == "paid" and rows(world, MdfRequest)[0].status == "completed"


def test_the_campaigns_page_shows_spend_and_ropi_and_exports_csv(manager, world, budget):
    campaign = funded(world.a, world.a.partner1, world.a.partner1_admin, spend="1000", title="=Booth")
    claim_decide(world.a, claim_as(world.a, world.a.partner1, world.a.partner1_admin, campaign, amount="800"))

    page = manager.get(url("mdf:campaigns")).content.decode()
    assert 'data-testid="campaign-spend">800.00' in page and 'data-testid="program-ropi">0.00' in page

    export = manager.get(url("mdf:campaigns"), {"export": "csv"})
    lines = export.content.decode().splitlines()
    assert export["Content-Disposition"].startswith("attachment;")
    assert lines[0].startswith("id,partner,campaign") and "'=Booth" in lines[1] and ",800.00," in lines[1]


# --- query budgets ---------------------------------------------------------------------------------


def _make_requests(world, count: int) -> None:
    for n in range(count):
        partner, user = (world.a.partner1, world.a.partner1_admin) if n % 2 else (world.a.partner2, world.a.partner2_admin)
        request_as(world.a, partner, user, planned_spend="10", title=f"Request {n}")


@pytest.mark.parametrize("count", [1, 8])
def test_the_request_queue_costs_the_same_queries_for_1_or_8_rows(manager, world, budget, count, django_assert_num_queries):
    _make_requests(world, count)
    manager.get(url("mdf:requests"))  # warm the session
    with django_assert_num_queries(QUEUE_QUERIES):
        response = manager.get(url("mdf:requests"))
    assert response.content.decode().count('data-testid="request-row"') == count


@pytest.mark.parametrize("count", [1, 4])
def test_the_claims_queue_costs_the_same_queries_for_1_or_4_rows(manager, world, count, django_assert_num_queries):
    budget_for(world.a, "10000", allocations={world.a.partner1: "5000"})
    for n in range(count):
        claim_as(
            world.a,
            world.a.partner1,
            world.a.partner1_admin,
            funded(world.a, world.a.partner1, world.a.partner1_admin, spend="10", title=f"C{n}"),
            amount="5",
        )
    manager.get(url("mdf:claims"))
    with django_assert_num_queries(CLAIMS_QUERIES):
        response = manager.get(url("mdf:claims"))
    assert response.content.decode().count('data-testid="claim-row"') == count


@pytest.mark.parametrize("count", [1, 6])
def test_the_campaigns_page_costs_the_same_queries_for_1_or_6_rows(manager, world, budget, count, django_assert_num_queries):
    for n in range(count):
        funded(world.a, world.a.partner1, world.a.partner1_admin, spend="10", title=f"Campaign {n}")
    manager.get(url("mdf:campaigns"))
    with django_assert_num_queries(CAMPAIGNS_QUERIES):
        response = manager.get(url("mdf:campaigns"))
    assert response.content.decode().count('data-testid="campaign-row"') == count


@pytest.mark.parametrize("count", [1, 6])
def test_my_requests_cost_the_same_queries_for_1_or_6_rows(partner_admin, world, budget, count, django_assert_num_queries):
    for n in range(count):
        request_as(world.a, world.a.partner1, world.a.partner1_admin, planned_spend="10", title=f"Mine {n}")
    partner_admin.get(url("partner_mdf:home"))
    with django_assert_num_queries(PARTNER_HOME_QUERIES):
        response = partner_admin.get(url("partner_mdf:home"))
    assert response.content.decode().count('data-testid="my-request-row"') == count


# Every page opens and closes the same way (statements as the database sees them): 1 session, 2 user,
# 3 tenant by slug, 4 savepoint + 5 set_config (the tenant scope opens), 6 membership; then the tenant
# switcher in the nav (savepoint, set_config, memberships, set_config, release) and the scope closing
# (release savepoint, set_config): 13 statements whatever the page.
# The request queue: + count (paginator) + the page of requests with the partner's funds (one statement:
# own allocation, tier allocation, committed and budget left as subqueries, partner and budget joined)
# + the past campaigns the waiting requests' predicted returns are computed from (scoring.mdf_return).
QUEUE_QUERIES = 13 + 3
# The claims queue: + count + the page of claims (request and partner joined) + the evidence of the page.
CLAIMS_QUERIES = 13 + 3
# Campaigns: + program currency + count + the per-partner sums + the program sums + the page of campaigns
# with every figure (each one statement of scalar subqueries).
CAMPAIGNS_QUERIES = 13 + 5
# The partner's page: + set_config narrowing to the partner; the quarter's budget and the partner's
# allocations, each read across partners (savepoint, set_config, select, release, set_config back: 5 + 5);
# the committed sum; count; the page of requests with each one's latest claim status (one statement).
PARTNER_HOME_QUERIES = 13 + 14
