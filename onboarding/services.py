"""Every write of the partner lifecycle: applications, approval, onboarding plans and their steps.

Tenant first, actor explicit, keyword-only; each change in one transaction with its audit row;
email only after commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ecosystem.accounts.models import Role
from ecosystem.accounts.services import invitation_create
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ForbiddenError
from ecosystem.tenancy.models import Tenant
from ecosystem.uploads import check_upload
from partners.domains import normalize_domain
from partners.models import EngagementKind, PartnerOrganization, PartnerStatus, PartnerType
from partners.services import (
    clean_capabilities,
    clean_regions,
    engagement_record,
    partner_create,
    partner_profile_update,
    partner_update,
)

from .models import (
    AgreementSignature,
    ApplicationStatus,
    DealVolume,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    PartnerApplication,
    PlanStatus,
    SecurityEvidence,
    SecurityQuestion,
    StepKind,
    StepStatus,
)
from .models.plans import COURSE_KINDS, GATING_KINDS
from .screening_services import require_no_open_match, screen_application

# Sum of the risk points of the questions answered "no" -> rating. High risk waits for a manager.
RISK_BANDS = ((0, "low"), (20, "medium"), (50, "high"))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def risk_rating(points: int) -> str:
    rating = RISK_BANDS[0][1]
    for floor, name in RISK_BANDS:
        if points >= floor:
            rating = name
    return rating


# --- applications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedApplication:
    application: PartnerApplication
    status_url: str | None  # carries the token: the email and the thank-you page only; None for a second contact
    merged: bool  # True when an open application for the same domain was updated


def _clean_application(values: dict[str, Any], *, tenant: Tenant) -> dict[str, Any]:
    cleaned = dict(values)
    for field, label in (("company_name", _("Enter your company's name.")), ("contact_name", _("Enter your name."))):
        cleaned[field] = (cleaned.get(field) or "").strip()
        if not cleaned[field]:
            raise ApplicationError(label, code="required", field=field)
    if not (values.get("website_domain") or "").strip():
        raise ApplicationError(_("Enter your company's website domain."), code="required", field="website_domain")
    cleaned["website_domain"] = normalize_domain(values["website_domain"])
    cleaned["contact_email"] = (cleaned.get("contact_email") or "").strip().lower()
    try:
        validate_email(cleaned["contact_email"])
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), code="invalid_email", field="contact_email") from None
    if cleaned.get("partner_type") not in PartnerType.values:
        raise ApplicationError(_("Choose how you would partner with us."), code="invalid_choice", field="partner_type")
    if cleaned.get("expected_deal_volume") not in DealVolume.values:
        raise ApplicationError(_("Choose your expected deal volume."), code="invalid_choice", field="expected_deal_volume")
    cleaned["regions"] = clean_regions(cleaned.get("regions"))
    cleaned["country"] = (cleaned.get("country") or "").upper()
    if cleaned["country"] and cleaned["country"] not in countries:
        raise ApplicationError(_("Choose a valid country."), code="invalid_choice", field="country")
    cleaned["capabilities"] = clean_capabilities(tenant=tenant, slugs=cleaned.get("capabilities"))
    cleaned["message"] = (cleaned.get("message") or "").strip()[:2000]
    return cleaned


def application_submit(*, tenant: Tenant, **values: Any) -> SubmittedApplication:
    """Take an application from the public page.

    A second application for a domain that already has one waiting is merged into it (the
    newest answers win, ``submissions`` counts them) and the applicant is told so. The partial
    unique index decides between two submissions racing for the same domain.
    """
    cleaned = _clean_application(values, tenant=tenant)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        existing = (
            PartnerApplication.objects.select_for_update()
            .filter(tenant=tenant, website_domain=cleaned["website_domain"], status=ApplicationStatus.SUBMITTED)
            .first()
        )
        same_contact = existing is not None and existing.contact_email == cleaned["contact_email"]
        if existing is not None and not same_contact:
            # Someone else applying for the same company must not take over the application: the
            # first contact keeps it (and its status link); the newcomer is noted for the reviewer.
            note = f"Also applied: {cleaned['contact_name']} <{cleaned['contact_email']}>"
            existing.message = f"{existing.message}\n{note}".strip()[:2000]
            existing.submissions += 1
            existing.save(update_fields=["message", "submissions", "updated_at"])
            application, merged, token = existing, True, None
        elif existing is not None:
            for field, value in cleaned.items():
                setattr(existing, field, value)
            existing.submissions += 1
            existing.status_token_hash = _token_hash(token)
            existing.save()
            application, merged = existing, True
        else:
            try:
                with transaction.atomic():
                    application = PartnerApplication.objects.create(
                        tenant=tenant, status_token_hash=_token_hash(token), **cleaned
                    )
            except IntegrityError:
                raise ApplicationError(
                    _("An application for this domain arrived at the same moment. Please send yours again."),
                    code="concurrent_application",
                    field="website_domain",
                ) from None
            merged = False
        screen_application(tenant=tenant, application=application)
        audit_record(
            tenant=tenant,
            actor=None,
            action="application.merge" if merged else "application.submit",
            target=application,
            changes={"website_domain": application.website_domain, "contact_email": application.contact_email},
        )
        status_url = (
            reverse("onboarding_public:application_status", kwargs={"tenant_slug": tenant.slug, "token": token})
            if token
            else None
        )
        if status_url:
            transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=application, status_url=status_url))
    return SubmittedApplication(application=application, status_url=status_url, merged=merged)


def _email_applicant(*, tenant: Tenant, application: PartnerApplication, status_url: str | None = None) -> None:
    context = {
        "tenant": tenant,
        "application": application,
        "status_url": settings.SITE_URL.rstrip("/") + status_url if status_url else None,
    }
    send_mail(
        subject=_("Your application to %(program)s") % {"program": tenant.name},
        message=render_to_string("onboarding/email/application_status.txt", context),
        from_email=None,
        recipient_list=[application.contact_email],
    )


def application_by_token(*, tenant: Tenant, token: str) -> PartnerApplication | None:
    return PartnerApplication.objects.filter(tenant=tenant, status_token_hash=_token_hash(token or "")).first()


def _lock_open_application(application: PartnerApplication) -> PartnerApplication:
    locked = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(_("This application has already been decided."), code="already_decided")
    return locked


def application_approve(*, tenant: Tenant, actor: Any, application: PartnerApplication) -> PartnerOrganization:
    """Approve: in one transaction, the partner organisation, its admin's invitation and its onboarding plan."""
    with transaction.atomic():
        locked = _lock_open_application(application)
        require_no_open_match(tenant=tenant, application=locked)
        partner = partner_create(
            tenant=tenant,
            actor=actor,
            name=locked.company_name,
            partner_type=locked.partner_type,
            website_domain=locked.website_domain,
            country=locked.country.code or "",
            status=PartnerStatus.ONBOARDING,
        )
        invitation_create(
            tenant=tenant, actor=actor, inviter=None, email=locked.contact_email, role=Role.PARTNER_ADMIN, partner=partner
        )
        plan = plan_create_for_partner(tenant=tenant, actor=actor, partner=partner)
        locked.status = ApplicationStatus.APPROVED
        locked.partner = partner
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "partner", "decided_by", "decided_at", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="application.approve",
            target=locked,
            changes={"partner": str(partner.public_id), "plan": str(plan.public_id) if plan else None},
        )
        transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=locked))
    return partner


