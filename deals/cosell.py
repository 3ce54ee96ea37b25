"""Co-selling: several partners on one deal registration, each in a role, each seeing only what it needs.

The rules, in one place:

* The **team** of a registration is the registering partner (role *sourcing*) plus every partner
  whose participation is *accepted*. A partner joins when it accepts another partner's invitation
  (:func:`cosell_invite`, :func:`cosell_respond`) or when a manager puts it on the team
  (:func:`cosell_assign`). A manager or the registering partner takes it off (:func:`cosell_remove`).
* Row-level security reads ``team_partner_ids``: on the registration, the team; on each
  participant row, the team plus the participant itself while it is *invited* (so it can read its
  invitation and nothing else). :func:`_team_sync` recomputes both from the participant rows in the
  same transaction as every change, under a row lock on the registration, so the arrays are always
  exactly what the rows say.
* A registration that stops being active (rejected, expired, won, lost, withdrawn, released, taken
  over, back under review) keeps no open invitations: the workflow closes them in the same transaction
  (:func:`cosell_invitations_close`). Accepted partners stay on the team and keep reading the
  ended deal: it is their history too.
* What a co-selling partner may read of the deal is :class:`CoSellDeal`: customer, stage, expected
  close, product lines, solution, the team and its own role. Never the value, notes, contact
  details, conflicts or decisions of the registering partner: those stay on the registration,
  which the selectors below never hand to a co-seller.
* Other partners' rows (the invitee's organisation, its admins, the invitation an invitee cannot
  read yet) are read with :func:`~ecosystem.tenancy.context.across_partners`, each with its reason,
  and only the fields above come back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus

from .models import CoSellRole, DealParticipant, DealRegistration, ParticipantStatus, ProductLine

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


def _admin_emails(*, tenant: Tenant, partner_id: int) -> list[str]:
    with across_partners(reason="co-sell: email the invited partner's admins about the invitation"):
        return list(
            Membership.objects.filter(tenant=tenant, partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
            .order_by("id")
            .values_list("user__email", flat=True)
        )


def _email_on_commit(*, tenant: Tenant, partner_id: int, template: str, subject: str, context: dict[str, Any]) -> None:
    recipients = _admin_emails(tenant=tenant, partner_id=partner_id)
    if not recipients:
        return
    body = render_to_string(template, {"tenant": tenant, "site_url": settings.SITE_URL.rstrip("/"), **context})
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients))


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
) -> DealParticipant:
    """The registering partner invites another active partner of the program onto its active registration.

    The invitee reads its invitation (and only that) until it answers. Locks the registration;
    creates the registering partner's own *sourcing* row the first time. Emails the invitee's
    admins after commit.
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
        _email_on_commit(
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
        _email_on_commit(
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
        if _is_uuid(public_id)
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
        if _is_uuid(registration_id)
        else None
    )
    if participant is None:
        raise NotFoundError()
    return _cosell_deal(tenant=tenant, participant=participant, registration=participant.registration, with_team=True)


def access_own_registration(*, tenant: Tenant, registration_id: Any, partner_id: int | None) -> DealRegistration:
    """A registration of ``partner_id`` as the registering partner (any registration for staff); 404 otherwise."""
    if not _is_uuid(registration_id):
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
    if not _is_uuid(participant_id):
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
    if _is_uuid(public_id):
        with across_partners(reason="co-sell: find the partner being invited, by its public id"):
            partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()
    if partner is None:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field="partner")
    return partner


def _is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return False
    return True
