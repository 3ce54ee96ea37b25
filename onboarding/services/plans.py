"""Onboarding plans and their steps: copy a template into a partner's plan, finish steps, close the plan.

Every step change goes through :func:`_lock_step_for_partner` (open plan, step not done, the steps it
depends on done) and :func:`_finish_step` (audit, engagement, plan completion).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from onboarding.models import OnboardingPlan, OnboardingStep, OnboardingTemplate, PlanStatus, StepKind, StepStatus
from onboarding.models.plans import COURSE_KINDS
from partners.models import EngagementKind, PartnerOrganization, PartnerStatus
from partners.services import engagement_record, partner_profile_update, partner_update

from .assurance import add_months, is_renewal_open


def template_for(*, tenant: Tenant, partner_type: str) -> OnboardingTemplate | None:
    """The active template for this partner type, else the tenant's general one (blank type)."""
    templates = {t.partner_type: t for t in OnboardingTemplate.objects.filter(tenant=tenant, is_active=True)}
    return templates.get(partner_type) or templates.get("")


def plan_create_for_partner(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> OnboardingPlan | None:
    """Copy the partner type's template into the partner's own plan; None when the tenant has no template."""
    template = template_for(tenant=tenant, partner_type=partner.partner_type)
    if template is None:
        return None
    today = timezone.localdate()
    with transaction.atomic():
        plan = OnboardingPlan.objects.create(tenant=tenant, partner=partner, template=template)
        OnboardingStep.objects.bulk_create(
            OnboardingStep(
                tenant=tenant,
                plan=plan,
                partner=partner,
                position=step.position,
                kind=step.kind,
                title=step.title,
                instructions=step.instructions,
                due_on=today + timedelta(days=step.due_days),
                depends_on=step.depends_on,
                agreement=step.agreement,
                valid_months=step.valid_months,
                course=step.course,
            )
            for step in template.steps.all()
        )
        audit_record(
            tenant=tenant, actor=actor, action="onboarding.plan_create", target=plan, changes={"template": template.name}
        )
    return plan


def _lock_step_for_partner(step: OnboardingStep) -> OnboardingStep:
    locked = OnboardingStep.objects.select_for_update(of=("self",)).select_related("plan").get(pk=step.pk)
    if is_renewal_open(locked):
        return locked  # a security review in its renewal window may be answered again before it lapses
    if locked.plan.status != PlanStatus.IN_PROGRESS:
        raise ApplicationError(_("This onboarding is already complete."), code="plan_closed")
    if locked.status == StepStatus.DONE:
        raise ApplicationError(_("This step is already done."), code="step_done")
    waiting = [
        other.title
        for other in OnboardingStep.objects.filter(plan_id=locked.plan_id, position__in=locked.depends_on).exclude(
            status=StepStatus.DONE
        )
    ]
    if waiting:
        raise ApplicationError(_("Finish these steps first: %(steps)s.") % {"steps": ", ".join(waiting)}, code="step_blocked")
    return locked


def _finish_step(
    *, tenant: Tenant, actor: Any, step: OnboardingStep, status: str, result: dict | None = None, by_vendor: bool = False
) -> None:
    """Record a step's new status. ``by_vendor``: a vendor decision (sign-off) finished it, not the
    partner's people, so it is not their engagement and the step keeps who answered it."""
    step.status = status
    if result is not None:
        step.result = result
    if status == StepStatus.DONE:
        step.completed_at = timezone.now()
        if not by_vendor:
            step.completed_by = person_of(actor)
        renewable = step.kind == StepKind.SECURITY_REVIEW and step.valid_months
        step.expires_on = add_months(timezone.localdate(), step.valid_months) if renewable else None
    step.save(update_fields=["status", "result", "completed_at", "completed_by", "expires_on"])
    audit_record(tenant=tenant, actor=actor, action=f"onboarding.step_{status}", target=step, changes={"kind": step.kind})
    if status == StepStatus.DONE and not by_vendor:
        engagement_record(
            tenant=tenant,
            partner_id=step.partner_id,
            kind=EngagementKind.ONBOARDING_STEP_COMPLETED,
            user=step.completed_by,
            data={"step": step.title, "kind": step.kind},
        )
    if status == StepStatus.DONE:
        _complete_plan_if_done(tenant=tenant, actor=actor, plan=step.plan)


def _complete_plan_if_done(*, tenant: Tenant, actor: Any, plan: OnboardingPlan) -> None:
    if OnboardingStep.objects.filter(plan=plan).exclude(status=StepStatus.DONE).exists():
        return
    plan.status = PlanStatus.COMPLETED
    plan.completed_at = timezone.now()
    plan.save(update_fields=["status", "completed_at"])
    audit_record(tenant=tenant, actor=actor, action="onboarding.plan_complete", target=plan)
    partner = PartnerOrganization.objects.get(pk=plan.partner_id)
    if partner.status == PartnerStatus.ONBOARDING:
        partner_update(tenant=tenant, actor=actor, partner=partner, status=PartnerStatus.ACTIVE, reason="Onboarding completed")
    webhook_events.partner(tenant=tenant, event_type="onboarding.completed", partner=partner, plan_id=str(plan.public_id))


# Steps a partner's user may tick off. A certification never is: it is done only by a verified
# credential check (the course's registry check, or the outside issuer's answer).
SELF_SERVICE_KINDS = frozenset({StepKind.CUSTOM_TASK, StepKind.TRAINING})


def step_complete(*, tenant: Tenant, actor: Any, step: OnboardingStep) -> OnboardingStep:
    """Tick off a task-like step: a custom task, or a training step without a course.

    A training step that names a course is completed by the course itself, and a certification
    step only by a verified credential (see :func:`step_complete_by_evidence`,
    :mod:`onboarding.training` and :mod:`onboarding.issuers`), never by hand.
    """
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        if locked.kind == StepKind.CERTIFICATION:
            raise ApplicationError(
                _("A certification step is done when the credential is verified, not by hand."),
                code="needs_verified_credential",
            )
        if locked.kind not in SELF_SERVICE_KINDS:
            raise ApplicationError(_("This step is completed by its own form."), code="wrong_step_kind")
        if locked.kind in COURSE_KINDS and locked.course_id is not None:
            raise ApplicationError(_("This step is completed by passing its course."), code="completed_by_course")
        _finish_step(tenant=tenant, actor=actor, step=locked, status=StepStatus.DONE)
    return locked


def step_complete_by_evidence(*, tenant: Tenant, actor: Any, step: OnboardingStep, result: dict) -> OnboardingStep:
    """Finish a step because its evidence is in: a passed course, a verified certification.

    The same rules as ticking off by hand (open plan, step not done, the steps it depends on done),
    raising the same errors; ``result`` records the evidence on the step.
    """
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        _finish_step(tenant=tenant, actor=actor, step=locked, status=StepStatus.DONE, result=result)
    return locked


def profile_step_complete(
    *, tenant: Tenant, actor: Any, step: OnboardingStep, description: str, regions: list[str], capabilities: list[str]
) -> OnboardingStep:
    """The profile step is done by filling in the partner's profile (at least a description)."""
    if not (description or "").strip():
        raise ApplicationError(_("Tell us about your company."), code="required", field="description")
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        if locked.kind != StepKind.PROFILE:
            raise ApplicationError(_("This step is not the profile."), code="wrong_step_kind")
        partner_profile_update(
            tenant=tenant,
            actor=actor,
            partner=PartnerOrganization.objects.get(pk=locked.partner_id),
            description=description,
            regions=regions,
            capabilities=capabilities,
        )
        _finish_step(tenant=tenant, actor=actor, step=locked, status=StepStatus.DONE)
    return locked
