"""Isolation matrix rows for the MDF routes, and the tenant A objects they probe.

This quarter's budget (staff-only) with an allocation to partner 1; partner 1's approved campaign with a
claim and its evidence file, and partner 1's request waiting for a decision. Requests, claims and
evidence are partner 1's: partner 2's users get 404 for every id and see none of them in their pages.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _budget(o: dict) -> dict:
    return {"budget_id": o["mdf_budget"]}


def _waiting(o: dict) -> dict:
    return {"request_id": o["mdf_request_waiting"]}


def _claim(o: dict) -> dict:
    return {"claim_id": o["mdf_claim"]}


ROUTES: dict[str, Route] = {
    # vendor portal: staff only, so partner users get 404 for every id
    "mdf:campaigns": Route(no_ids, ("GET",)),
    "mdf:budgets": Route(no_ids, ("GET", "POST")),
    "mdf:budget": Route(_budget, ("GET",)),
    "mdf:budget_amount": Route(_budget, ("POST",)),
    "mdf:allocation_set": Route(_budget, ("POST",)),
    "mdf:requests": Route(no_ids, ("GET",)),
    "mdf:request_decide": Route(_waiting, ("POST",), partner_owned=True),
    "mdf:claims": Route(no_ids, ("GET",)),
    "mdf:claim_decide": Route(_claim, ("POST",), partner_owned=True),
    "mdf:claim_pay": Route(_claim, ("POST",), partner_owned=True),
    "mdf:evidence": Route(lambda o: {"evidence_id": o["mdf_evidence"]}, ("GET",), partner_owned=True),
    # partner portal: each partner its own funds, requests, claims and files
    "partner_mdf:home": Route(no_ids, ("GET",)),
    "partner_mdf:request_new": Route(no_ids, ("GET", "POST")),
    "partner_mdf:request": Route(lambda o: {"request_id": o["mdf_campaign"]}, ("GET",), partner_owned=True),
    "partner_mdf:claim_submit": Route(lambda o: {"request_id": o["mdf_campaign"]}, ("POST",), partner_owned=True),
    "partner_mdf:evidence": Route(lambda o: {"evidence_id": o["mdf_evidence"]}, ("GET",), partner_owned=True),
    # API, staff
    "api:mdf-budget-list": Route(no_ids, ("GET", "POST")),
    "api:mdf-budget-detail": Route(lambda o: {"public_id": o["mdf_budget"]}, ("GET", "PATCH")),
    "api:mdf-budget-allocations": Route(lambda o: {"public_id": o["mdf_budget"]}, ("GET", "POST")),
    "api:mdf-request-list": Route(no_ids, ("GET",)),
    "api:mdf-request-detail": Route(lambda o: {"public_id": o["mdf_request_waiting"]}, ("GET",), partner_owned=True),
    "api:mdf-request-approve": Route(lambda o: {"public_id": o["mdf_request_waiting"]}, ("POST",), partner_owned=True),
    "api:mdf-request-partial": Route(lambda o: {"public_id": o["mdf_request_waiting"]}, ("POST",), partner_owned=True),
    "api:mdf-request-reject": Route(lambda o: {"public_id": o["mdf_request_waiting"]}, ("POST",), partner_owned=True),
    "api:mdf-claim-list": Route(no_ids, ("GET",)),
    "api:mdf-claim-detail": Route(lambda o: {"public_id": o["mdf_claim"]}, ("GET",), partner_owned=True),
    "api:mdf-claim-approve": Route(lambda o: {"public_id": o["mdf_claim"]}, ("POST",), partner_owned=True),
    "api:mdf-claim-reject": Route(lambda o: {"public_id": o["mdf_claim"]}, ("POST",), partner_owned=True),
    "api:mdf-claim-pay": Route(lambda o: {"public_id": o["mdf_claim"]}, ("POST",), partner_owned=True),
    # API, partners
    "api:my-mdf-request-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:my-mdf-request-detail": Route(lambda o: {"public_id": o["mdf_campaign"]}, ("GET",), partner_owned=True),
    "api:my-mdf-request-claim": Route(lambda o: {"public_id": o["mdf_campaign"]}, ("POST",), partner_owned=True),
}


def objects(a) -> dict:
    """Tenant A's MDF objects (made inside A's tenant scope). partner1_ids: what partner 2's users must never see."""
    import datetime

    from django.utils import timezone

    from partners.mdf import services
    from partners.mdf.models import MdfClaim, MdfEvidence

    today = timezone.localdate()
    year, quarter = services.quarter_of(today)
    budget = services.budget_create(tenant=a.tenant, actor=a.owner, year=year, quarter=quarter, amount="10000")
    services.allocation_set(tenant=a.tenant, actor=a.owner, budget=budget, partner=a.partner1, amount="3000")
    values = {
        "activity_type": "event",
        "title": "Probe Campaign",
        "planned_spend": "1000",
        "start_date": today,
        "end_date": today + datetime.timedelta(days=1),
    }
    campaign = services.request_submit(tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, values=values)
    services.request_decide(tenant=a.tenant, actor=a.owner, request=campaign, decision="approve")
    waiting = services.request_submit(
        tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, values={**values, "title": "Probe Waiting"}
    )
    # The claim and its file as rows (no file is written): the routes only read them or refuse.
    claim = MdfClaim.objects.create(tenant=a.tenant, partner=a.partner1, request=campaign, claimed_amount="900")
    evidence = MdfEvidence.objects.create(
        tenant=a.tenant, partner=a.partner1, claim=claim, file="mdf-evidence/probe.pdf", original_filename="invoice.pdf", size=10
    )
    return {
        "mdf_budget": budget.public_id,
        "mdf_campaign": campaign.public_id,
        "mdf_request_waiting": waiting.public_id,
        "mdf_claim": claim.public_id,
        "mdf_evidence": evidence.public_id,
        "partner1_ids": {str(campaign.public_id), str(waiting.public_id), str(claim.public_id), str(evidence.public_id)},
    }
