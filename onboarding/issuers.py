"""Outside credential issuers (e.g. "AWS Certification") and the checks partners ask of them.

A certification step without a course is an outside certification: the partner names the issuer,
the credential number and the holder on the step's page; that records a ``pending``
:class:`~onboarding.models.CredentialCheck` and queues
:func:`~onboarding.training_tasks.external_credential_verify_task`, which asks the issuer's
verification service (:class:`~onboarding.credentials.HttpCredentialVerifier`, SSRF-safe and
signed), records the answer with its evidence on that check, and finishes the step when the
credential verifies. Running the task again changes nothing.

Issuer names are readable by partner users (they pick theirs); the signing secrets live in a
staff-only table.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ecosystem import outbound
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.models import Tenant

from . import services
from .credentials import HttpCredentialVerifier, VerificationResult, endpoint_url_problem
from .models import (
    CheckStatus,
    CredentialCheck,
    CredentialIssuer,
    CredentialIssuerSecret,
    OnboardingStep,
    StepKind,
    StepStatus,
    VerifierKind,
)

# A check still pending after this long is taken as lost (a worker died); the partner may ask again.
PENDING_FOR_AT_MOST = datetime.timedelta(minutes=10)


def is_external_certification(step: OnboardingStep) -> bool:
    return step.kind == StepKind.CERTIFICATION and step.course_id is None


# --- configuration -----------------------------------------------------------------------------


def credential_issuer_save(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    endpoint_url: str,
    secret: str,
    slug: str = "",
    is_active: bool = True,
    issuer: CredentialIssuer | None = None,
) -> CredentialIssuer:
    """Create (or, with ``issuer``, change) an issuer. The endpoint must pass the outbound policy (no DNS here)."""
    name, endpoint_url, secret = (name or "").strip(), (endpoint_url or "").strip(), secret or ""
    slug = slugify(slug or name)[:60]
    if not name or not slug:
        raise ApplicationError(_("Give the issuer a name."), code="required", field="name")
    problem = endpoint_url_problem(endpoint_url)
    if problem:
        raise ApplicationError(problem, code="endpoint_refused", field="endpoint_url")
    if not secret and (issuer is None or not issuer.secret):
        raise ApplicationError(_("A signing secret is required."), code="required", field="secret")
    target = issuer or CredentialIssuer(tenant=tenant)
    target.name, target.slug, target.endpoint_url, target.is_active = name, slug, endpoint_url, is_active
    try:
        with transaction.atomic():
            target.save()
            if secret:
                CredentialIssuerSecret.objects.update_or_create(
                    tenant=tenant, issuer=target, defaults={"secret": secret, "secret_tail": secret[-4:]}
                )
            audit_record(
                tenant=tenant,
                actor=actor,
                action="training.credential_issuer_save",
                target=target,
                # Never the secret, not even masked: the audit trail outlives rotations.
                changes={"name": name, "slug": slug, "endpoint_url": endpoint_url, "is_active": is_active},
            )
    except IntegrityError:
        raise ApplicationError(_("Another issuer already uses this slug."), code="duplicate", field="slug") from None
    return target


def issuer_choices(*, tenant: Tenant) -> list[tuple[int, str, str]]:
    """``(id, slug, name)`` of the tenant's active issuers. Partner users may read these; the secrets
    are in a staff-only table."""
    return list(
        CredentialIssuer.objects.filter(tenant=tenant, is_active=True).order_by("name", "id").values_list("id", "slug", "name")
    )


# --- the partner's check -----------------------------------------------------------------------


def latest_check(step: OnboardingStep) -> CredentialCheck | None:
    return CredentialCheck.objects.filter(step=step, kind=VerifierKind.HTTP).order_by("-checked_at", "-id").first()


def check_message(check: CredentialCheck) -> str:
    """What the latest check means, for the partner."""
    values = {"issuer": check.issuer, "number": check.credential_number, "holder": check.holder_name}
    if check.status == CheckStatus.PENDING:
        return _("We are asking %(issuer)s about %(number)s. This usually takes a minute: reload the page.") % values
    if check.status == CheckStatus.VERIFIED:
        return _("%(issuer)s confirmed credential %(number)s for %(holder)s.") % values
    if check.status == CheckStatus.NOT_FOUND:
        return _("%(issuer)s has no valid credential %(number)s. Check the number and try again.") % values
    if check.status == CheckStatus.MISMATCH:
        return _("%(issuer)s knows %(number)s, but not for %(holder)s. Enter the name as it appears on the certificate.") % values
    return _("We could not get an answer from %(issuer)s. Please try again later.") % values


def external_credential_submit(
    *, tenant: Tenant, actor: Any, step: OnboardingStep, issuer_slug: str, credential_number: str, holder_name: str
) -> CredentialCheck:
    """Record a pending check of an outside certification for ``step`` and queue the issuer's answer."""
    from .training_tasks import external_credential_verify_task

    if not is_external_certification(step):
        raise ApplicationError(_("This step is not an outside certification."), code="wrong_step_kind")
    number, holder = " ".join((credential_number or "").split()), " ".join((holder_name or "").split())
    issuer = next((choice for choice in issuer_choices(tenant=tenant) if choice[1] == issuer_slug), None)
    if issuer is None:
        raise ApplicationError(_("Choose one of the issuers listed."), code="invalid_choice", field="issuer")
    if not number:
        raise ApplicationError(_("Enter the credential number."), code="required", field="credential_number")
    if not holder:
        raise ApplicationError(_("Enter the holder's name."), code="required", field="holder_name")
    issuer_id, slug, issuer_name = issuer
    with transaction.atomic():
        locked = services._lock_step_for_partner(step)  # the same refusals as ticking off: closed plan, done, blocked
        if CredentialCheck.objects.filter(
            step=locked, status=CheckStatus.PENDING, checked_at__gt=timezone.now() - PENDING_FOR_AT_MOST
        ).exists():
            raise ApplicationError(_("A check is already running for this step."), code="check_pending")
        check = CredentialCheck.objects.create(
            tenant=tenant,
            partner_id=locked.partner_id,
            step=locked,
            kind=VerifierKind.HTTP,
            credential_number=number[:100],
            holder_name=holder[:150],
            issuer=issuer_name[:200],
            status=CheckStatus.PENDING,
            evidence={"verifier": VerifierKind.HTTP.value, "issuer": slug},
            requested_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.credential_check_request",
            target=check,
            changes={"issuer": slug, "credential_number": check.credential_number},
        )
        enqueue_on_commit(external_credential_verify_task, tenant.pk, check.pk, issuer_id)
    return check


