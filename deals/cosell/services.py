"""Co-selling: inviting, answering, assigning and removing the partners on a deal's team."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.notifications import email_partner_admins_on_commit
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import DealParticipant, DealRegistration, ParticipantStatus
from .team import (
    COSELL_PARTNER_STATUSES,
    INVITABLE_ROLES,
    ON_THE_TEAM,
    _lock_participant,
    _lock_registration,
    _sourcing_row,
    _team_sync,
)

# --- checks ----------------------------------------------------------------------------------------


def _clean_role(role: str) -> str:
    if role not in INVITABLE_ROLES:
        raise ApplicationError(
            _("Choose a role: influencing, implementation, referral or distribution."), code="invalid_choice", field="role"
        )
    return role


def _require_open(registration: DealRegistration) -> None:
    if not registration.is_active:
        raise ApplicationError(
            _("Only an active registration (pending, waiting for information, or approved) can add partners."),
            code="registration_not_active",
        )


def _check_newcomer(*, tenant: Tenant, registration: DealRegistration, partner: PartnerOrganization) -> DealParticipant | None:
    """The partner may join the team; returns its earlier (declined or removed) row to reuse, if any."""
    if partner.tenant_id != tenant.pk or partner.status not in COSELL_PARTNER_STATUSES:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field="partner")
    if partner.pk == registration.partner_id:
        raise ApplicationError(_("The registering partner is on the team already."), code="already_on_team", field="partner")
    earlier = DealParticipant.objects.filter(tenant=tenant, registration=registration, partner=partner).first()
    if earlier is not None and earlier.status in ON_THE_TEAM:
        raise ConflictError(_("This partner is on the team or invited already."), code="already_on_team")
    return earlier


def _place(
    *,
    tenant: Tenant,
    registration: DealRegistration,
    partner: PartnerOrganization,
    earlier: DealParticipant | None,
    role: str,
    status: str,
    actor: Any,
    invited_by_partner_id: int | None,
    message: str,
) -> DealParticipant:
    now = timezone.now()
    values = {
        "role": role,
        "status": status,
        "invited_by": person_of(actor),
        "invited_by_partner_id": invited_by_partner_id,
        "message": message,
        "responded_at": now if status == ParticipantStatus.ACCEPTED else None,
    }
    if earlier is None:
        # Never insert an empty array: "setting = ANY('{}')" is false, not NULL, so even staff could
        # not write (or read) the row. _team_sync settles the exact array right after.
        return DealParticipant.objects.create(
            tenant=tenant,
            registration=registration,
            partner=partner,
            team_partner_ids=[*registration.team_partner_ids, partner.pk],
            **values,
        )
    for name, value in values.items():
        setattr(earlier, name, value)
    earlier.invited_at = now
    earlier.save(update_fields=[*values, "invited_at"])
    return earlier


# --- emails ----------------------------------------------------------------------------------------

EMAIL_REASON = "co-sell: email a partner's admins about a deal team it is asked onto or on"


# --- services --------------------------------------------------------------------------------------


def cosell_invite(
    *,
    tenant: Tenant,
    actor: Any,
    partner_id: int,
    registration: DealRegistration,
    invitee: PartnerOrganization,
    role: str,
    message: str = "",
    notify: bool = True,
) -> DealParticipant:
    """The registering partner invites another active partner of the program onto its active registration.

    The invitee reads its invitation (and only that) until it answers. Locks the registration;
    creates the registering partner's own *sourcing* row the first time. Emails the invitee's
    admins after commit, unless ``notify`` is False (the invitee itself asked to join, as when it
    accepts a collaboration request about the deal: it is answered in the same transaction).
    """
    if registration.partner_id != partner_id:
        raise NotFoundError()  # only the registering partner's users invite; anyone else learns nothing
    role = _clean_role(role)
    message = " ".join(str(message or "").split())[:500]
    with transaction.atomic(), across_partners(reason="co-sell: lock the deal, check the invitee and rewrite the team arrays"):
        locked = _lock_registration(tenant=tenant, registration=registration)
        _require_open(locked)
        earlier = _check_newcomer(tenant=tenant, registration=locked, partner=invitee)
        _sourcing_row(tenant=tenant, registration=locked)
        participant = _place(
            tenant=tenant,
            registration=locked,
            partner=invitee,
            earlier=earlier,
            role=role,
            status=ParticipantStatus.INVITED,
            actor=actor,
            invited_by_partner_id=partner_id,
            message=message,
        )
        _team_sync(tenant=tenant, registration=locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.cosell_invite",
            target=locked,
            changes={"participant": str(participant.public_id), "partner": str(invitee.public_id), "role": role},
        )
        inviter_name = PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id).values_list("name", flat=True).first()
        if notify:
            email_partner_admins_on_commit(
                reason=EMAIL_REASON,
                tenant=tenant,
                partner_id=invitee.pk,
                template="deals/cosell/email/invited.txt",
                subject=_("%(partner)s invites you to co-sell a deal") % {"partner": inviter_name},
                context={
                    "inviter": inviter_name,
                    "customer": locked.customer_name,
                    "role": participant.get_role_display(),
                    "message": message,
                },
            )
    participant.refresh_from_db()
    return participant


def cosell_respond(*, tenant: Tenant, actor: Any, partner_id: int, participant: DealParticipant, accept: bool) -> DealParticipant:
    """The invited partner accepts (joins the team and reads the co-sell deal) or declines (sees nothing more).

    Only an open invitation of ``partner_id`` on a registration that is still active can be
    accepted; a decline is always possible while the invitation is open.
    """
    if participant.partner_id != partner_id:
        raise NotFoundError()
    with transaction.atomic(), across_partners(reason="co-sell: the invitee answers; lock the deal and rewrite the team arrays"):
        registration, locked = _lock_participant(tenant=tenant, participant=participant)
        if locked.status != ParticipantStatus.INVITED:
            raise ConflictError(_("This invitation was answered or withdrawn already."), code="invitation_closed")
        if accept:
            _require_open(registration)
        locked.status = ParticipantStatus.ACCEPTED if accept else ParticipantStatus.DECLINED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        _team_sync(tenant=tenant, registration=registration)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.cosell_accept" if accept else "deals.cosell_decline",
            target=registration,
            changes={"participant": str(locked.public_id), "role": locked.role},
        )
    return locked


def cosell_invitations_close(*, tenant: Tenant, registration: DealRegistration) -> int:
    """Close the open invitations of a registration that has stopped being active; returns how many.

    Called by the workflow (``deals.workflow.steps._decide``) in the transaction that moves the
    registration out of the active statuses, with the registration locked. Such an invitation
    could never be accepted (:func:`cosell_respond` wants an active registration), so it is closed
    rather than left in the invitee's list: status *declined*, ``responded_at`` now, and the
    arrays rewritten, so the invitee no longer reads its row. Accepted partners stay on the team.

    Why *declined* and nothing new on the model: it is the status that means "invited, never
    joined", which is what happened; it keeps the row reusable if the registration becomes active
    again (an appeal overturned: :func:`_check_newcomer` lets a declined partner be invited
    again); and it needs no migration or new label. That the decision closed it, not the invitee,
    is on the decision's audit row (``invitations_closed``) at the same moment as ``responded_at``.
    """
    with across_partners(reason="co-sell: the deal ended; close the invitations other partners hold and rewrite the arrays"):
        closed = DealParticipant.objects.filter(
            tenant=tenant, registration=registration, status=ParticipantStatus.INVITED
        ).update(status=ParticipantStatus.DECLINED, responded_at=timezone.now())
        if closed:
            _team_sync(tenant=tenant, registration=registration)
    return closed


def cosell_assign(
    *, tenant: Tenant, actor: Any, registration: DealRegistration, partner: PartnerOrganization, role: str
) -> DealParticipant:
    """A manager puts a partner on the registration's team directly: accepted at once. Emails its admins."""
    role = _clean_role(role)
    with transaction.atomic(), across_partners(reason="co-sell: a manager assembles the team"):
        locked = _lock_registration(tenant=tenant, registration=registration)
        _require_open(locked)
        earlier = _check_newcomer(tenant=tenant, registration=locked, partner=partner)
        _sourcing_row(tenant=tenant, registration=locked)
        participant = _place(
            tenant=tenant,
            registration=locked,
            partner=partner,
            earlier=earlier,
            role=role,
            status=ParticipantStatus.ACCEPTED,
            actor=actor,
            invited_by_partner_id=None,
            message="",
        )
        _team_sync(tenant=tenant, registration=locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.cosell_assign",
            target=locked,
            changes={"participant": str(participant.public_id), "partner": str(partner.public_id), "role": role},
        )
        email_partner_admins_on_commit(
            reason=EMAIL_REASON,
            tenant=tenant,
            partner_id=partner.pk,
            template="deals/cosell/email/assigned.txt",
            subject=_("%(program)s put you on a co-sell team") % {"program": tenant.name},
            context={"customer": locked.customer_name, "role": participant.get_role_display()},
        )
    participant.refresh_from_db()
    return participant


