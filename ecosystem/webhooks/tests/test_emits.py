"""The business services emit their events into the outbox, inside their own transaction: the event row
exists after the call, with the payload receivers rely on, and not after the caller rolls back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from deals import leads, workflow
from deals.tests.support import product_lines_for, rules_for, submit_as
from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks.models import EVENT_TYPES, WebhookEvent
from partners.mdf.tests.support import budget_for, decide, request_as
from partners.models import PartnerOrganization

from .support import endpoint_for


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def subscribed(world):
    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, protection_days=90, lead_response_hours=48)
    return endpoint_for(world.a, events=list(EVENT_TYPES))


def events(world, event_type: str | None = None) -> list[WebhookEvent]:
    with tenant_context(world.a.tenant.pk):
        found = WebhookEvent.objects.order_by("id")
        return list(found.filter(event_type=event_type) if event_type else found)


def rolled_back(world, fn, *, partner=None, user=None):
    """Run ``fn`` in a transaction the caller then rolls back."""
    scope = tenant_context(world.a.tenant.pk, partner_id=partner.pk if partner else None, user_id=user.pk if user else None)
    with pytest.raises(Rollback):
        _run_then_roll_back(scope, fn)


def _run_then_roll_back(scope, fn):
    with scope, transaction.atomic():
        fn()
        raise Rollback


def test_a_registration_submitted_by_a_partner_user_emits_registration_submitted(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration
    [event] = events(world)
    assert event.event_type == "registration.submitted"
    assert event.payload["registration_id"] == str(registration.public_id)
    assert event.payload["partner"] == {"id": str(world.a.partner1.public_id), "name": world.a.partner1.name}
    assert (event.payload["status"], event.payload["value"], event.payload["currency"]) == ("pending", "50000.00", "USD")


def test_a_rolled_back_submission_emits_nothing(world):
    rolled_back(
        world,
        lambda: submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep),
        partner=world.a.partner1,
        user=world.a.partner1_rep,
    )
    assert events(world) == []


def test_an_automatic_approval_emits_submitted_then_approved(world):
    rules_for(world.a.tenant, protection_days=90, auto_approve_below=Decimal("100000"))
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep)
    assert [e.event_type for e in events(world)] == ["registration.submitted", "registration.approved"]


def test_a_managers_approval_emits_registration_approved_and_not_after_a_rollback(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration

    def approve():
        workflow.registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=registration)

    rolled_back(world, approve)
    assert events(world, "registration.approved") == []
    with tenant_context(world.a.tenant.pk):
        approve()
    [event] = events(world, "registration.approved")
    assert event.payload["status"] == "approved" and event.payload["protected_until"] is not None


def test_closing_won_emits_deal_won_with_the_amount_and_not_after_a_rollback(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration
    today = timezone.localdate()

    def close(stage="closed_won"):
        workflow.registration_update_stage(
            tenant=world.a.tenant,
            actor=world.a.manager,
            registration=registration,
            stage=stage,
            closed_amount="61000.50",
            closed_on=today.isoformat(),
        )

    rolled_back(world, close)
    assert events(world, "deal.won") == []
    with tenant_context(world.a.tenant.pk):
        close()
    [event] = events(world, "deal.won")
    assert (event.payload["closed_amount"], event.payload["closed_on"], event.payload["status"]) == (
        "61000.50",
        today.isoformat(),
        "won",
    )


def test_closing_lost_emits_no_deal_won(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_update_stage(
            tenant=world.a.tenant,
            actor=world.a.manager,
            registration=registration,
            stage="closed_lost",
            closed_on=timezone.localdate().isoformat(),
        )
    assert events(world, "deal.won") == []


def test_an_mdf_approval_emits_mdf_approved_a_rejection_does_not(world):
    budget_for(world.a, "10000", allocations={world.a.partner1: "3000"})
    approved = request_as(world.a, world.a.partner1, world.a.partner1_admin)
    rejected = request_as(world.a, world.a.partner1, world.a.partner1_admin, title="Another")
    decide(world.a, approved, "partial", amount="400")
    decide(world.a, rejected, "reject", reason="Out of scope.")
    [event] = events(world)
    assert event.event_type == "mdf.approved"
    assert (event.payload["mdf_request_id"], event.payload["status"], event.payload["approved_amount"]) == (
        str(approved.public_id),
        "partially_approved",
        "400.00",
    )


def test_a_rolled_back_mdf_approval_emits_nothing(world):
    budget_for(world.a, "10000", allocations={world.a.partner1: "3000"})
    waiting = request_as(world.a, world.a.partner1, world.a.partner1_admin)
    from partners.mdf import services as mdf

    rolled_back(
        world, lambda: mdf.request_decide(tenant=world.a.tenant, actor=world.a.manager, request=waiting, decision="approve")
    )
    assert events(world) == []


def _lead(world):
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk__in=[world.a.partner1.pk, world.a.partner2.pk]).update(regions=["emea"])
        return leads.lead_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            values={
                "company_name": "Initech Inc.",
                "domain": "www.initech.example",
                "region": "emea",
                "product_lines": ["compute"],
            },
        )


def test_offering_then_accepting_a_lead_emits_offered_then_accepted(world):
    lead = _lead(world)
    with tenant_context(world.a.tenant.pk):
        leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=world.a.partner1)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk, user_id=world.a.partner1_admin.pk):
        leads.lead_accept(tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead)
    offered, accepted = events(world, "lead.offered")[-1], events(world, "lead.accepted")[0]
    assert offered.payload["partner"]["id"] == str(world.a.partner1.public_id)
    assert datetime.datetime.fromisoformat(offered.payload["respond_by"]) > timezone.now()
    assert (accepted.payload["lead_id"], accepted.payload["status"]) == (str(lead.public_id), "accepted")


def test_a_rolled_back_offer_emits_nothing(world):
    lead = _lead(world)
    before = len(events(world, "lead.offered"))
    rolled_back(
        world, lambda: leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=world.a.partner1)
    )
    assert len(events(world, "lead.offered")) == before


def test_a_churn_prediction_run_emits_one_churn_risk_raised_per_new_alert(world):
    from scoring import churn_service
    from scoring.models import ChurnAlert

    today = datetime.date(2026, 11, 15)
    with tenant_context(world.a.tenant.pk):
        # two partners in the program since May, never active: the rules put both at (3+1)/(3+2+2+1) = 0.5, at risk
        PartnerOrganization.objects.update(created_at=timezone.make_aware(datetime.datetime(2026, 5, 1)))
        churn_service.churn_predict(tenant=world.a.tenant, today=today)
        alerts = {str(a.public_id): a for a in ChurnAlert.objects.select_related("partner")}
    raised = events(world, "churn_risk.raised")
    assert len(raised) == len(alerts) == 2
    for event in raised:
        alert = alerts[event.payload["alert_id"]]
        assert event.payload["partner"] == {"id": str(alert.partner.public_id), "name": alert.partner.name}
        assert (event.payload["probability"], event.payload["method"], event.payload["raised_on"]) == (0.5, "rules", "2026-11-15")


def test_a_tier_override_emits_tier_changed_and_not_after_a_rollback(world):
    from partners import tiers
    from partners.tests.test_api_tiers import make_ladder

    ladder = make_ladder(world.a.tenant)
    until = timezone.localdate() + datetime.timedelta(days=30)

    def override():
        tiers.tier_override(
            tenant=world.a.tenant,
            actor=world.a.manager,
            partner=world.a.partner1,
            tier=ladder["gold"],
            reason="Launch",
            until=until,
        )

    rolled_back(world, override)
    assert events(world, "tier.changed") == []
    with tenant_context(world.a.tenant.pk):
        override()
    [event] = events(world, "tier.changed")
    assert event.payload["partner"]["id"] == str(world.a.partner1.public_id)
    assert (event.payload["to_tier"]["name"], event.payload["kind"]) == ("Gold", "override")


def test_the_expiry_sweep_emits_registration_expired_for_each_lapsed_approval(world):
    from deals.models import DealRegistration
    from deals.workflow.expiry import protection_expiry_sweep

    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration
    with tenant_context(world.a.tenant.pk):
        workflow.registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=registration)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        DealRegistration.objects.filter(pk=registration.pk).update(protected_until=yesterday)
        assert protection_expiry_sweep(tenant=world.a.tenant)["expired"] == 1
    [event] = events(world, "registration.expired")
    assert (event.payload["registration_id"], event.payload["status"], event.payload["protected_until"]) == (
        str(registration.public_id),
        "expired",
        yesterday.isoformat(),
    )
    assert event.payload["partner"]["id"] == str(world.a.partner1.public_id)


def test_a_finished_attribution_run_emits_attribution_run_finished(world):
    from attribution.models import ChannelDimension
    from attribution.services import attribution_run_create, run_attribution
    from attribution.tests.world import END, START

    with tenant_context(world.a.tenant.pk):
        run = attribution_run_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            period_start=START,
            period_end=END,
            dimension=ChannelDimension.PARTNER,
            enqueue=False,
        )
        run = run_attribution(tenant=world.a.tenant, actor=world.a.manager, run=run)
    [event] = events(world, "attribution_run.finished")
    assert (event.payload["run_id"], event.payload["status"], event.payload["journeys"]) == (str(run.public_id), "succeeded", 0)
    assert (event.payload["period_start"], event.payload["period_end"]) == (START.isoformat(), END.isoformat())


def test_approving_an_application_emits_partner_approved_and_a_rejected_call_emits_nothing(world):
    from onboarding.tests.support import submit_application
    from onboarding.tests.test_services import approve

    submitted = submit_application(world.a.tenant)
    partner = approve(world.a, submitted.application)
    [event] = events(world, "partner.approved")
    assert event.payload["partner"] == {"id": str(partner.public_id), "name": partner.name}
    assert (event.payload["status"], event.payload["application_id"]) == ("onboarding", str(submitted.application.public_id))


def test_finishing_onboarding_emits_onboarding_completed_with_the_partner_now_active(world):
    from onboarding.tests.support import onboarding_partner, partner_admin_of
    from onboarding.tests.test_services import answer, complete_kickoff, sign

    partner = onboarding_partner(world.a.tenant)
    admin = partner_admin_of(world.a.tenant, partner, email="admin@new-partner.example")
    sign(world.a, partner, admin)
    answer(world.a, partner, admin)
    assert events(world, "onboarding.completed") == []
    complete_kickoff(world.a, partner, admin)  # the last step, in the partner user's scope
    [event] = events(world, "onboarding.completed")
    assert (event.payload["partner"]["id"], event.payload["status"]) == (str(partner.public_id), "active")
