"""Ongoing assurance: security reviews expire, can be renewed in their last 30 days, and reopen
(closing the sales gate) when they lapse."""

from __future__ import annotations

from datetime import date, timedelta

from django.core import mail
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from onboarding import services
from onboarding.models import OnboardingStep, OnboardingTemplateStep, PlanStatus, SecurityQuestion
from tests.fixtures import onboarding_plan_for


def reviewed_plan(world, months=12):
    """Partner 1 with a plan whose security review is valid ``months``, agreement signed, review passed."""
    tenant = world.a.tenant
    onboarding_plan_for(tenant, world.a.partner2)  # builds the template once
    with tenant_context(tenant.pk):
        OnboardingTemplateStep.objects.filter(kind="security_review").update(valid_months=months)
    plan = onboarding_plan_for(tenant, world.a.partner1)
    with tenant_context(tenant.pk, partner_id=world.a.partner1.pk):
        steps = {s.position: s for s in OnboardingStep.objects.filter(plan=plan)}
        services.agreement_sign(
            tenant=tenant, actor=world.a.partner1_admin, step=steps[1], typed_name="Pat Admin", accepted=True, ip=None
        )
        answers = {str(q): True for q in SecurityQuestion.objects.values_list("public_id", flat=True)}
        services.security_review_submit(tenant=tenant, actor=world.a.partner1_admin, step=steps[2], answers=answers)
        return OnboardingStep.objects.get(pk=steps[2].pk)


def gate(world):
    with tenant_context(world.a.tenant.pk):
        return services.partner_access_gate(tenant=world.a.tenant, partner_id=world.a.partner1.pk)


def test_a_passed_review_is_valid_for_the_templates_months(world):
    review = reviewed_plan(world, months=12)
    assert review.expires_on == services.add_months(timezone.localdate(), 12)
    assert gate(world).is_open


def test_months_are_added_on_the_calendar():
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_partner_admins_are_reminded_once_in_the_last_30_days(world):
    review = reviewed_plan(world)
    mail.outbox.clear()
    soon = review.expires_on - timedelta(days=20)
    with tenant_context(world.a.tenant.pk):
        first = services.assurance_lapse_and_remind(tenant=world.a.tenant, today=soon)
        again = services.assurance_lapse_and_remind(tenant=world.a.tenant, today=soon)
    assert (first["reminded"], again["reminded"]) == (1, 0)


def test_a_lapsed_review_reopens_and_closes_the_gate(world):
    review = reviewed_plan(world)
    with tenant_context(world.a.tenant.pk):
        result = services.assurance_lapse_and_remind(tenant=world.a.tenant, today=review.expires_on + timedelta(days=1))
        reopened = OnboardingStep.objects.select_related("plan").get(pk=review.pk)
    assert result["lapsed"] == 1
    assert reopened.status == "todo"
    assert reopened.result["previous"]["rating"] == "low"
    assert reopened.plan.status == PlanStatus.IN_PROGRESS
    assert gate(world).missing == ("Security questionnaire",)


def test_a_review_can_be_renewed_before_it_lapses(world):
    review = reviewed_plan(world, months=1)  # inside its 30-day renewal window from the start
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        answers = {str(q): True for q in SecurityQuestion.objects.values_list("public_id", flat=True)}
        assert services.is_renewal_open(review)
        services.security_review_submit(tenant=world.a.tenant, actor=world.a.partner1_admin, step=review, answers=answers)
        renewed = OnboardingStep.objects.get(pk=review.pk)
    assert renewed.status == "done"
    assert renewed.expires_on == services.add_months(timezone.localdate(), 1)


def test_a_managers_sign_off_is_not_the_partners_engagement(world):
    from onboarding.models import StepStatus
    from partners.models import EngagementEvent

    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        review = OnboardingStep.objects.get(plan=plan, kind="security_review")
        answers = {str(q): False for q in SecurityQuestion.objects.values_list("public_id", flat=True)}
        services.security_review_submit(tenant=world.a.tenant, actor=world.a.partner1_admin, step=review, answers=answers)
    with tenant_context(world.a.tenant.pk):
        before = EngagementEvent.objects.count()
        services.security_review_decide(
            tenant=world.a.tenant, actor=world.a.manager, step=review, approve=True, reason="Compensating controls"
        )
        signed_off = OnboardingStep.objects.get(pk=review.pk)
        assert signed_off.status == StepStatus.DONE
        assert signed_off.completed_by_id != world.a.manager.pk
        assert EngagementEvent.objects.count() == before