def application_reject(*, tenant: Tenant, actor: Any, application: PartnerApplication, reason: str) -> PartnerApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason: the applicant will read it."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock_open_application(application)
        locked.status = ApplicationStatus.REJECTED
        locked.decision_reason = reason[:500]
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="application.reject", target=locked, changes={"reason": reason[:500]})
        transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=locked))
    return locked


# --- onboarding plans --------------------------------------------------------------------------


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
            step.completed_by = actor if getattr(actor, "pk", None) else None
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


def agreement_sign(
    *, tenant: Tenant, actor: Any, step: OnboardingStep, typed_name: str, accepted: bool, ip: str | None
) -> AgreementSignature:
    """Sign the step's agreement: the exact version text, the signer, the typed name, the time and the address."""
    typed_name = (typed_name or "").strip()
    if not accepted:
        raise ApplicationError(_("Tick the box to accept the agreement."), code="not_accepted", field="accepted")
    if len(typed_name) < 2:
        raise ApplicationError(_("Type your full name to sign."), code="required", field="typed_name")
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        if locked.kind != StepKind.AGREEMENT or locked.agreement_id is None:
            raise ApplicationError(_("This step has no agreement to sign."), code="wrong_step_kind")
        agreement = locked.agreement
        signature = AgreementSignature.objects.create(
            tenant=tenant,
            partner_id=locked.partner_id,
            step=locked,
            agreement=agreement,
            text_signed=agreement.body,
            signer=actor,
            typed_name=typed_name[:150],
            ip=ip,
        )
        _finish_step(
            tenant=tenant,
            actor=actor,
            step=locked,
            status=StepStatus.DONE,
            result={"agreement": f"{agreement.title} {agreement.version}", "signed_by": typed_name},
        )
    return signature