class _RefusedVerifier:
    """The issuer's configuration no longer passes the outbound policy: an error, with why."""

    def __init__(self, refused: Exception) -> None:
        self.refused = refused

    def verify(self, **question: str) -> VerificationResult:
        code = getattr(self.refused, "code", "not_configured")
        return VerificationResult(
            "error", {"verifier": VerifierKind.HTTP.value, "error_code": code, "error": str(self.refused)[:300]}
        )


def external_credential_verify(*, tenant: Tenant, check_id: int, issuer_id: int) -> CredentialCheck | None:
    """Ask the issuer about a pending check, record the answer, finish the step when verified.

    Safe to run twice: a check that is no longer pending (or gone) is left alone and nothing is asked.
    An inactive or deleted issuer records an ``error`` ("not configured").
    """
    from .training import credential_check_run

    pending = (
        CredentialCheck.objects.select_related("step", "requested_by")
        .filter(pk=check_id, status=CheckStatus.PENDING, kind=VerifierKind.HTTP)
        .first()
    )
    if pending is None:
        return None
    issuer = CredentialIssuer.objects.filter(pk=issuer_id, is_active=True).first()
    verifier = None
    if issuer is not None:
        try:
            verifier = HttpCredentialVerifier(issuer.endpoint_url, issuer.secret)
        except (outbound.OutboundRefused, ValueError) as refused:
            verifier = _RefusedVerifier(refused)
    check = credential_check_run(
        tenant=tenant,
        partner_id=pending.partner_id,
        credential_number=pending.credential_number,
        holder_name=pending.holder_name,
        holder_email=pending.requested_by.email if pending.requested_by else "",
        issuer=pending.issuer,
        kind=VerifierKind.HTTP,
        verifier=verifier,
        step=pending.step,
        pending=pending,
    )
    step = pending.step
    if check.status == CheckStatus.VERIFIED and step is not None and step.status != StepStatus.DONE:
        # Blocked by an earlier step, or finished meanwhile: the check stays on record either way.
        with contextlib.suppress(ApplicationError):
            services.step_complete_by_evidence(
                tenant=tenant,
                actor=None,
                step=step,
                result={
                    "issuer": check.issuer,
                    "credential_number": check.credential_number,
                    "holder": check.holder_name,
                    "check": str(check.public_id),
                },
            )
    return check
