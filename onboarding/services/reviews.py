"""Agreements and security reviews: signing, the scored questionnaire, evidence, a manager's sign-off."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from ecosystem.uploads import check_upload
from onboarding.models import AgreementSignature, OnboardingStep, SecurityEvidence, SecurityQuestion, StepKind, StepStatus

from .plans import _finish_step, _lock_step_for_partner

# Sum of the risk points of the questions answered "no" -> rating. High risk waits for a manager.
RISK_BANDS = ((0, "low"), (20, "medium"), (50, "high"))


def risk_rating(points: int) -> str:
    rating = RISK_BANDS[0][1]
    for floor, name in RISK_BANDS:
        if points >= floor:
            rating = name
    return rating


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
            uploaded_by=person_of(actor),
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
