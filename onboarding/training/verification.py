"""Credential checks: ask a verifier about a credential number and record the answer with its evidence."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding import services
from onboarding.credentials import CredentialVerifier, VerificationResult, holder_names_match
from onboarding.models import (
    Certification,
    CheckStatus,
    CredentialCheck,
    OnboardingStep,
    PlanStatus,
    StepKind,
    StepStatus,
    VerifierKind,
)

from .certifications import normalise_credential_number


class RegistryCredentialVerifier:
    """Checks a credential against the tenant's own certification registry (the Certification table).

    ``verified`` when the number exists, is neither revoked nor expired, and names the holder
    (compared as :func:`~onboarding.credentials.holder_names_match` does); ``mismatch`` when the
    number exists but one of those fails; ``not_found`` otherwise. The evidence says which, and
    never repeats the registered holder's name, so a check cannot be used to look people up.

    Reads through the tenant's row-level security: inside a partner user's scope only that
    partner's certifications exist; the certification-step task runs with the tenant's scope.
    """

    kind = VerifierKind.REGISTRY

    def __init__(self, *, tenant: Tenant) -> None:
        self.tenant = tenant

    def verify(self, *, credential_number: str, holder_name: str, holder_email: str, issuer: str) -> VerificationResult:
        number = normalise_credential_number(credential_number)
        today = timezone.localdate()
        evidence: dict[str, Any] = {
            "verifier": VerifierKind.REGISTRY.value,
            "registry": self.tenant.slug,
            "credential_number": number,
            "issuer": issuer,
            "checked_at": timezone.now().isoformat(),
        }
        certification = (
            Certification.objects.filter(tenant=self.tenant, credential_number=number).select_related("user", "course").first()
            if number
            else None
        )
        if certification is None:
            return VerificationResult("not_found", evidence)
        holder = certification.user
        evidence.update(
            certification=str(certification.public_id),
            course=certification.course.title,
            issued_on=timezone.localdate(certification.issued_at).isoformat(),
            expires_on=certification.expires_on.isoformat(),
            revoked=certification.revoked_at is not None,
            expired=certification.expires_on < today,
            holder_matches=bool(holder.full_name) and holder_names_match(holder_name, holder.full_name),
            email_matches=bool(holder_email) and holder_email.strip().casefold() == holder.email.casefold(),
        )
        if evidence["revoked"] or evidence["expired"] or not evidence["holder_matches"]:
            return VerificationResult("mismatch", evidence)
        return VerificationResult("verified", evidence)


def credential_check_run(
    *,
    tenant: Tenant,
    partner_id: int,
    credential_number: str,
    holder_name: str,
    holder_email: str,
    issuer: str,
    kind: str,
    verifier: CredentialVerifier | None = None,
    step: OnboardingStep | None = None,
    certification: Certification | None = None,
    actor: Any = None,
    pending: CredentialCheck | None = None,
) -> CredentialCheck:
    """Ask the verifier of ``kind`` about one credential and record the answer with its evidence.

    With ``pending`` (a check recorded as ``pending`` when the partner asked), that check gets the
    answer instead of a new one being created; a check answered meanwhile is returned unchanged.

    ``registry`` uses :class:`RegistryCredentialVerifier` unless one is given; ``http`` needs the
    caller to pass the issuer's configured :class:`~onboarding.credentials.HttpCredentialVerifier`
    and, without one, records an ``error`` ("not configured") rather than asking anyone.
    The verifier runs before the transaction opens: an issuer's slow answer holds no lock.
    """
    if kind not in VerifierKind.values:
        raise ApplicationError(_("Choose how to verify the credential."), code="invalid_choice", field="kind")
    if verifier is None and kind == VerifierKind.REGISTRY:
        verifier = RegistryCredentialVerifier(tenant=tenant)
    if verifier is None:
        result = VerificationResult(
            "error",
            {"verifier": kind, "error_code": "not_configured", "error": "No verification service is configured for this issuer."},
        )
    else:
        result = verifier.verify(
            credential_number=credential_number, holder_name=holder_name, holder_email=holder_email, issuer=issuer
        )
    with transaction.atomic():
        if pending is not None:
            check = CredentialCheck.objects.select_for_update().get(pk=pending.pk)
            if check.status != CheckStatus.PENDING:
                return check  # answered by an earlier run of the same task
            check.status, check.evidence = result.status, result.evidence
            check.save(update_fields=["status", "evidence"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="training.credential_check",
                target=check,
                changes={"kind": kind, "status": result.status, "credential_number": check.credential_number},
            )
            return check
        check = CredentialCheck.objects.create(
            tenant=tenant,
            partner_id=partner_id,
            step=step,
            certification=certification,
            kind=kind,
            credential_number=credential_number[:100],
            holder_name=holder_name[:150],
            issuer=issuer[:200],
            status=result.status,
            evidence=result.evidence,
            requested_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.credential_check",
            target=check,
            changes={"kind": kind, "status": result.status, "credential_number": check.credential_number},
        )
    return check


def certification_step_verify(*, tenant: Tenant, step_id: int, certification_id: int) -> CredentialCheck | None:
    """Check ``certification`` in the registry for the partner's certification step; finish the step when verified.

    Safe to run twice: a step that is already done (or gone, or not a certification step of that
    partner and course) is left alone and nothing is recorded. A verified check on a step that
    still waits for other steps is recorded; the step stays open until those are done.
    """
    step = OnboardingStep.objects.select_related("plan", "course").filter(pk=step_id).first()
    if step is None or step.kind != StepKind.CERTIFICATION or step.status == StepStatus.DONE:
        return None
    if step.plan.status != PlanStatus.IN_PROGRESS:
        return None
    certification = (
        Certification.objects.select_related("user", "course").filter(pk=certification_id, partner_id=step.partner_id).first()
    )
    if certification is None or (step.course_id is not None and certification.course_id != step.course_id):
        return None
    holder = certification.user
    check = credential_check_run(
        tenant=tenant,
        partner_id=step.partner_id,
        credential_number=certification.credential_number,
        holder_name=holder.get_full_name(),
        holder_email=holder.email,
        issuer=tenant.name,
        kind=VerifierKind.REGISTRY,
        step=step,
        certification=certification,
    )
    if check.status == CheckStatus.VERIFIED:
        # Blocked by an earlier step, or finished meanwhile: the check stays on record either way.
        with contextlib.suppress(ApplicationError):
            services.step_complete_by_evidence(
                tenant=tenant,
                actor=None,
                step=step,
                result={
                    "credential_number": certification.credential_number,
                    "holder": holder.get_full_name(),
                    "course": certification.course.title,
                    "expires_on": certification.expires_on.isoformat(),
                    "check": str(check.public_id),
                },
            )
    return check