def cosell_remove(
    *, tenant: Tenant, actor: Any, participant: DealParticipant, reason: str, partner_id: int | None = None
) -> DealParticipant:
    """Take a partner off the team, or withdraw its open invitation; it sees nothing more of the deal.

    ``partner_id`` is the caller's organisation when a partner user removes: only the registering
    partner may. Staff callers (``None``) must be partner managers or owners (the views check the
    role). The registering partner itself cannot be removed.
    """
    reason = " ".join(str(reason or "").split())[:300]
    if not reason:
        raise ApplicationError(_("Say why the partner leaves the team."), code="required", field="reason")
    with transaction.atomic(), across_partners(reason="co-sell: take a partner off the team and rewrite the team arrays"):
        registration, locked = _lock_participant(tenant=tenant, participant=participant)
        if partner_id is not None and registration.partner_id != partner_id:
            raise NotFoundError()
        if locked.partner_id == registration.partner_id:
            raise ApplicationError(_("The registering partner stays on its own deal."), code="cannot_remove_sourcing")
        if locked.status not in ON_THE_TEAM:
            raise ConflictError(_("This partner is not on the team."), code="not_on_team")
        previous = locked.status
        locked.status = ParticipantStatus.REMOVED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        _team_sync(tenant=tenant, registration=registration)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.cosell_remove",
            target=registration,
            changes={"participant": str(locked.public_id), "from_status": previous, "reason": reason},
        )
    return locked
