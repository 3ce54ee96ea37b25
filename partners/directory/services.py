"""Writes of the directory and of collaboration requests: every one audited, emails after commit.

* A partner's admins edit its :class:`~partners.directory.models.DirectoryProfile` and publish or
  unpublish it (the portal and the API check the role; the services check everything else).
* A partner sends a :class:`~partners.directory.models.CollaborationRequest` to another partner
  with a published profile, never to itself, about one of its own deals (an active registration),
  a joint solution it is on or that is in market, an initiative of a business plan it is on, an
  account-mapping overlap, or nothing in particular. The receiver's admin accepts or declines; the
  sender withdraws while it is pending.
* Accepting a request about a deal puts the receiver on the deal's co-sell team in the role the
  request named, through :mod:`deals.cosell` (the registering partner's invitation, accepted at
  once by the receiver), in the same transaction: if the deal can no longer take partners, the
  accept fails and nothing changes.
* A request about a joint solution comes from a partner that manages it (proposer or orchestrating
  partner) while it is a draft, and names the component role the receiver is asked to take.
  Accepting it adds the receiver's component through :mod:`partners.solutions.services` (the
  sender's partner adds it, the receiver accepts it at once), in the same transaction: if the
  solution can no longer take components (no longer a draft, retired), the accept fails and
  nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.notifications import email_partner_admins_on_commit
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import Capability, PartnerOrganization, Region

from .models import CollaborationRequest, CollaborationStatus, CollaborationSubject, DirectoryProfile
from .selectors import LISTED_STATUSES

PROFILE_FIELDS = ("headline", "description", "capabilities", "regions", "industries", "contact_email", "show_certifications")
MAX_INDUSTRIES = 12
MESSAGE_MAX = 2000


# --- the directory profile -------------------------------------------------------------------------


def _clean_profile(*, tenant: Tenant, values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "headline" in values:
        cleaned["headline"] = " ".join(str(values["headline"] or "").split())[:160]
    if "description" in values:
        cleaned["description"] = str(values["description"] or "").strip()[:4000]
    if "capabilities" in values:
        known = set(Capability.objects.filter(tenant=tenant).values_list("slug", flat=True))
        chosen = list(dict.fromkeys(str(v) for v in values["capabilities"] or []))
        unknown = [v for v in chosen if v not in known]
        if unknown:
            raise ApplicationError(_("Choose capabilities from the program's list."), code="invalid_choice", field="capabilities")
        cleaned["capabilities"] = chosen
    if "regions" in values:
        chosen = list(dict.fromkeys(str(v) for v in values["regions"] or []))
        if any(v not in Region.values for v in chosen):
            raise ApplicationError(_("Choose regions from the list."), code="invalid_choice", field="regions")
        cleaned["regions"] = chosen
    if "industries" in values:
        raw = values["industries"] or []
        if isinstance(raw, str):
            raw = raw.split(",")
        industries = list(dict.fromkeys(" ".join(str(v).split())[:60] for v in raw if str(v).strip()))
        if len(industries) > MAX_INDUSTRIES:
            raise ApplicationError(
                _("Name at most %(n)d industries.") % {"n": MAX_INDUSTRIES}, code="too_many", field="industries"
            )
        cleaned["industries"] = industries
    if "contact_email" in values:
        email = str(values["contact_email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ApplicationError(_("Enter a valid email address."), code="invalid", field="contact_email") from None
        cleaned["contact_email"] = email
    if "show_certifications" in values:
        cleaned["show_certifications"] = bool(values["show_certifications"])
    return cleaned


def _require_publishable(profile: DirectoryProfile) -> None:
    if not profile.headline:
        raise ApplicationError(_("Write a headline before you publish your profile."), code="headline_required", field="headline")


def directory_profile_save(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, values: dict[str, Any]
) -> DirectoryProfile:
    """Create or update the partner's profile with ``values`` (any of :data:`PROFILE_FIELDS`, and ``is_published``).

    Capabilities must be the program's, regions the known ones. Publishing needs a headline.
    Locks the profile row; one audit row naming the fields that changed.
    """
    cleaned = _clean_profile(tenant=tenant, values=values)
    with transaction.atomic():
        profile, created = DirectoryProfile.objects.select_for_update().get_or_create(
            tenant=tenant, partner=partner, defaults={"updated_by": person_of(actor)}
        )
        changed = {name: value for name, value in cleaned.items() if created or getattr(profile, name) != value}
        for name, value in changed.items():
            setattr(profile, name, value)
        if "is_published" in values and bool(values["is_published"]) != profile.is_published:
            publish = bool(values["is_published"])
            if publish:
                _require_publishable(profile)
            profile.is_published = publish
            profile.published_at = timezone.now() if publish else None
            changed["is_published"] = publish
        elif profile.is_published:
            _require_publishable(profile)  # a published profile keeps its headline
        profile.updated_by = person_of(actor)
        profile.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="directory.profile_save",
            target=profile,
            changes={"partner": str(partner.public_id), "fields": sorted(changed)},
        )
    return profile


def directory_profile_publish(*, tenant: Tenant, actor: Any, partner: PartnerOrganization, publish: bool) -> DirectoryProfile:
    """Publish (visible to the program's other partners) or unpublish (invisible to them at once)."""
    with transaction.atomic():
        profile, _created = DirectoryProfile.objects.select_for_update().get_or_create(
            tenant=tenant,
            partner=partner,
            defaults={
                "description": partner.description,
                "capabilities": list(partner.capabilities),
                "regions": list(partner.regions),
                "updated_by": person_of(actor),
            },
        )
        if publish:
            _require_publishable(profile)
        if profile.is_published != publish:
            profile.is_published = publish
            profile.published_at = timezone.now() if publish else None
            profile.updated_by = person_of(actor)
            profile.save(update_fields=["is_published", "published_at", "updated_by", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="directory.profile_publish" if publish else "directory.profile_unpublish",
            target=profile,
            changes={"partner": str(partner.public_id)},
        )
    return profile


# --- collaboration requests ------------------------------------------------------------------------

EMAIL_REASON = "collaboration: email the other partner's admins about a request or its answer"


def _deal_subject(*, tenant: Tenant, from_partner: PartnerOrganization, to_partner: PartnerOrganization, subject, role: str):
    from deals.cosell import COSELL_PARTNER_STATUSES, INVITABLE_ROLES
    from deals.models import DealRegistration

    if not isinstance(subject, DealRegistration) or subject.tenant_id != tenant.pk or subject.partner_id != from_partner.pk:
        raise ApplicationError(_("Choose one of your own deal registrations."), code="invalid_choice", field="subject")
    if not subject.is_active:
        raise ApplicationError(
            _("Only an active registration (pending, waiting for information, or approved) can add partners."),
            code="registration_not_active",
            field="subject",
        )
    if role not in INVITABLE_ROLES:
        raise ApplicationError(
            _("Choose a role: influencing, implementation, referral or distribution."), code="invalid_choice", field="cosell_role"
        )
    if to_partner.status not in COSELL_PARTNER_STATUSES:
        raise ApplicationError(
            _("This partner cannot co-sell yet: only active partners join a deal's team."),
            code="partner_cannot_cosell",
            field="to_partner",
        )
    return {"registration": subject}, subject.customer_name


def _solution_subject(*, tenant: Tenant, from_partner: PartnerOrganization, to_partner: PartnerOrganization, subject, role: str):
    from partners.solutions.models import ComponentRole, JointSolution, SolutionStatus
    from partners.solutions.services import SOLUTION_PARTNER_STATUSES, managing_partner_ids

    if not isinstance(subject, JointSolution) or subject.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a joint solution."), code="invalid_choice", field="subject")
    if from_partner.pk not in managing_partner_ids(subject):
        raise ApplicationError(
            _("Only the partner that proposed or orchestrates a solution asks others to join it."),
            code="not_solution_manager",
            field="subject",
        )
    if subject.status == SolutionStatus.RETIRED:
        raise ApplicationError(_("This solution is retired."), code="solution_retired", field="subject")
    if subject.status != SolutionStatus.DRAFT:
        # The solutions' rule: a managing partner changes the components of a draft only.
        raise ApplicationError(
            _("Only a draft solution takes new partners from you; ask the program's managers."),
            code="solution_not_draft",
            field="subject",
        )
    if role not in ComponentRole.values:
        raise ApplicationError(
            _("Choose a role: ISV product, SI implementation, MSP managed service, distributor fulfilment or consulting."),
            code="invalid_choice",
            field="component_role",
        )
    if to_partner.status not in SOLUTION_PARTNER_STATUSES:
        raise ApplicationError(
            _("This partner cannot join a solution yet: only active partners deliver a part of one."),
            code="partner_cannot_join_solution",
            field="to_partner",
        )
    return {"solution": subject}, subject.name


def _initiative_subject(*, tenant: Tenant, from_partner: PartnerOrganization, subject):
    from partners.plans.models import PlanInitiative

    if (
        not isinstance(subject, PlanInitiative)
        or subject.tenant_id != tenant.pk
        or from_partner.pk not in (subject.team_partner_ids or [])
    ):
        raise ApplicationError(_("Choose an initiative of a business plan you are on."), code="invalid_choice", field="subject")
    return {"initiative": subject}, subject.title


def collaboration_request(
    *,
    tenant: Tenant,
    actor: Any,
    from_partner: PartnerOrganization,
    to_partner: PartnerOrganization,
    subject_kind: str,
    subject: Any = None,
    message: str = "",
    cosell_role: str = "",
    component_role: str = "",
) -> CollaborationRequest:
    """``from_partner`` asks ``to_partner`` (published in the directory, not itself) to collaborate.

    ``subject`` is the sender's :class:`~deals.models.DealRegistration` (active; ``cosell_role`` is
    the role the receiver takes), a draft :class:`~partners.solutions.models.JointSolution` the
    sender manages (``component_role`` is the receiver's component role), a
    :class:`~partners.plans.models.PlanInitiative` of a plan the sender is on, or ``None`` for an account-mapping overlap or a general request. One pending request per
    pair and subject (the database decides: a second is a conflict). Emails the receiver's admins
    after commit.
    """
    if subject_kind not in CollaborationSubject.values:
        raise ApplicationError(_("Choose what the collaboration is about."), code="invalid_choice", field="subject_kind")
    if to_partner.pk == from_partner.pk:
        raise ApplicationError(_("Choose another partner than your own."), code="collaboration_to_itself", field="to_partner")
    with across_partners(reason="collaboration: is the receiver published in the directory?"):
        listed = PartnerOrganization.objects.filter(
            tenant=tenant, pk=to_partner.pk, status__in=LISTED_STATUSES, directory_profile__is_published=True
        ).exists()
    if not listed:
        raise ApplicationError(_("Choose a partner from the directory."), code="invalid_choice", field="to_partner")
    message = str(message or "").strip()[:MESSAGE_MAX]
    role = ""
    solution_role = ""
    links: dict[str, Any] = {}
    label = ""
    if subject_kind == CollaborationSubject.DEAL:
        role = str(cosell_role or "")
        links, label = _deal_subject(tenant=tenant, from_partner=from_partner, to_partner=to_partner, subject=subject, role=role)
    elif subject_kind == CollaborationSubject.SOLUTION:
        solution_role = str(component_role or "")
        links, label = _solution_subject(
            tenant=tenant, from_partner=from_partner, to_partner=to_partner, subject=subject, role=solution_role
        )
    elif subject_kind == CollaborationSubject.INITIATIVE:
        links, label = _initiative_subject(tenant=tenant, from_partner=from_partner, subject=subject)
    elif subject is not None:
        raise ApplicationError(_("This kind of request is about no particular record."), code="invalid_choice", field="subject")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique index on pending requests may say no
                request = CollaborationRequest.objects.create(
                    tenant=tenant,
                    from_partner=from_partner,
                    to_partner=to_partner,
                    subject_kind=subject_kind,
                    subject_label=label[:300],
                    cosell_role=role,
                    component_role=solution_role,
                    message=message,
                    team_partner_ids=[from_partner.pk, to_partner.pk],
                    requested_by=person_of(actor),
                    **links,
                )
        except IntegrityError:
            raise ConflictError(
                _("You already asked this partner about this; wait for the answer or withdraw it."),
                code="collaboration_pending",
            ) from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="directory.collaboration_request",
            target=request,
            changes={"to_partner": str(to_partner.public_id), "subject_kind": subject_kind, "subject": label[:300]},
        )
        email_partner_admins_on_commit(
            reason=EMAIL_REASON,
            tenant=tenant,
            partner_id=to_partner.pk,
            template="directory/email/requested.txt",
            subject=_("%(partner)s asks to collaborate with you") % {"partner": from_partner.name},
            context={"request": request, "sender": from_partner.name},
        )
    return request


def _lock(*, tenant: Tenant, collaboration: CollaborationRequest) -> CollaborationRequest:
    locked = CollaborationRequest.objects.select_for_update().filter(tenant=tenant, pk=collaboration.pk).first()
    if locked is None:
        raise NotFoundError()
    if locked.status != CollaborationStatus.PENDING:
        raise ConflictError(_("This request was answered or withdrawn already."), code="collaboration_closed")
    return locked


def _join_deal_team(*, tenant: Tenant, actor: Any, collaboration: CollaborationRequest):
    """Put the receiver on the sender's deal team in the requested role; the co-sell services keep the rules."""
    from deals.cosell import cosell_invite, cosell_respond
    from deals.models import DealParticipant, DealRegistration, ParticipantStatus

    with across_partners(reason="collaboration: the receiver accepts; read the sender's deal it joins (id and status only)"):
        registration = (
            DealRegistration.objects.filter(tenant=tenant, pk=collaboration.registration_id)
            .only("id", "public_id", "partner_id", "status", "team_partner_ids", "customer_name", "tenant_id")
            .first()
        )
        existing = DealParticipant.objects.filter(
            tenant=tenant, registration_id=collaboration.registration_id, partner_id=collaboration.to_partner_id
        ).first()
    if registration is None or registration.partner_id != collaboration.from_partner_id:
        raise ApplicationError(_("The deal of this request no longer exists."), code="registration_not_active")
    if existing is not None and existing.status == ParticipantStatus.ACCEPTED:
        return existing
    with across_partners(reason="collaboration: the receiver accepts; the sender's invitation onto its deal"):
        invitee = PartnerOrganization.objects.get(tenant=tenant, pk=collaboration.to_partner_id)
    if existing is None or existing.status != ParticipantStatus.INVITED:
        existing = cosell_invite(
            tenant=tenant,
            actor=actor,
            partner_id=collaboration.from_partner_id,
            registration=registration,
            invitee=invitee,
            role=collaboration.cosell_role,
            message=_("Accepted collaboration request"),
            notify=False,  # the receiver asked to join: no "X invites you to co-sell" email for what it just accepted
        )
    return cosell_respond(tenant=tenant, actor=actor, partner_id=collaboration.to_partner_id, participant=existing, accept=True)


def _join_solution(*, tenant: Tenant, actor: Any, collaboration: CollaborationRequest):
    """Add the receiver to the sender's solution in the requested role, accepted at once.

    The solutions services keep their rules: the sender's partner adds the component (it must still
    manage the solution, a draft), the receiver accepts it; both lock the solution, rewrite the
    team arrays and write their audit rows. ``component_add`` has no switch for its invitation
    email, so the receiver's admins are also told they are invited (to what they just accepted).
    """
    from partners.solutions import services as solutions
    from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent, SolutionStatus

    with across_partners(reason="collaboration: the receiver accepts; read the solution it joins (state and managers)"):
        solution = JointSolution.objects.filter(tenant=tenant, pk=collaboration.solution_id).first()
        existing = SolutionComponent.objects.filter(
            tenant=tenant,
            solution_id=collaboration.solution_id,
            partner_id=collaboration.to_partner_id,
            role=collaboration.component_role,
        ).first()
        invitee = PartnerOrganization.objects.get(tenant=tenant, pk=collaboration.to_partner_id)
    if solution is None or collaboration.from_partner_id not in solutions.managing_partner_ids(solution):
        raise ConflictError(_("The solution of this request no longer takes partners from its sender."), code="solution_gone")
    if solution.status == SolutionStatus.RETIRED:
        raise ConflictError(_("This solution is retired."), code="solution_retired")
    if existing is not None and existing.status == ComponentStatus.ACCEPTED:
        return existing
    if existing is None or existing.status != ComponentStatus.INVITED:
        existing = solutions.component_add(
            tenant=tenant,
            actor=actor,
            solution=solution,
            partner=invitee,
            role=collaboration.component_role,
            description=_("Joined by accepting a collaboration request"),
            partner_id=collaboration.from_partner_id,
            notify=False,  # the receiver asked for it and accepts in this transaction
        )
    return solutions.component_respond(
        tenant=tenant, actor=actor, partner_id=collaboration.to_partner_id, component=existing, accept=True
    )


def collaboration_answer(
    *, tenant: Tenant, actor: Any, partner_id: int, collaboration: CollaborationRequest, accept: bool, note: str = ""
) -> CollaborationRequest:
    """The receiver accepts or declines a pending request (its admins: the views check the role).

    Accepting a deal request joins the receiver to the deal's co-sell team, a solution request adds
    it to the solution as an accepted component in the requested role, in the same transaction.
    Emails the sender's admins after commit.
    """
    if collaboration.to_partner_id != partner_id:
        raise NotFoundError()  # only the receiver answers; the sender learns nothing new here
    note = " ".join(str(note or "").split())[:500]
    with transaction.atomic():
        locked = _lock(tenant=tenant, collaboration=collaboration)
        if accept and locked.subject_kind == CollaborationSubject.DEAL:
            participant = _join_deal_team(tenant=tenant, actor=actor, collaboration=locked)
            locked.deal_participant_id = participant.pk
        elif accept and locked.subject_kind == CollaborationSubject.SOLUTION and locked.component_role:
            # (a request sent before requests named a role only records the answer)
            component = _join_solution(tenant=tenant, actor=actor, collaboration=locked)
            locked.solution_component_id = component.pk
        locked.status = CollaborationStatus.ACCEPTED if accept else CollaborationStatus.DECLINED
        locked.response_note = note
        locked.answered_by = person_of(actor)
        locked.answered_at = timezone.now()
        locked.save(
            update_fields=["status", "response_note", "answered_by", "answered_at", "deal_participant", "solution_component"]
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="directory.collaboration_accept" if accept else "directory.collaboration_decline",
            target=locked,
            changes={"note": note} if note else {},
        )
        with across_partners(reason="collaboration: the receiver's name, for the sender's email"):
            receiver = (
                PartnerOrganization.objects.filter(tenant=tenant, pk=locked.to_partner_id).values_list("name", flat=True).first()
            )
        email_partner_admins_on_commit(
            reason=EMAIL_REASON,
            tenant=tenant,
            partner_id=locked.from_partner_id,
            template="directory/email/answered.txt",
            subject=(
                _("%(partner)s accepted your collaboration request")
                if accept
                else _("%(partner)s declined your collaboration request")
            )
            % {"partner": receiver},
            context={"request": locked, "receiver": receiver, "accepted": accept, "note": note},
        )
    return locked


def collaboration_withdraw(
    *, tenant: Tenant, actor: Any, partner_id: int, collaboration: CollaborationRequest
) -> CollaborationRequest:
    """The sender takes back a request that is still pending."""
    if collaboration.from_partner_id != partner_id:
        raise NotFoundError()
    with transaction.atomic():
        locked = _lock(tenant=tenant, collaboration=collaboration)
        locked.status = CollaborationStatus.WITHDRAWN
        locked.answered_by = person_of(actor)
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_by", "answered_at"])
        audit_record(tenant=tenant, actor=actor, action="directory.collaboration_withdraw", target=locked)
    return locked
