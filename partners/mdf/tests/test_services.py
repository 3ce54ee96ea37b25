"""MDF services: budgets and allocations, requests within the partner's funds, decisions that never overspend,
claims with evidence, payment. Each refusal also checks that nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_context
from partners.mdf import services
from partners.mdf.models import MdfAllocation, MdfClaim, MdfEvidence, MdfRequest
from partners.models import Tier

from .support import (
    PNG,
    as_manager,
    budget_for,
    claim_as,
    claim_decide,
    decide,
    funded,
    pay,
    pdf,
    request_as,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


def audit_actions(world) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action__startswith="mdf.").order_by("id").values_list("action", flat=True))


# --- budgets and allocations -----------------------------------------------------------------------


def test_a_budget_is_in_the_program_currency_and_one_per_quarter(world):
    from deals.tests.support import rules_for

    rules_for(world.a.tenant, currency="EUR")
    budget = budget_for(world.a, "5000")
    assert (budget.currency, budget.amount) == ("EUR", Decimal("5000.00"))
    with as_manager(world.a), pytest.raises(ConflictError) as refused:
        services.budget_create(tenant=world.a.tenant, actor=world.a.manager, year=budget.year, quarter=budget.quarter, amount="1")
    assert (refused.value.code, refused.value.field) == ("budget_exists", "quarter")


def test_available_funds_are_the_own_allocation_else_the_tier_allocation_else_nothing(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2, mdf_eligible=True)
        for partner in (a.partner1, a.partner2):
            partner.tier = gold
            partner.save(update_fields=["tier"])
        third_partner = type(a.partner1).objects.create(
            tenant=a.tenant, name="No tier", website_domain="notier.example", country="DE", status="active"
        )
    budget = budget_for(a, "10000", allocations={gold: "2000", a.partner1: "3500"})

    with tenant_context(a.tenant.pk):
        a.partner1.refresh_from_db()
        a.partner2.refresh_from_db()
        own = services.partner_funds(tenant=a.tenant, budget=budget, partner=a.partner1)
        by_tier = services.partner_funds(tenant=a.tenant, budget=budget, partner=a.partner2)
        nothing = services.partner_funds(tenant=a.tenant, budget=budget, partner=third_partner)

    assert (own.available, own.source) == (Decimal("3500.00"), "partner")
    assert (by_tier.available, by_tier.source) == (Decimal("2000.00"), "tier")
    assert (nothing.available, nothing.source, nothing.remaining) == (Decimal(0), "none", Decimal(0))


def test_an_allocation_is_set_again_not_duplicated_and_never_below_what_is_approved(world):
    a = world.a
    budget = budget_for(a, "10000", allocations={a.partner1: "1000"})
    funded(a, a.partner1, a.partner1_admin, spend="700")

    with as_manager(a), pytest.raises(ConflictError) as refused:
        services.allocation_set(tenant=a.tenant, actor=a.manager, budget=budget, partner=a.partner1, amount="600")
    assert refused.value.code == "below_committed"
    with as_manager(a):
        services.allocation_set(tenant=a.tenant, actor=a.manager, budget=budget, partner=a.partner1, amount="1500")
    assert [x.amount for x in rows(world, MdfAllocation)] == [Decimal("1500.00")]


def test_a_budget_never_drops_below_what_its_requests_hold(world):
    a = world.a
    budget = budget_for(a, "1000", allocations={a.partner1: "1000"})
    funded(a, a.partner1, a.partner1_admin, spend="800")
    with as_manager(a), pytest.raises(ConflictError) as refused:
        services.budget_update(tenant=a.tenant, actor=a.manager, budget=budget, amount="799.99")
    assert refused.value.code == "below_committed"
    with as_manager(a):
        assert services.budget_update(tenant=a.tenant, actor=a.manager, budget=budget, amount="800").amount == Decimal("800")


# --- requests --------------------------------------------------------------------------------------


def test_a_partner_requests_funds_within_its_allocation_and_the_managers_hear_of_it(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    a = world.a
    budget = budget_for(a, "10000", allocations={a.partner1: "1000"})
    with django_capture_on_commit_callbacks(execute=True):
        created = request_as(a, a.partner1, a.partner1_rep, planned_spend="1000")

    assert (created.status, created.budget_id, created.planned_spend) == ("submitted", budget.pk, Decimal("1000.00"))
    assert created.currency == "USD" and created.expected_leads == 40
    assert "mdf.request_submit" in audit_actions(world)
    [email] = mailoutbox
    assert "Cloud migration webinar" in email.subject
    assert sorted(email.to) == sorted([a.owner.email, a.manager.email])


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"planned_spend": "0"}, "planned_spend", "min_value"),
        ({"planned_spend": "-5"}, "planned_spend", "min_value"),
        ({"title": "  "}, "title", "required"),
        ({"activity_type": "party"}, "activity_type", "invalid_choice"),
        ({"end_date": "2000-01-01"}, "end_date", "dates_order"),
        ({"start_date": "someday"}, "start_date", "invalid"),
        ({"expected_leads": "-1"}, "expected_leads", "invalid"),
    ],
)
def test_bad_request_input_is_refused_with_its_field(world, overrides, field, code):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    with pytest.raises(ApplicationError) as refused:
        request_as(a, a.partner1, a.partner1_admin, **overrides)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert rows(world, MdfRequest) == []


def test_a_request_above_the_remaining_funds_is_refused_with_what_is_left(world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    funded(a, a.partner1, a.partner1_admin, spend="700")

    with pytest.raises(ApplicationError) as refused:
        request_as(a, a.partner1, a.partner1_admin, planned_spend="300.01", title="Second")
    assert (refused.value.code, refused.value.field) == ("exceeds_available_funds", "planned_spend")
    assert "300.00 USD available" in refused.value.message
    assert [r.title for r in rows(world, MdfRequest)] == ["Cloud migration webinar"]
    assert request_as(a, a.partner1, a.partner1_admin, planned_spend="300", title="Second").status == "submitted"


def test_a_partner_without_allocation_or_without_a_budget_is_told_why(world):
    a = world.a
    with pytest.raises(ApplicationError) as no_budget:
        request_as(a, a.partner2, a.partner2_admin)
    assert (no_budget.value.code, no_budget.value.field) == ("no_budget", "start_date")
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    with pytest.raises(ApplicationError) as no_allocation:
        request_as(a, a.partner2, a.partner2_admin)
    assert no_allocation.value.code == "exceeds_available_funds"
    assert "no MDF allocation" in no_allocation.value.message
    assert rows(world, MdfRequest) == []


def test_a_campaign_draws_on_the_quarter_it_starts_in(world):
    a = world.a
    year, quarter = services.quarter_of(datetime.date.today())
    next_year, next_quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    later = budget_for(a, "5000", allocations={a.partner1: "900"}, year=next_year, quarter=next_quarter)
    start = datetime.date(next_year, 3 * next_quarter - 2, 5)
    created = request_as(
        a, a.partner1, a.partner1_admin, planned_spend="900", start_date=start.isoformat(), end_date=start.isoformat()
    )
    assert created.budget_id == later.pk


# --- decisions -------------------------------------------------------------------------------------


def test_a_manager_approves_partially_approves_or_rejects_and_the_partner_hears_of_it(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "3000"})
    first = request_as(a, a.partner1, a.partner1_admin, planned_spend="1000", title="One")
    second = request_as(a, a.partner1, a.partner1_admin, planned_spend="1000", title="Two")
    third = request_as(a, a.partner1, a.partner1_admin, planned_spend="1000", title="Three")

    with django_capture_on_commit_callbacks(execute=True):
        approved = decide(a, first)
        partial = decide(a, second, "partial", amount="400", reason="Half the venue.")
        rejected = decide(a, third, "reject", reason="Outside our target market.")

    assert (approved.status, approved.approved_amount, approved.decided_by_id) == ("approved", Decimal("1000.00"), a.manager.pk)
    assert (partial.status, partial.approved_amount) == ("partially_approved", Decimal("400.00"))
    assert (rejected.status, rejected.approved_amount, rejected.decision_reason) == (
        "rejected",
        None,
        "Outside our target market.",
    )
    assert [m.to for m in mailoutbox] == [[a.partner1_admin.email]] * 3
    assert "Outside our target market." in mailoutbox[2].body
    assert audit_actions(world)[-3:] == ["mdf.request_approve", "mdf.request_partial", "mdf.request_reject"]


def test_a_rejection_needs_a_reason_a_partial_approval_an_amount_below_the_spend_and_a_decision_happens_once(world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "3000"})
    waiting = request_as(a, a.partner1, a.partner1_admin, planned_spend="1000")

    with pytest.raises(ApplicationError) as no_reason:
        decide(a, waiting, "reject")
    with pytest.raises(ApplicationError) as not_partial:
        decide(a, waiting, "partial", amount="1000")
    assert (no_reason.value.field, not_partial.value.code) == ("reason", "not_partial")
    assert rows(world, MdfRequest)[0].status == "submitted"

    decide(a, waiting)
    with pytest.raises(ConflictError) as twice:
        decide(a, waiting, "reject", reason="Changed my mind")
    assert (twice.value.code, twice.value.status_code) == ("request_decided", 409)
    assert rows(world, MdfRequest)[0].approved_amount == Decimal("1000.00")


def test_approval_is_limited_by_the_partners_remaining_funds(world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    first = request_as(a, a.partner1, a.partner1_admin, planned_spend="600", title="One")
    second = request_as(a, a.partner1, a.partner1_admin, planned_spend="600", title="Two")  # both fit at submit
    decide(a, first)

    with pytest.raises(ConflictError) as refused:
        decide(a, second)
    assert (refused.value.code, refused.value.status_code) == ("insufficient_funds", 409)
    assert "Only 400.00 USD" in refused.value.message
    assert decide(a, second, "partial", amount="400").approved_amount == Decimal("400.00")


def test_the_budget_is_never_overspent_even_when_allocations_add_up_to_more(world):
    a = world.a
    budget_for(a, "1000", allocations={a.partner1: "1000", a.partner2: "1000"})
    first = request_as(a, a.partner1, a.partner1_admin, planned_spend="700")
    second = request_as(a, a.partner2, a.partner2_admin, planned_spend="700")
    decide(a, first)

    with pytest.raises(ConflictError) as refused:
        decide(a, second)
    assert refused.value.code == "insufficient_funds" and "budget left: 300.00" in refused.value.message
    assert rows(world, MdfRequest, pk=second.pk)[0].status == "submitted"


def test_rejected_requests_hold_no_funds(world):
    a = world.a
    budget_for(a, "1000", allocations={a.partner1: "1000"})
    first = request_as(a, a.partner1, a.partner1_admin, planned_spend="1000", title="One")
    decide(a, first, "reject", reason="No")
    assert request_as(a, a.partner1, a.partner1_admin, planned_spend="1000", title="Two").status == "submitted"


# --- claims ----------------------------------------------------------------------------------------


def test_a_partner_claims_an_approved_campaign_with_evidence_and_the_managers_hear_of_it(
    world, media, mailoutbox, django_capture_on_commit_callbacks
):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin, spend="600")

    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_as(
            a,
            a.partner1,
            a.partner1_rep,
            campaign,
            amount="550",
            files=[pdf("invoice.pdf"), SimpleUploadedFile("photo.png", PNG)],
        )

    assert (claim.status, claim.claimed_amount, claim.leads_generated, claim.attendees) == (
        "submitted",
        Decimal("550.00"),
        12,
        80,
    )
    evidence = rows(world, MdfEvidence)
    assert sorted(e.original_filename for e in evidence) == ["invoice.pdf", "photo.png"]
    assert all(e.file.name.startswith(f"mdf-evidence/{a.tenant.pk}/{a.partner1.pk}/") for e in evidence)
    assert all((media / e.file.name).exists() for e in evidence)
    assert "New MDF claim" in mailoutbox[-1].subject and "mdf.claim_submit" in audit_actions(world)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([], "evidence_required"),
        ([SimpleUploadedFile("invoice.exe", b"MZ\x90\x00")], "invalid_extension"),
        ([SimpleUploadedFile("invoice.pdf", b"<html>not a pdf</html>")], "content_mismatch"),
        ([SimpleUploadedFile("invoice.pdf", b"")], "empty_file"),
    ],
)
def test_a_claim_without_valid_evidence_is_refused_and_nothing_is_stored(world, media, files, code):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    with pytest.raises(ApplicationError) as refused:
        claim_as(a, a.partner1, a.partner1_admin, campaign, files=files)
    assert (refused.value.code, refused.value.field) == (code, "files")
    assert rows(world, MdfClaim) == [] and rows(world, MdfEvidence) == []
    assert not (media / "mdf-evidence").exists()


def test_an_evidence_file_over_the_size_limit_is_refused(world, settings):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    big = SimpleUploadedFile("invoice.pdf", b"%PDF-" + b"0" * services.EVIDENCE_MAX_BYTES)
    with pytest.raises(ApplicationError) as refused:
        claim_as(a, a.partner1, a.partner1_admin, campaign, files=[big])
    assert refused.value.code == "file_too_large" and rows(world, MdfClaim) == []


def test_a_claim_is_at_most_the_approved_amount_on_an_approved_campaign_once(world, media):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "3000"})
    campaign = decide(a, request_as(a, a.partner1, a.partner1_admin, planned_spend="1000"), "partial", amount="400")
    waiting = request_as(a, a.partner1, a.partner1_admin, planned_spend="100", title="Waiting")

    with pytest.raises(ApplicationError) as too_much:
        claim_as(a, a.partner1, a.partner1_admin, campaign, amount="400.01")
    with pytest.raises(ConflictError) as not_approved:
        claim_as(a, a.partner1, a.partner1_admin, waiting, amount="50")
    assert (too_much.value.code, too_much.value.field) == ("exceeds_approved", "claimed_amount")
    assert not_approved.value.code == "request_not_approved"
    assert rows(world, MdfClaim) == []
    assert not (media / "mdf-evidence").exists()

    claim_as(a, a.partner1, a.partner1_admin, campaign, amount="400")
    with pytest.raises(ConflictError) as again:
        claim_as(a, a.partner1, a.partner1_admin, campaign, amount="10")
    assert again.value.code == "claim_exists" and len(rows(world, MdfClaim)) == 1


def test_another_partner_cannot_claim_on_a_campaign_that_is_not_its_own(world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    from ecosystem.errors import NotFoundError

    with pytest.raises(NotFoundError):
        claim_as(a, a.partner2, a.partner2_admin, campaign)
    assert rows(world, MdfClaim) == []


def test_an_approved_claim_is_payable_then_paid_and_the_campaign_completed(world, mailoutbox, django_capture_on_commit_callbacks):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    claim = claim_as(a, a.partner1, a.partner1_admin, campaign, amount="580")

    with pytest.raises(ConflictError) as early:
        pay(a, claim)
    assert early.value.code == "claim_not_payable"
    with django_capture_on_commit_callbacks(execute=True):
        approved = claim_decide(a, claim)
        paid = pay(a, claim)

    assert (approved.status, approved.approved_amount) == ("approved", Decimal("580.00"))
    assert paid.status == "paid" and paid.paid_at is not None
    assert rows(world, MdfRequest)[0].status == "completed"
    assert [m.to for m in mailoutbox] == [[a.partner1_admin.email]] * 2
    assert audit_actions(world)[-2:] == ["mdf.claim_approve", "mdf.claim_paid"]
    with pytest.raises(ConflictError):
        claim_decide(a, claim, approve=False, reason="late")


def test_a_rejected_claim_needs_a_reason_and_may_be_filed_again(world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "1000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    claim = claim_as(a, a.partner1, a.partner1_admin, campaign)
    with pytest.raises(ApplicationError):
        claim_decide(a, claim, approve=False)
    rejected = claim_decide(a, claim, approve=False, reason="The invoice is unreadable.")
    assert (rejected.status, rejected.approved_amount) == ("rejected", None)
    assert claim_as(a, a.partner1, a.partner1_admin, campaign).status == "submitted"
