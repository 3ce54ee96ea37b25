"""A solution's life: creating and proposing it, changing its details, and draft → proposed → in market →
retired. The rules are in the package docstring (:mod:`partners.solutions.services`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import ComponentStatus, JointSolution, OrchestratorKind, SolutionComponent, SolutionStatus
from .checks import SOLUTION_PARTNER_STATUSES, _check_partner, _clean_role, _text, clean_details
from .components import _lock, _require_manager, _team_sync, managing_partner_ids

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
