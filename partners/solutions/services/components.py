"""Components and the team: the team arrays (row-level security), the invitation emails, and adding,
removing and answering components. The rules are in the package docstring (:mod:`partners.solutions.services`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.notifications import email_partner_admins_on_commit
from ecosystem.audit.services import audit_record
from ecosystem.errors import ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization
from partners.plans.team import plans_team_sync_for_solution

from ..models import ComponentStatus, JointSolution, SolutionComponent, SolutionStatus
from .checks import _check_partner, _clean_role, _text

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


def _invitation_email(*, tenant: Tenant, solution: JointSolution, component: SolutionComponent) -> None:
    link = f"{settings.SITE_URL.rstrip('/')}/p/{tenant.slug}/solutions/invitations/"
    body = _(
        "You are invited to deliver %(role)s in the joint solution %(solution)s of the %(program)s partner program.\n\n"
        "Accept or decline here: %(link)s\n"
    ) % {"role": component.get_role_display(), "solution": solution.name, "program": tenant.name, "link": link}
    email_partner_admins_on_commit(
        reason="solutions: email the invited partner's admins about the invitation",
        tenant=tenant,
        partner_id=component.partner_id,
        subject=_("You are invited to the joint solution %(solution)s") % {"solution": solution.name},
        body=body,
    )


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
    notify: bool = True,
) -> SolutionComponent:
    """Add a partner in a role. Another partner's component starts *invited*; the caller's own is accepted.

    ``partner_id`` is the caller's organisation for partner users (a managing partner, draft only);
    ``None`` for staff, whose components are always invitations the partner answers. A partner
    that declined that role before may be invited again: its row is reused. The invited partner's
    admins are emailed, unless ``notify`` is False (it asked to join and accepts in the same
    transaction, as with an accepted collaboration request).
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
        if status == ComponentStatus.INVITED and notify:
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
