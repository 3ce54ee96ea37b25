"""Claims with their evidence (partners), their decision and payment (staff)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant
from ecosystem.uploads import check_upload
from partners.models import EngagementKind
from partners.services import engagement_record

from ..models import (
    ClaimStatus,
    MdfClaim,
    MdfEvidence,
    MdfRequest,
    RequestStatus,
)
from .checks import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    MAX_EVIDENCE_FILES,
    _count,
    _money,
    _text,
)
from .emails import _link, _managers_on_commit, _partner_email

# --- claims ----------------------------------------------------------------------------------------


def claim_submit(
    *, tenant: Tenant, actor: Any, partner_id: int, request: MdfRequest, values: dict[str, Any], files: list
) -> MdfClaim:
    """The partner files its proof of performance on an approved campaign.

    At most the approved amount (``exceeds_approved``); one open claim per campaign
    (``claim_exists``; a rejected claim may be filed again); at least one evidence file
    (``evidence_required``), each a pdf, png, jpg, xlsx or docx of at most 10 MiB whose first bytes
    match its type. Files are checked before anything is written; a failure after they are stored
    removes them again.
    """
    if request.partner_id != partner_id:
        raise NotFoundError()
    amount = _money(values.get("claimed_amount"), field="claimed_amount")
    leads = _count(values.get("leads_generated"), field="leads_generated")
    attendees = _count(values.get("attendees"), field="attendees")
    notes = _text(values.get("notes"), limit=4000, field="notes")
    files = [f for f in (files or []) if f is not None]
    if not files:
        raise ApplicationError(_("Attach at least one invoice or proof of performance."), code="evidence_required", field="files")
    if len(files) > MAX_EVIDENCE_FILES:
        raise ApplicationError(_("Attach at most 10 files."), code="too_many", field="files")
    checked = [check_upload(f, extensions=EVIDENCE_EXTENSIONS, max_bytes=EVIDENCE_MAX_BYTES, field="files") for f in files]
    stored: list[MdfEvidence] = []
    try:
        with transaction.atomic():
            locked = MdfRequest.objects.select_for_update().get(tenant=tenant, pk=request.pk, partner_id=partner_id)
            if locked.status not in (RequestStatus.APPROVED, RequestStatus.PARTIALLY_APPROVED):
                raise ConflictError(_("Claims are filed on an approved campaign."), code="request_not_approved")
            if amount > locked.approved_amount:
                raise ApplicationError(
                    _("Claim at most the approved %(amount)s %(currency)s.")
                    % {"amount": locked.approved_amount, "currency": locked.currency},
                    code="exceeds_approved",
                    field="claimed_amount",
                )
            if MdfClaim.objects.filter(tenant=tenant, request=locked, status__in=["submitted", "approved", "paid"]).exists():
                raise ConflictError(_("This campaign has a claim already."), code="claim_exists")
            try:
                with transaction.atomic():
                    claim = MdfClaim.objects.create(
                        tenant=tenant,
                        partner_id=partner_id,
                        request=locked,
                        claimed_amount=amount,
                        leads_generated=leads,
                        attendees=attendees,
                        notes=notes,
                        submitted_by=person_of(actor),
                    )
            except IntegrityError:
                raise ConflictError(_("This campaign has a claim already."), code="claim_exists") from None
            for upload, original in checked:
                evidence = MdfEvidence(
                    tenant=tenant,
                    partner_id=partner_id,
                    claim=claim,
                    original_filename=original,
                    size=upload.size,
                    uploaded_by=person_of(actor),
                )
                evidence.file.save(original, upload, save=False)
                stored.append(evidence)
                evidence.save()
            engagement_record(
                tenant=tenant,
                partner_id=partner_id,
                kind=EngagementKind.MDF_CLAIM_SUBMITTED,
                user=person_of(actor),
                data={"claim": str(claim.public_id)},
            )
            audit_record(
                tenant=tenant,
                actor=actor,
                action="mdf.claim_submit",
                target=claim,
                changes={
                    "request": str(locked.public_id),
                    "claimed_amount": str(amount),
                    "files": [original for _upload, original in checked],
                },
            )
            _managers_on_commit(
                tenant=tenant,
                subject=_("[%(program)s] New MDF claim: %(title)s") % {"program": tenant.name, "title": locked.title},
                body=_("A claim of %(amount)s %(currency)s for %(title)s waits for review: %(link)s\n")
                % {
                    "amount": amount,
                    "currency": locked.currency,
                    "title": locked.title,
                    "link": _link(tenant, "/t/{slug}/mdf/claims/"),
                },
            )
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return claim


def _lock_claim(*, tenant: Tenant, claim: MdfClaim) -> MdfClaim:
    return MdfClaim.objects.select_for_update().select_related("request").get(tenant=tenant, pk=claim.pk)


def claim_decide(*, tenant: Tenant, actor: Any, claim: MdfClaim, approve: bool, amount: Any = None, reason: str = "") -> MdfClaim:
    """Approve a claim (payable; ``amount`` up to the claimed amount, the claimed amount by default) or reject it with a reason."""
    reason = _text(reason, limit=1000, field="reason")
    if not approve and not reason:
        raise ApplicationError(_("Give the partner a reason."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock_claim(tenant=tenant, claim=claim)
        if locked.status != ClaimStatus.SUBMITTED:
            raise ConflictError(_("This claim was decided already."), code="claim_decided")
        approved = None
        if approve:
            approved = locked.claimed_amount if amount in (None, "") else _money(amount, field="amount")
            if approved > locked.claimed_amount:
                raise ApplicationError(
                    _("Approve at most the claimed %(amount)s.") % {"amount": locked.claimed_amount},
                    code="exceeds_claimed",
                    field="amount",
                )
        locked.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
        locked.approved_amount = approved
        locked.decision_reason = reason
        locked.decided_by = person_of(actor)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "approved_amount", "decision_reason", "decided_by", "decided_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mdf.claim_approve" if approve else "mdf.claim_reject",
            target=locked,
            changes={"approved_amount": str(approved) if approved is not None else None, "reason": reason},
        )
        title = locked.request.title
        body = (
            _("Your claim for %(title)s is approved: %(amount)s %(currency)s will be paid.\n")
            % {"title": title, "amount": approved, "currency": locked.request.currency}
            if approve
            else _("Your claim for %(title)s was rejected.\nReason: %(reason)s\n") % {"title": title, "reason": reason}
        )
        _partner_email(
            tenant=tenant,
            partner_id=locked.partner_id,
            subject=_("MDF claim for %(title)s: %(status)s") % {"title": title, "status": locked.get_status_display()},
            body=body + "\n" + _link(tenant, f"/p/{{slug}}/mdf/requests/{locked.request.public_id}/") + "\n",
        )
    return locked


def claim_mark_paid(*, tenant: Tenant, actor: Any, claim: MdfClaim) -> MdfClaim:
    """Record the payment of an approved claim; its campaign is then completed (``claim_not_payable`` otherwise)."""
    with transaction.atomic():
        locked = _lock_claim(tenant=tenant, claim=claim)
        if locked.status != ClaimStatus.APPROVED:
            raise ConflictError(_("Only an approved claim can be paid."), code="claim_not_payable")
        locked.status = ClaimStatus.PAID
        locked.paid_at = timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        MdfRequest.objects.filter(tenant=tenant, pk=locked.request_id).update(status=RequestStatus.COMPLETED)
        audit_record(
            tenant=tenant, actor=actor, action="mdf.claim_paid", target=locked, changes={"amount": str(locked.approved_amount)}
        )
        _partner_email(
            tenant=tenant,
            partner_id=locked.partner_id,
            subject=_("MDF claim for %(title)s: paid") % {"title": locked.request.title},
            body=_("%(amount)s %(currency)s for %(title)s was paid.\n")
            % {"amount": locked.approved_amount, "currency": locked.request.currency, "title": locked.request.title},
        )
    return locked
