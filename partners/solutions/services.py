"""Joint solutions: creating and proposing them, their components, and the way from draft to market.

The rules, in one place:

* **Who creates.** Vendor staff (owner, partner manager) create a solution (:func:`solution_create`),
  orchestrated by a vendor lead (a staff user) or by one partner organisation. A partner proposes
  one (:func:`solution_propose`): a draft whose ``proposed_by`` is its organisation, with its own
  component in it, orchestrated by itself or by another partner of the program.
* **Who manages.** Staff manage every solution. On the partner side the *managing partners* are the
  proposer and the orchestrating partner: their admins edit the details and the components while
  the solution is a draft, and submit it for approval.
* **Components.** One partner in one role, saying what it delivers. A component for another
  partner starts *invited*; that partner's admin accepts or declines it
  (:func:`component_respond`). The proposer's own component is *accepted* at once.
* **Lifecycle.** draft → proposed (:func:`solution_submit`) → in market (:func:`solution_approve`,
  a manager) → retired (:func:`solution_retire`). A manager may send a proposal back to draft with a
  reason the partner reads (:func:`solution_decline`). Staff may approve a draft directly (their
  own solutions need no proposal step). Submitting and approving are refused while the solution has
  no accepted component (``no_confirmed_component``) or while any invitation is still open
  (``invitations_open``): a solution goes to market with a team that has said yes, and an
  unanswered invitation would put a partner in the catalogue that never agreed. Declined
  components are ignored (and may be removed).
* **Who reads** (row-level security on ``team_partner_ids``): the proposer, the orchestrating
  partner and every component partner whose component is not declined, invited ones included so
  they can read what they are invited to. :func:`_team_sync` rewrites the arrays of the solution
  and of every component from the rows, in the same transaction as each change, with the solution
  row locked.
* A retired solution takes no new deal registration and no new lead (``deals.registrations``
  checks :func:`partners.solutions.selectors.solution_for_registration`).
* Every mutation writes one audit row (``solutions.*``); the invited partner's admins are emailed
  after commit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, Region
from partners.plans.team import plans_team_sync_for_solution

from .models import ComponentRole, ComponentStatus, JointSolution, OrchestratorKind, SolutionComponent, SolutionStatus

# Partners that may join or orchestrate a solution: in the program and selling.
SOLUTION_PARTNER_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)
MAX_INDUSTRIES = 10

# --- input -----------------------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [" ".join(str(item).split()) for item in value if str(item).strip()]


def clean_details(values: dict[str, Any]) -> dict[str, Any]:
    """Name, summary, target industries and regions, checked; the first problem raised with its field."""
    name = _text(values.get("name"), 121)
    if not name:
        raise ApplicationError(_("Give the solution a name."), code="required", field="name")
    if len(name) > 120:
        raise ApplicationError(_("Use at most 120 characters."), code="max_length", field="name")
    summary = str(values.get("summary") or "").strip()
    if len(summary) > 4000:
        raise ApplicationError(_("Use at most 4000 characters."), code="max_length", field="summary")
    industries: list[str] = []
    for industry in _list(values.get("industries")):
        if len(industry) > 60:
            raise ApplicationError(_("Name each industry in at most 60 characters."), code="max_length", field="industries")
        if industry.casefold() not in {i.casefold() for i in industries}:
            industries.append(industry)
    if len(industries) > MAX_INDUSTRIES:
        raise ApplicationError(_("Name at most 10 industries."), code="too_many", field="industries")
    regions = sorted(set(_list(values.get("regions"))))
    if set(regions) - set(Region.values):
        raise ApplicationError(_("Choose regions from the list."), code="invalid_choice", field="regions")
    return {"name": name, "summary": summary, "industries": industries, "regions": regions}


def _clean_role(role: Any) -> str:
    if role not in ComponentRole.values:
        raise ApplicationError(
            _("Choose a role: ISV product, SI implementation, MSP managed service, distributor fulfilment or consulting."),
            code="invalid_choice",
            field="role",
        )
    return str(role)


def _check_partner(*, tenant: Tenant, partner: PartnerOrganization | None, field: str) -> PartnerOrganization:
    if partner is None or partner.tenant_id != tenant.pk or partner.status not in SOLUTION_PARTNER_STATUSES:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field=field)
    return partner


# --- the team arrays -------------------------------------------------------------------------------


def _lock(*, tenant: Tenant, solution: JointSolution) -> JointSolution:
    """The solution row, locked for the rest of the transaction (call inside ``across_partners``)."""
    return JointSolution.objects.select_for_update().get(tenant=tenant, pk=solution.pk)


def _team_sync(*, tenant: Tenant, solution: JointSolution) -> list[int]:
    """Recompute ``team_partner_ids`` on the solution and each component from the rows; returns the team.

    The team: proposer, orchestrating partner, and every component partner not declined. Call with
    the solution locked, inside ``across_partners`` (a decline takes the partner out of the array of
    its own row, which its own scope could not write).
    """
    components = list(SolutionComponent.objects.filter(tenant=tenant, solution_id=solution.pk).order_by("id"))
    team = {solution.proposed_by_id, solution.orchestrator_partner_id}
    team |= {c.partner_id for c in components if c.status != ComponentStatus.DECLINED}
    wanted = sorted(pk for pk in team if pk is not None)
    if solution.team_partner_ids != wanted:
        solution.team_partner_ids = wanted
        JointSolution.objects.filter(tenant=tenant, pk=solution.pk).update(team_partner_ids=wanted)
    for component in components:
        if component.team_partner_ids != wanted:
            SolutionComponent.objects.filter(tenant=tenant, pk=component.pk).update(team_partner_ids=wanted)
    # The solution's open business plans are shared with its confirmed partners: keep them in step.
    plans_team_sync_for_solution(tenant=tenant, solution=solution)
    return wanted


def managing_partner_ids(solution: JointSolution) -> set[int]:
    """The partners whose admins manage the solution: the proposer and the orchestrating partner."""
    return {pk for pk in (solution.proposed_by_id, solution.orchestrator_partner_id) if pk is not None}


def _require_manager(*, solution: JointSolution, partner_id: int | None) -> None:
    """Partner callers must manage the solution, and only while it is a draft (staff: any state but retired)."""
    if partner_id is not None:
        if partner_id not in managing_partner_ids(solution):
            raise NotFoundError()  # a component partner reads it but may not change it; it learns no more
        if solution.status != SolutionStatus.DRAFT:
            raise ConflictError(_("Only a draft can be changed; ask the program's managers."), code="solution_not_draft")
    elif solution.status == SolutionStatus.RETIRED:
        raise ConflictError(_("A retired solution cannot be changed."), code="solution_retired")


# --- emails ----------------------------------------------------------------------------------------


def _email_admins_on_commit(*, tenant: Tenant, partner_id: int, subject: str, body: str) -> None:
    with across_partners(reason="solutions: email the invited partner's admins about the invitation"):
        recipients = list(
            Membership.objects.filter(tenant=tenant, partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
            .order_by("id")
            .values_list("user__email", flat=True)
        )
    if recipients:
        transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients))


def _invitation_email(*, tenant: Tenant, solution: JointSolution, component: SolutionComponent) -> None:
    link = f"{settings.SITE_URL.rstrip('/')}/p/{tenant.slug}/solutions/invitations/"
    body = _(
        "You are invited to deliver %(role)s in the joint solution %(solution)s of the %(program)s partner program.\n\n"
        "Accept or decline here: %(link)s\n"
    ) % {"role": component.get_role_display(), "solution": solution.name, "program": tenant.name, "link": link}
    _email_admins_on_commit(
        tenant=tenant,
        partner_id=component.partner_id,
        subject=_("You are invited to the joint solution %(solution)s") % {"solution": solution.name},
        body=body,
    )


# --- creating --------------------------------------------------------------------------------------


def solution_create(
    *,
    tenant: Tenant,
    actor: Any,
    values: dict[str, Any],
    orchestrator_partner: PartnerOrganization | None = None,
    orchestrator_user: Any = None,
) -> JointSolution:
    """Vendor staff create a draft solution, orchestrated by a partner or by a vendor lead (the actor by default)."""
    details = clean_details(values)
    if orchestrator_partner is not None:
        _check_partner(tenant=tenant, partner=orchestrator_partner, field="orchestrator_partner")
    with transaction.atomic():
        solution = JointSolution.objects.create(
            tenant=tenant,
            status=SolutionStatus.DRAFT,
            orchestrator_kind=OrchestratorKind.PARTNER if orchestrator_partner else OrchestratorKind.VENDOR,
            orchestrator_partner=orchestrator_partner,
            orchestrator_user=None if orchestrator_partner else person_of(orchestrator_user or actor),
            team_partner_ids=[orchestrator_partner.pk] if orchestrator_partner else [],
            created_by=person_of(actor),
            **details,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.create",
            target=solution,
            changes={"name": solution.name, "orchestrator": solution.orchestrator_kind},
        )
    return solution


def solution_propose(
    *,
    tenant: Tenant,
    actor: Any,
    partner_id: int,
    values: dict[str, Any],
    role: str,
    description: str = "",
    orchestrator_partner: PartnerOrganization | None = None,
) -> JointSolution:
    """A partner proposes a draft solution with its own component (accepted at once).

    ``orchestrator_partner`` is the proposer itself when not given, or another active partner of
    the program. Other partners join through :func:`component_add`.
    """
    details = clean_details(values)
    role = _clean_role(role)
    description = _text(description, 500)
    with transaction.atomic(), across_partners(reason="solutions: check the proposer and the orchestrator named"):
        proposer = PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id).first()
        if proposer is None or proposer.status not in SOLUTION_PARTNER_STATUSES:
            raise ApplicationError(_("Only an active partner of the program proposes solutions."), code="partner_inactive")
        orchestrator = _check_partner(tenant=tenant, partner=orchestrator_partner or proposer, field="orchestrator_partner")
        team = sorted({proposer.pk, orchestrator.pk})
        solution = JointSolution.objects.create(
            tenant=tenant,
            status=SolutionStatus.DRAFT,
            orchestrator_kind=OrchestratorKind.PARTNER,
            orchestrator_partner=orchestrator,
            proposed_by=proposer,
            team_partner_ids=team,
            created_by=person_of(actor),
            **details,
        )
        own = SolutionComponent.objects.create(
            tenant=tenant,
            solution=solution,
            partner=proposer,
            role=role,
            description=description,
            status=ComponentStatus.ACCEPTED,
            responded_at=timezone.now(),
            team_partner_ids=team,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.propose",
            target=solution,
            changes={"name": solution.name, "component": str(own.public_id), "role": role},
        )
    return solution


def solution_update(
    *,
    tenant: Tenant,
    actor: Any,
    solution: JointSolution,
    values: dict[str, Any],
    partner_id: int | None = None,
    orchestrator: str | None = None,
    orchestrator_partner: PartnerOrganization | None = None,
    orchestrator_user: Any = None,
) -> JointSolution:
    """Change the details and, with ``orchestrator`` ("vendor" or "partner"), who orchestrates.

    A managing partner edits its draft, and may hand orchestration to another partner (never to
    the vendor: that is the managers' call). The team arrays follow a new orchestrator.
    """
    details = clean_details(values)
    if orchestrator == OrchestratorKind.VENDOR and partner_id is not None:
        raise ApplicationError(
            _("Only the program's managers make the vendor the orchestrator."), code="invalid_choice", field="orchestrator"
        )
    if orchestrator not in (None, OrchestratorKind.VENDOR, OrchestratorKind.PARTNER):
        raise ApplicationError(_("Choose vendor or partner."), code="invalid_choice", field="orchestrator")
    if orchestrator == OrchestratorKind.PARTNER:
        _check_partner(tenant=tenant, partner=orchestrator_partner, field="orchestrator_partner")
    with transaction.atomic(), across_partners(reason="solutions: change a solution and rewrite its team arrays"):
        locked = _lock(tenant=tenant, solution=solution)
        _require_manager(solution=locked, partner_id=partner_id)
        before = {name: getattr(locked, name) for name in details}
        for name, value in details.items():
            setattr(locked, name, value)
        fields = [*details, "updated_at"]
        if orchestrator is not None:
            locked.orchestrator_kind = orchestrator
            locked.orchestrator_partner = orchestrator_partner if orchestrator == OrchestratorKind.PARTNER else None
            locked.orchestrator_user = None if orchestrator == OrchestratorKind.PARTNER else person_of(orchestrator_user or actor)
            fields += ["orchestrator_kind", "orchestrator_partner", "orchestrator_user"]
        locked.save(update_fields=fields)
        _team_sync(tenant=tenant, solution=locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.update",
            target=locked,
            changes={
                "changed": sorted(name for name, value in details.items() if before[name] != value),
                "orchestrator": locked.orchestrator_kind,
            },
        )
        locked.refresh_from_db()
    return locked


# --- components ------------------------------------------------------------------------------------


def component_add(
    *,
    tenant: Tenant,
    actor: Any,
    solution: JointSolution,
    partner: PartnerOrganization,
    role: str,
    description: str = "",
    partner_id: int | None = None,
) -> SolutionComponent:
    """Add a partner in a role. Another partner's component starts *invited*; the caller's own is accepted.

    ``partner_id`` is the caller's organisation for partner users (a managing partner, draft only);
    ``None`` for staff, whose components are always invitations the partner answers. A partner
    that declined that role before may be invited again: its row is reused.
    """
    role = _clean_role(role)
    description = _text(description, 500)
    _check_partner(tenant=tenant, partner=partner, field="partner")
    with transaction.atomic(), across_partners(reason="solutions: add a component and rewrite the team arrays"):
        locked = _lock(tenant=tenant, solution=solution)
        _require_manager(solution=locked, partner_id=partner_id)
        status = ComponentStatus.ACCEPTED if partner.pk == partner_id else ComponentStatus.INVITED
        now = timezone.now()
        earlier = SolutionComponent.objects.filter(tenant=tenant, solution=locked, partner=partner, role=role).first()
        if earlier is not None and earlier.status != ComponentStatus.DECLINED:
            raise ConflictError(_("This partner has this role in the solution already."), code="component_exists")
        if earlier is not None:
            earlier.status = status
            earlier.description = description
            earlier.responded_at = now if status == ComponentStatus.ACCEPTED else None
            earlier.save(update_fields=["status", "description", "responded_at"])
            component = earlier
        else:
            try:
                with transaction.atomic():
                    component = SolutionComponent.objects.create(
                        tenant=tenant,
                        solution=locked,
                        partner=partner,
                        role=role,
                        description=description,
                        status=status,
                        responded_at=now if status == ComponentStatus.ACCEPTED else None,
                        team_partner_ids=sorted({*locked.team_partner_ids, partner.pk}),
                    )
            except IntegrityError:
                raise ConflictError(_("This partner has this role in the solution already."), code="component_exists") from None
        _team_sync(tenant=tenant, solution=locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.component_add",
            target=locked,
            changes={"component": str(component.public_id), "partner": str(partner.public_id), "role": role, "status": status},
        )
        if status == ComponentStatus.INVITED:
            _invitation_email(tenant=tenant, solution=locked, component=component)
        component.refresh_from_db()
    return component


def component_remove(*, tenant: Tenant, actor: Any, component: SolutionComponent, partner_id: int | None = None) -> JointSolution:
    """Take a component out of the solution (its partner stops reading the solution unless it has another role).

    Partner callers: a managing partner, draft only. A solution in market keeps at least one
    accepted component (``last_component``).
    """
    with transaction.atomic(), across_partners(reason="solutions: remove a component and rewrite the team arrays"):
        locked = _lock(tenant=tenant, solution=component.solution)
        _require_manager(solution=locked, partner_id=partner_id)
        row = SolutionComponent.objects.select_for_update().filter(tenant=tenant, pk=component.pk, solution=locked).first()
        if row is None:
            raise NotFoundError()
        if locked.status == SolutionStatus.IN_MARKET and row.status == ComponentStatus.ACCEPTED:
            others = (
                SolutionComponent.objects.filter(tenant=tenant, solution=locked, status=ComponentStatus.ACCEPTED)
                .exclude(pk=row.pk)
                .exists()
            )
            if not others:
                raise ConflictError(_("A solution in market keeps at least one confirmed component."), code="last_component")
        changes = {"component": str(row.public_id), "partner_id": row.partner_id, "role": row.role, "status": row.status}
        row.delete()
        _team_sync(tenant=tenant, solution=locked)
        audit_record(tenant=tenant, actor=actor, action="solutions.component_remove", target=locked, changes=changes)
    return locked


def component_respond(
    *, tenant: Tenant, actor: Any, partner_id: int, component: SolutionComponent, accept: bool
) -> SolutionComponent:
    """The invited partner's admin accepts (confirms its part) or declines (stops reading the solution)."""
    if component.partner_id != partner_id:
        raise NotFoundError()
    with transaction.atomic(), across_partners(reason="solutions: the invited partner answers; rewrite the team arrays"):
        locked = _lock(tenant=tenant, solution=component.solution)
        row = SolutionComponent.objects.select_for_update().filter(tenant=tenant, pk=component.pk, solution=locked).first()
        if row is None or row.status != ComponentStatus.INVITED:
            raise ConflictError(_("This invitation was answered or withdrawn already."), code="invitation_closed")
        if locked.status == SolutionStatus.RETIRED:
            raise ConflictError(_("This solution is retired."), code="solution_retired")
        row.status = ComponentStatus.ACCEPTED if accept else ComponentStatus.DECLINED
        row.responded_at = timezone.now()
        row.save(update_fields=["status", "responded_at"])
        _team_sync(tenant=tenant, solution=locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.component_accept" if accept else "solutions.component_decline",
            target=locked,
            changes={"component": str(row.public_id), "role": row.role},
        )
        row.refresh_from_db()  # inside: a partner that declined no longer reads its row
    return row


# --- lifecycle -------------------------------------------------------------------------------------


def _require_ready(*, tenant: Tenant, solution: JointSolution) -> None:
    statuses = list(SolutionComponent.objects.filter(tenant=tenant, solution=solution).values_list("status", flat=True))
    if ComponentStatus.INVITED in statuses:
        raise ConflictError(
            _("Some invited partners have not answered yet: wait for them, or remove their components."),
            code="invitations_open",
        )
    if ComponentStatus.ACCEPTED not in statuses:
        raise ConflictError(_("Add at least one confirmed component first."), code="no_confirmed_component")


def solution_submit(*, tenant: Tenant, actor: Any, solution: JointSolution, partner_id: int | None = None) -> JointSolution:
    """draft → proposed: the managers are asked to approve it. Refused while it is not ready (see the module)."""
    with transaction.atomic(), across_partners(reason="solutions: submit; every component's answer decides"):
        locked = _lock(tenant=tenant, solution=solution)
        if partner_id is not None and partner_id not in managing_partner_ids(locked):
            raise NotFoundError()
        if locked.status != SolutionStatus.DRAFT:
            raise ConflictError(_("Only a draft can be submitted."), code="solution_not_draft")
        _require_ready(tenant=tenant, solution=locked)
        locked.status = SolutionStatus.PROPOSED
        locked.submitted_at = timezone.now()
        locked.decision_reason = ""
        locked.save(update_fields=["status", "submitted_at", "decision_reason", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="solutions.submit", target=locked, changes={"status": locked.status})
    return locked


def solution_approve(*, tenant: Tenant, actor: Any, solution: JointSolution) -> JointSolution:
    """A manager puts a proposed (or their own draft) solution in market: ``launched_at`` is now."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, solution=solution)
        if locked.status not in (SolutionStatus.DRAFT, SolutionStatus.PROPOSED):
            raise ConflictError(_("Only a draft or a proposed solution can be approved."), code="solution_not_proposed")
        _require_ready(tenant=tenant, solution=locked)
        previous = locked.status
        locked.status = SolutionStatus.IN_MARKET
        locked.launched_at = timezone.now()
        locked.decision_reason = ""
        locked.save(update_fields=["status", "launched_at", "decision_reason", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="solutions.approve", target=locked, changes={"from_status": previous})
    return locked


def solution_decline(*, tenant: Tenant, actor: Any, solution: JointSolution, reason: str) -> JointSolution:
    """A manager sends a proposal back to draft with a reason the proposing partner reads on the solution."""
    reason = _text(reason, 500)
    if not reason:
        raise ApplicationError(_("Say why, so the partner can change it."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock(tenant=tenant, solution=solution)
        if locked.status != SolutionStatus.PROPOSED:
            raise ConflictError(_("Only a proposed solution can be declined."), code="solution_not_proposed")
        locked.status = SolutionStatus.DRAFT
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decision_reason", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="solutions.decline", target=locked, changes={"reason": reason})
    return locked


def solution_retire(*, tenant: Tenant, actor: Any, solution: JointSolution, reason: str = "") -> JointSolution:
    """A manager takes a solution off the market (or drops a draft): no new deal or lead may reference it.

    Registrations that already reference it keep the reference (their history) and their team.
    """
    reason = _text(reason, 500)
    with transaction.atomic():
        locked = _lock(tenant=tenant, solution=solution)
        if locked.status == SolutionStatus.RETIRED:
            raise ConflictError(_("This solution is retired already."), code="solution_retired")
        previous = locked.status
        locked.status = SolutionStatus.RETIRED
        locked.retired_at = timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "retired_at", "decision_reason", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="solutions.retire",
            target=locked,
            changes={"from_status": previous, "reason": reason},
        )
    return locked
