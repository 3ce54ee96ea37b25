"""Co-selling: what each partner reads of a deal it co-sells, and the access checks the pages and the API share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import CoSellRole, DealParticipant, DealRegistration, ParticipantStatus, ProductLine
from .team import COSELL_PARTNER_STATUSES, ON_THE_TEAM

# --- what each partner reads -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    participant_id: uuid.UUID | None  # None for a registering partner whose team has not formed yet
    partner_name: str
    partner_type: str
    role: str
    role_label: str
    status: str
    status_label: str
    is_registering: bool


@dataclass(frozen=True)
class CoSellDeal:
    """What a co-selling (or invited) partner may read of a deal: nothing of the registering partner's own."""

    registration_id: uuid.UUID
    participant_id: uuid.UUID
    customer_name: str
    product_lines: list[str]
    expected_close_date: Any
    stage: str
    stage_label: str
    solution: str
    my_role: str
    my_role_label: str
    my_status: str
    invited_by_partner: str
    message: str
    invited_at: Any
    team: list[TeamMember] = field(default_factory=list)


def _partner_names(*, tenant: Tenant, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    with across_partners(reason="co-sell: the names and types of the partners on one team, nothing else"):
        return {
            pk: (name, kind)
            for pk, name, kind in PartnerOrganization.objects.filter(tenant=tenant, pk__in=set(ids)).values_list(
                "pk", "name", "partner_type"
            )
        }


def _line_names(*, tenant: Tenant, slugs: Iterable[str]) -> list[str]:
    slugs = list(slugs)
    names = dict(ProductLine.objects.filter(tenant=tenant, slug__in=slugs).values_list("slug", "name"))
    return [names.get(slug, slug) for slug in slugs]


def cosell_team(
    *, tenant: Tenant, registration: DealRegistration, partner_id: int | None = None, history: bool = False
) -> list[TeamMember]:
    """The team of ``registration``: the registering partner first, then the others in the order they came.

    Partner callers (``partner_id``) see accepted members, and open invitations only if they are
    the registering partner. Staff see everyone; ``history=True`` adds declined and removed rows.
    """
    with across_partners(reason="co-sell: the team of a deal the caller is on"):
        rows = list(DealParticipant.objects.filter(tenant=tenant, registration_id=registration.pk).order_by("invited_at", "id"))
    if partner_id is not None and partner_id != registration.partner_id:
        rows = [r for r in rows if r.status == ParticipantStatus.ACCEPTED]
    elif not history:
        rows = [r for r in rows if r.status in ON_THE_TEAM]
    names = _partner_names(tenant=tenant, ids=[registration.partner_id, *(r.partner_id for r in rows)])
    members = [
        TeamMember(
            participant_id=r.public_id,
            partner_name=names.get(r.partner_id, ("", ""))[0],
            partner_type=names.get(r.partner_id, ("", ""))[1],
            role=r.role,
            role_label=r.get_role_display(),
            status=r.status,
            status_label=r.get_status_display(),
            is_registering=r.partner_id == registration.partner_id,
        )
        for r in rows
    ]
    if not any(m.is_registering for m in members):  # no team formed yet: the registering partner alone
        name, kind = names.get(registration.partner_id, ("", ""))
        members.insert(
            0,
            TeamMember(
                participant_id=None,
                partner_name=name,
                partner_type=kind,
                role=CoSellRole.SOURCING,
                role_label=str(CoSellRole.SOURCING.label),
                status=ParticipantStatus.ACCEPTED,
                status_label=str(ParticipantStatus.ACCEPTED.label),
                is_registering=True,
            ),
        )
    members.sort(key=lambda m: not m.is_registering)
    return members


def _cosell_deal(*, tenant: Tenant, participant: DealParticipant, registration: DealRegistration, with_team: bool) -> CoSellDeal:
    inviter = _partner_names(tenant=tenant, ids=[participant.invited_by_partner_id or 0]).get(
        participant.invited_by_partner_id or 0
    )
    return CoSellDeal(
        registration_id=registration.public_id,
        participant_id=participant.public_id,
        customer_name=registration.customer_name,
        product_lines=_line_names(tenant=tenant, slugs=registration.product_lines),
        expected_close_date=registration.expected_close_date,
        stage=registration.stage,
        stage_label=registration.get_stage_display(),
        solution=registration.solution,
        my_role=participant.role,
        my_role_label=participant.get_role_display(),
        my_status=participant.status,
        invited_by_partner=inviter[0] if inviter else tenant.name,
        message=participant.message,
        invited_at=participant.invited_at,
        team=cosell_team(tenant=tenant, registration=registration, partner_id=participant.partner_id) if with_team else [],
    )


def _registration_fields(*, tenant: Tenant, registration_id: int) -> DealRegistration:
    # Only the fields a co-seller may read leave the database; value, notes and contacts never do.
    return (
        DealRegistration.objects.filter(tenant=tenant, pk=registration_id)
        .only(
            "id",
            "public_id",
            "partner_id",
            "customer_name",
            "product_lines",
            "expected_close_date",
            "stage",
            "solution",
            "status",
        )
        .get()
    )


def access_invitation(*, tenant: Tenant, public_id: Any, partner_id: int) -> DealParticipant:
    """An open invitation of ``partner_id`` (404 for anything else: answered, another partner's, missing)."""
    participant = (
        DealParticipant.objects.filter(
            tenant=tenant, public_id=public_id, partner_id=partner_id, status=ParticipantStatus.INVITED
        ).first()
        if is_uuid(public_id)
        else None
    )
    if participant is None:
        raise NotFoundError()
    return participant


def invitations_for_partner(*, tenant: Tenant, partner_id: int) -> list[CoSellDeal]:
    """The open invitations of ``partner_id``, newest first, each with what the invitation may say.

    The invitee is not on the team yet, so the registration's row is read across partners for the
    few fields an invitation shows.
    """
    invitations = list(
        DealParticipant.objects.filter(tenant=tenant, partner_id=partner_id, status=ParticipantStatus.INVITED).order_by(
            "-invited_at", "-id"
        )
    )
    deals = []
    for participant in invitations:
        with across_partners(reason="co-sell: the few fields an invitation shows of the deal the invitee is asked to join"):
            registration = _registration_fields(tenant=tenant, registration_id=participant.registration_id)
        deals.append(_cosell_deal(tenant=tenant, participant=participant, registration=registration, with_team=False))
    return deals


def invitation_detail(*, tenant: Tenant, participant: DealParticipant) -> CoSellDeal:
    with across_partners(reason="co-sell: the few fields an invitation shows of the deal the invitee is asked to join"):
        registration = _registration_fields(tenant=tenant, registration_id=participant.registration_id)
    return _cosell_deal(tenant=tenant, participant=participant, registration=registration, with_team=False)


def cosell_deals_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """The deals ``partner_id`` co-sells (accepted, not its own registrations), expected close first.

    One query; the registration's row is readable because the partner is on its team.
    """
    return (
        DealParticipant.objects.filter(tenant=tenant, partner_id=partner_id, status=ParticipantStatus.ACCEPTED)
        .exclude(role=CoSellRole.SOURCING)
        .select_related("registration")
        .only(
            "public_id",
            "role",
            "status",
            "registration__public_id",
            "registration__customer_name",
            "registration__stage",
            "registration__expected_close_date",
            "registration__product_lines",
        )
        .order_by("registration__expected_close_date", "id")
    )


def access_cosell_deal(*, tenant: Tenant, registration_id: Any, partner_id: int) -> CoSellDeal:
    """The co-sell view of a deal ``partner_id`` is on the team of (accepted); 404 otherwise."""
    participant = (
        DealParticipant.objects.filter(
            tenant=tenant, registration__public_id=registration_id, partner_id=partner_id, status=ParticipantStatus.ACCEPTED
        )
        .select_related("registration")
        .first()
        if is_uuid(registration_id)
        else None
    )
    if participant is None:
        raise NotFoundError()
    return _cosell_deal(tenant=tenant, participant=participant, registration=participant.registration, with_team=True)


def access_own_registration(*, tenant: Tenant, registration_id: Any, partner_id: int | None) -> DealRegistration:
    """A registration of ``partner_id`` as the registering partner (any registration for staff); 404 otherwise."""
    if not is_uuid(registration_id):
        raise NotFoundError()
    queryset = DealRegistration.objects.filter(tenant=tenant, public_id=registration_id)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    registration = queryset.first()
    if registration is None:
        raise NotFoundError()
    return registration


def access_participant(*, tenant: Tenant, registration: DealRegistration, participant_id: Any) -> DealParticipant:
    """A participant row of ``registration`` (already accessed by the caller); 404 otherwise."""
    if not is_uuid(participant_id):
        raise NotFoundError()
    with across_partners(reason="co-sell: a participant of a deal the caller registered or manages"):
        participant = DealParticipant.objects.filter(tenant=tenant, registration=registration, public_id=participant_id).first()
    if participant is None:
        raise NotFoundError()
    return participant


def invitable_partners(
    *, tenant: Tenant, registration: DealRegistration, search: str = "", limit: int = 200
) -> list[dict[str, Any]]:
    """Active partners of the program a registering partner may invite: public id, name and type only.

    Nothing about their other deals: the list is the program's partners by name, minus this
    deal's own team.
    """
    with across_partners(reason="co-sell: the program's active partners by name and type, for an invitation"):
        taken = set(
            DealParticipant.objects.filter(tenant=tenant, registration=registration, status__in=ON_THE_TEAM).values_list(
                "partner_id", flat=True
            )
        )
        queryset = (
            PartnerOrganization.objects.filter(tenant=tenant, status__in=COSELL_PARTNER_STATUSES)
            .exclude(pk__in=taken | {registration.partner_id})
            .order_by("name", "id")
        )
        if search:
            queryset = queryset.filter(name__icontains=search.strip()[:100])
        return list(queryset.values("public_id", "name", "partner_type")[:limit])


def invitable_partner(*, tenant: Tenant, public_id: Any) -> PartnerOrganization:
    """One partner of the program to invite or assign, by public id (an ``invalid_choice`` error otherwise)."""
    partner = None
    if is_uuid(public_id):
        with across_partners(reason="co-sell: find the partner being invited, by its public id"):
            partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()
    if partner is None:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field="partner")
    return partner
