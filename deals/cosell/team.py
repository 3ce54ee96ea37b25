"""Co-selling: who may join a deal's team, and keeping the registration's team arrays in step with its participants."""

from __future__ import annotations

from ecosystem.tenancy.models import Tenant
from partners.models import PartnerStatus

from ..models import CoSellRole, DealParticipant, DealRegistration, ParticipantStatus

# Partners that may be invited or assigned: in the program and selling.
COSELL_PARTNER_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)
# The roles another partner may take; *sourcing* is the registering partner's alone.
INVITABLE_ROLES = tuple(role for role in CoSellRole if role != CoSellRole.SOURCING)
ON_THE_TEAM = (ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED)


# --- the team arrays -------------------------------------------------------------------------------


def _lock_registration(*, tenant: Tenant, registration: DealRegistration) -> DealRegistration:
    """The registration, locked for the rest of the transaction (call inside ``across_partners``)."""
    return DealRegistration.objects.select_for_update().get(tenant=tenant, pk=registration.pk)


def _lock_participant(*, tenant: Tenant, participant: DealParticipant) -> tuple[DealRegistration, DealParticipant]:
    """The participant's registration, then the participant row, both locked (call inside ``across_partners``).

    Always the registration first, as every service that changes the team does, and as the workflow
    does when a decision ends the registration and closes its invitations: two transactions that
    lock in the same order wait for each other instead of deadlocking. (A participant never moves
    to another registration, so the caller's copy's ``registration_id`` is safe to lock by.)
    """
    registration = DealRegistration.objects.select_for_update().get(tenant=tenant, pk=participant.registration_id)
    return registration, DealParticipant.objects.select_for_update().get(tenant=tenant, pk=participant.pk)


def _team_sync(*, tenant: Tenant, registration: DealRegistration) -> list[int]:
    """Recompute ``team_partner_ids`` on the registration and every participant row from the rows' statuses.

    Call with the registration locked, inside ``across_partners``: an invitee that declines leaves
    the array of its own row, which its own scope could not write. Returns the team.
    """
    participants = list(DealParticipant.objects.filter(tenant=tenant, registration=registration).order_by("id"))
    accepted = sorted({p.partner_id for p in participants if p.status == ParticipantStatus.ACCEPTED} - {registration.partner_id})
    team = [registration.partner_id, *accepted]
    if registration.team_partner_ids != team:
        registration.team_partner_ids = team
        DealRegistration.objects.filter(tenant=tenant, pk=registration.pk).update(team_partner_ids=team)
    for participant in participants:
        wanted = team if participant.status != ParticipantStatus.INVITED else [*team, participant.partner_id]
        if participant.team_partner_ids != wanted:
            DealParticipant.objects.filter(tenant=tenant, pk=participant.pk).update(team_partner_ids=wanted)
    return team


def _sourcing_row(*, tenant: Tenant, registration: DealRegistration) -> DealParticipant:
    """The registering partner's own row (role *sourcing*, accepted), created the first time a team forms."""
    row, _created = DealParticipant.objects.get_or_create(
        tenant=tenant,
        registration=registration,
        partner_id=registration.partner_id,
        defaults={
            "role": CoSellRole.SOURCING,
            "status": ParticipantStatus.ACCEPTED,
            "invited_by": registration.submitted_by,
            "invited_by_partner_id": registration.partner_id,
            "team_partner_ids": list(registration.team_partner_ids),
            "responded_at": registration.submitted_at,
        },
    )
    return row
