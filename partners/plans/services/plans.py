"""The plan itself: creating it, changing its title, period and owners, closing it, and its shared status.

Who edits what is in the package docstring (:mod:`partners.plans.services`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import User
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization
from partners.solutions.models import JointSolution

from ..models import (
    BusinessPlan,
    PlanHealth,
    PlanState,
)
from ..team import plan_team_sync, solution_team
from .checks import _iso, _lock, _partner_owner, _period, _text, _vendor_owner

# --- plans -----------------------------------------------------------------------------------------


def plan_create(
    *,
    tenant: Tenant,
    actor: Any,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    partner: PartnerOrganization | None = None,
    solution: JointSolution | None = None,
    vendor_owner: User | None = None,
    partner_owner: User | None = None,
) -> BusinessPlan:
    """A vendor editor opens a plan with one partner, or with a joint solution's partners, for a period."""
    title = _text(title, field="title", limit=160, required=True)
    period_start, period_end = _period(period_start, period_end)
    if (partner is None) == (solution is None):
        raise ApplicationError(_("Choose a partner or a joint solution."), code="required", field="partner")
    if partner is not None and partner.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a partner of this program."), code="invalid_choice", field="partner")
    if solution is not None and solution.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a joint solution of this program."), code="invalid_choice", field="solution")
    team = solution_team(tenant=tenant, solution_id=solution.pk) if solution is not None else [partner.pk]
    if not team:
        raise ApplicationError(
            _("No partner has confirmed a part in this solution yet: a plan needs its partners."),
            code="no_team",
            field="solution",
        )
    with transaction.atomic():
        plan = BusinessPlan.objects.create(
            tenant=tenant,
            title=title,
            partner=partner,
            solution=solution,
            period_start=period_start,
            period_end=period_end,
            vendor_owner=_vendor_owner(tenant=tenant, user=vendor_owner),
            partner_owner=_partner_owner(tenant=tenant, user=partner_owner, partner_ids=team),
            team_partner_ids=team,
            created_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.plan_create",
            target=plan,
            changes={
                "partner": str(partner.public_id) if partner else None,
                "solution": str(solution.public_id) if solution else None,
                "period_start": str(period_start),
                "period_end": str(period_end),
            },
        )
    return plan


def plan_update(*, tenant: Tenant, actor: Any, plan: BusinessPlan, values: dict[str, Any]) -> BusinessPlan:
    """A vendor editor changes the title, period or owners (only the keys given), and the team is resynced."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=None)
        team = plan_team_sync(tenant=tenant, plan=locked)
        cleaned: dict[str, Any] = {}
        if "title" in values:
            cleaned["title"] = _text(values["title"], field="title", limit=160, required=True)
        if "period_start" in values or "period_end" in values:
            cleaned["period_start"], cleaned["period_end"] = _period(
                values.get("period_start", locked.period_start), values.get("period_end", locked.period_end)
            )
        if "vendor_owner" in values:
            cleaned["vendor_owner"] = _vendor_owner(tenant=tenant, user=values["vendor_owner"])
        if "partner_owner" in values:
            cleaned["partner_owner"] = _partner_owner(tenant=tenant, user=values["partner_owner"], partner_ids=team)
        changes = {name: _iso(value) for name, value in cleaned.items() if getattr(locked, name) != value}
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(tenant=tenant, actor=actor, action="plans.plan_update", target=locked, changes=changes)
    return locked


def plan_close(*, tenant: Tenant, actor: Any, plan: BusinessPlan) -> BusinessPlan:
    """A vendor editor closes the plan: it stays readable, and nothing on it changes any more."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=None)
        locked.state = PlanState.CLOSED
        locked.save(update_fields=["state", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="plans.plan_close", target=locked, changes={"state": PlanState.CLOSED})
    return locked


def status_update(
    *, tenant: Tenant, actor: Any, plan: BusinessPlan, partner_id: int | None, health: str, note: str
) -> BusinessPlan:
    """Either side sets the shared status: health (on track, at risk, off track) and a note; who and when are kept."""
    if health not in PlanHealth.values:
        raise ApplicationError(_("Choose on track, at risk or off track."), code="invalid_choice", field="health")
    note = _text(note, field="note", limit=4000)
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=partner_id)
        before = {"health": locked.health, "note": locked.status_note}
        locked.health = health
        locked.status_note = note
        locked.status_updated_by = person_of(actor)
        locked.status_updated_at = timezone.now()
        locked.save(update_fields=["health", "status_note", "status_updated_by", "status_updated_at", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.status_update",
            target=locked,
            changes={"health": [before["health"], health], "note_changed": before["note"] != note, "side": _side(partner_id)},
        )
    return locked


def _side(partner_id: int | None) -> str:
    return "vendor" if partner_id is None else "partner"