def security_review_submit(*, tenant: Tenant, actor: Any, step: OnboardingStep, answers: dict[str, bool]) -> OnboardingStep:
    """Score the questionnaire. Low and medium risk pass; high risk waits for a manager's sign-off."""
    questions = list(SecurityQuestion.objects.filter(tenant=tenant, is_active=True))
    missing = [q.text for q in questions if str(q.public_id) not in answers]
    if missing:
        raise ApplicationError(
            _("Answer every question (%(count)s left).") % {"count": len(missing)}, code="incomplete_answers", field="answers"
        )
    points = sum(q.risk_points for q in questions if not answers[str(q.public_id)])
    rating = risk_rating(points)
    result = {
        "risk_points": points,
        "rating": rating,
        "answers": [{"question": q.text, "answer": bool(answers[str(q.public_id)])} for q in questions],
    }
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        if locked.kind != StepKind.SECURITY_REVIEW:
            raise ApplicationError(_("This step is not a security review."), code="wrong_step_kind")
        if locked.status == StepStatus.WAITING_FOR_REVIEW:
            raise ApplicationError(_("Your answers are with the vendor for review."), code="step_in_review")
        status = StepStatus.WAITING_FOR_REVIEW if rating == "high" else StepStatus.DONE
        _finish_step(tenant=tenant, actor=actor, step=locked, status=status, result=result)
    return locked


EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "docx", "xlsx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def security_evidence_add(*, tenant: Tenant, actor: Any, step: OnboardingStep, upload) -> SecurityEvidence:
    """Attach a document to a security review that is still open (or in its renewal window)."""
    upload, original = check_upload(upload, extensions=EVIDENCE_EXTENSIONS, max_bytes=EVIDENCE_MAX_BYTES)
    with transaction.atomic():
        locked = _lock_step_for_partner(step)
        if locked.kind != StepKind.SECURITY_REVIEW:
            raise ApplicationError(_("Evidence belongs to a security review."), code="wrong_step_kind")
        evidence = SecurityEvidence(
            tenant=tenant,
            partner_id=locked.partner_id,
            step=locked,
            original_filename=original,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(original, upload, save=False)
        try:
            evidence.save()
            audit_record(
                tenant=tenant,
                actor=actor,
                action="onboarding.evidence_add",
                target=evidence,
                changes={"file": original, "size": upload.size, "step": locked.title},
            )
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def security_review_decide(*, tenant: Tenant, actor: Any, step: OnboardingStep, approve: bool, reason: str) -> OnboardingStep:
    """A manager signs off a high-risk review, or sends it back with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the record."), code="required", field="reason")
    with transaction.atomic():
        locked = OnboardingStep.objects.select_for_update(of=("self",)).select_related("plan").get(pk=step.pk)
        if locked.kind != StepKind.SECURITY_REVIEW or locked.status != StepStatus.WAITING_FOR_REVIEW:
            raise ApplicationError(_("This review is not waiting for a decision."), code="not_in_review")
        result = {**locked.result, "decision": "approved" if approve else "returned", "decision_reason": reason[:500]}
        _finish_step(
            tenant=tenant,
            actor=actor,
            step=locked,
            status=StepStatus.DONE if approve else StepStatus.REJECTED,
            result=result,
            by_vendor=True,
        )
    return locked


# --- the gate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessGate:
    is_open: bool
    missing: tuple[str, ...]  # titles of the steps still to finish, for people to read


def partner_access_gate(*, tenant: Tenant, partner_id: int) -> AccessGate:
    """Sales access opens when every agreement and security review of the partner's plans is done.

    One query. A partner without an onboarding plan (added by hand before plans existed) is open.
    """
    missing = tuple(
        OnboardingStep.objects.filter(tenant=tenant, partner_id=partner_id, kind__in=GATING_KINDS)
        .exclude(status=StepStatus.DONE)
        .order_by("position")
        .values_list("title", flat=True)
    )
    return AccessGate(is_open=not missing, missing=missing)


def require_sales_access(*, tenant: Tenant, partner_id: int) -> None:
    """Refuse sales actions (deal registration, sales content) until the gate is open.

    Called by the services that own those actions, so the API and the portal refuse alike.
    """
    gate = partner_access_gate(tenant=tenant, partner_id=partner_id)
    if not gate.is_open:
        raise ForbiddenError(
            _("Finish onboarding first: %(steps)s.") % {"steps": ", ".join(gate.missing)}, code="onboarding_incomplete"
        )


# --- reminders ---------------------------------------------------------------------------------

REMIND_DAYS_BEFORE_DUE = 2
REMIND_EVERY = timedelta(days=3)


def onboarding_reminders_send(*, tenant: Tenant) -> int:
    """Email each partner's admins the steps due within two days or overdue, at most every three days.

    Three queries whatever the number of partners: the steps, the admins, one update. Returns the
    number of emails sent. Running it twice on one day sends nothing the second time.
    """
    from ecosystem.accounts.models import Membership

    now = timezone.now()
    steps = list(
        OnboardingStep.objects.filter(
            tenant=tenant,
            plan__status=PlanStatus.IN_PROGRESS,
            status__in=[StepStatus.TODO, StepStatus.REJECTED],
            due_on__lte=timezone.localdate() + timedelta(days=REMIND_DAYS_BEFORE_DUE),
        )
        .exclude(last_reminded_at__gt=now - REMIND_EVERY)
        .select_related("partner")
        .order_by("partner_id", "due_on", "position")
    )
    if not steps:
        return 0
    by_partner: dict[int, list[OnboardingStep]] = {}
    for step in steps:
        by_partner.setdefault(step.partner_id, []).append(step)
    admins: dict[int, list[str]] = {}
    for partner_id, email in Membership.objects.filter(
        tenant=tenant, partner_id__in=by_partner, role=Role.PARTNER_ADMIN, is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)
    sent = 0
    with transaction.atomic():
        OnboardingStep.objects.filter(pk__in=[step.pk for step in steps]).update(last_reminded_at=now)
        for partner_id, partner_steps in by_partner.items():
            recipients = admins.get(partner_id)
            if not recipients:
                continue
            context = {
                "tenant": tenant,
                "partner": partner_steps[0].partner,
                "steps": partner_steps,
                "today": timezone.localdate(),
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            transaction.on_commit(
                lambda context=context, recipients=recipients: send_mail(
                    subject=_("Onboarding with %(program)s: steps due") % {"program": tenant.name},
                    message=render_to_string("onboarding/email/reminder.txt", context),
                    from_email=None,
                    recipient_list=recipients,
                )
            )
            sent += 1
    return sent


# --- ongoing assurance -------------------------------------------------------------------------

RENEWAL_NOTICE_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def is_renewal_open(step: OnboardingStep) -> bool:
    return bool(
        step.status == StepStatus.DONE
        and step.expires_on
        and step.expires_on <= timezone.localdate() + timedelta(days=RENEWAL_NOTICE_DAYS)
    )


def assurance_lapse_and_remind(*, tenant: Tenant, today: date | None = None) -> dict[str, int]:
    """Reopen renewable steps (security reviews, attestations) that lapsed, which closes the gate
    again, and remind partner admins 30 days before a lapse (at most weekly). Constant queries.
    """
    from ecosystem.accounts.models import Membership

    today = today or timezone.localdate()
    now = timezone.now()
    lapsed = list(
        OnboardingStep.objects.filter(
            tenant=tenant, status=StepStatus.DONE, expires_on__lt=today, kind=StepKind.SECURITY_REVIEW
        ).select_related("plan", "partner")
    )
    due = list(
        OnboardingStep.objects.filter(
            tenant=tenant,
            status=StepStatus.DONE,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=RENEWAL_NOTICE_DAYS),
        )
        .exclude(last_reminded_at__gt=now - timedelta(days=7))
        .select_related("partner")
    )
    partner_ids = {step.partner_id for step in lapsed + due}
    admins: dict[int, list[str]] = {}
    for partner_id, email in Membership.objects.filter(
        tenant=tenant, partner_id__in=partner_ids, role=Role.PARTNER_ADMIN, is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)

    def notify(step: OnboardingStep, lapsed_now: bool) -> None:
        recipients = admins.get(step.partner_id)
        if not recipients:
            return
        context = {"tenant": tenant, "step": step, "lapsed": lapsed_now, "site_url": settings.SITE_URL.rstrip("/")}
        transaction.on_commit(
            lambda: send_mail(
                subject=_("%(program)s: %(step)s needs renewing") % {"program": tenant.name, "step": step.title},
                message=render_to_string("onboarding/email/assurance.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        )

    with transaction.atomic():
        for step in lapsed:
            step.result = {"previous": step.result, "lapsed_on": today.isoformat()}
            step.status = StepStatus.TODO
            step.expires_on = None
            step.completed_at = None
            step.due_on = today + timedelta(days=14)
            step.save(update_fields=["result", "status", "expires_on", "completed_at", "due_on"])
            if (
                step.plan.status != PlanStatus.IN_PROGRESS
                and not OnboardingPlan.objects.filter(partner_id=step.partner_id, status=PlanStatus.IN_PROGRESS).exists()
            ):
                step.plan.status = PlanStatus.IN_PROGRESS
                step.plan.completed_at = None
                step.plan.save(update_fields=["status", "completed_at"])
            audit_record(tenant=tenant, actor=None, action="onboarding.step_lapsed", target=step, changes={"kind": step.kind})
            notify(step, True)
        OnboardingStep.objects.filter(pk__in=[step.pk for step in due]).update(last_reminded_at=now)
        for step in due:
            notify(step, False)
    return {"lapsed": len(lapsed), "reminded": len(due)}
