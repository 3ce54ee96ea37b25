"""Writing business plans. Every change goes through here, in one transaction with one audit row.

Who edits what (the pages and the API offer exactly this; docs/business-plans.md says it to users):

* **Vendor editors** (owner, partner manager) create a plan, edit its title, period and owners,
  set goals (metric, target, and the actual of the metrics the vendor enters: MDF spend, customer
  retention), record quarterly reviews, and close the plan. Targets are the vendor's alone.
* **Both sides** — vendor editors and the admins of a partner on the plan's team — edit the shared
  status (health and note; who and when are recorded) and create and update initiatives. A partner
  admin names the partner owner (a user of their own organisation), never the vendor owner; only
  the vendor removes an initiative.
* Analysts and partner reps read. A closed plan changes no more.

Services take ``partner_id``: the caller's partner organisation, or ``None`` for vendor staff and
API keys. A partner that is not on the plan's team gets "not found", like any foreign id.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Membership, User
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization
from partners.solutions.models import JointSolution

from .figures import MANUAL_METRICS, parse_quarter, review_figures
from .models import (
    BusinessPlan,
    GoalMetric,
    InitiativeStatus,
    PlanGoal,
    PlanHealth,
    PlanInitiative,
    PlanReview,
    PlanState,
)
from .team import plan_team_sync, solution_team

MAX_AMOUNT = Decimal("99999999999999.99")
MAX_PERIOD_DAYS = 731
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
INITIATIVE_FIELDS = ("title", "description", "due_date", "status", "vendor_owner", "partner_owner")
PLAN_FIELDS = ("title", "period_start", "period_end", "vendor_owner", "partner_owner")


# --- checks ----------------------------------------------------------------------------------------


def _amount(value: Any, *, field: str, metric: str | None = None) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter a number."), code="invalid", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ApplicationError(_("Enter zero or more."), code="invalid", field=field)
    if amount > MAX_AMOUNT:
        raise ApplicationError(_("That number is too large."), code="invalid", field=field)
    if metric == GoalMetric.CUSTOMER_RETENTION and amount > 100:
        raise ApplicationError(_("Customer retention is a percentage: 0 to 100."), code="invalid", field=field)
    return amount.quantize(Decimal("0.01"))


def _text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise ApplicationError(_("Keep it under %(n)s characters.") % {"n": limit}, code="too_long", field=field)
    return text


def _period(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    if not isinstance(start, datetime.date):
        raise ApplicationError(_("Enter the first day of the period."), code="required", field="period_start")
    if not isinstance(end, datetime.date):
        raise ApplicationError(_("Enter the last day of the period."), code="required", field="period_end")
    if end < start:
        raise ApplicationError(_("The period ends before it starts."), code="invalid_period", field="period_end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ApplicationError(_("A plan covers two years at most."), code="invalid_period", field="period_end")
    return start, end


def _active_member(*, tenant: Tenant, user: User, roles, partner_ids: list[int] | None) -> bool:
    with across_partners(reason="business plans: check that an owner is a member of the right side of the plan"):
        members = Membership.objects.filter(tenant=tenant, user=user, is_active=True, role__in=roles)
        if partner_ids is not None:
            members = members.filter(partner_id__in=partner_ids)
        return members.exists()


def _vendor_owner(*, tenant: Tenant, user: User | None) -> User | None:
    if user is not None and not _active_member(tenant=tenant, user=user, roles=STAFF_ROLES, partner_ids=None):
        raise ApplicationError(_("Choose a member of the vendor's staff."), code="invalid_choice", field="vendor_owner")
    return user


def _partner_owner(*, tenant: Tenant, user: User | None, partner_ids: list[int]) -> User | None:
    if user is not None and not _active_member(tenant=tenant, user=user, roles=PARTNER_ROLES, partner_ids=partner_ids):
        raise ApplicationError(_("Choose a user of the plan's partner."), code="invalid_choice", field="partner_owner")
    return user


def _lock(*, tenant: Tenant, plan: BusinessPlan, partner_id: int | None) -> BusinessPlan:
    """The plan, locked; a partner off the team finds nothing; a closed plan takes no change."""
    queryset = BusinessPlan.objects.select_for_update().filter(tenant=tenant, pk=plan.pk)
    if partner_id is not None:
        queryset = queryset.filter(team_partner_ids__contains=[partner_id])
    locked = queryset.first()
    if locked is None:
        raise NotFoundError()
    if locked.state == PlanState.CLOSED:
        raise ConflictError(_("This plan is closed."), code="plan_closed")
    return locked


def _child_scope(plan: BusinessPlan) -> dict[str, Any]:
    return {
        "tenant_id": plan.tenant_id,
        "plan": plan,
        "partner_id": plan.partner_id,
        "team_partner_ids": list(plan.team_partner_ids),
    }


def _iso(value: Any) -> Any:
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    if isinstance(value, User):
        return str(value.public_id)
    return value


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


# --- goals -----------------------------------------------------------------------------------------


def goal_add(*, tenant: Tenant, actor: Any, plan: BusinessPlan, metric: str, target: Any, manual_actual: Any = None) -> PlanGoal:
    """A vendor editor adds a goal: one per metric. ``manual_actual`` only for the metrics the vendor enters."""
    if metric not in GoalMetric.values:
        raise ApplicationError(_("Choose a metric."), code="invalid_choice", field="metric")
    target = _amount(target, field="target", metric=metric)
    manual = None
    if manual_actual not in (None, ""):
        if metric not in MANUAL_METRICS:
            raise ApplicationError(
                _("The platform computes this metric's actual; it cannot be entered."),
                code="computed_metric",
                field="manual_actual",
            )
        manual = _amount(manual_actual, field="manual_actual", metric=metric)
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=None)
        if PlanGoal.objects.filter(tenant=tenant, plan=locked, metric=metric).exists():
            raise ConflictError(_("The plan has a goal for this metric already: change its target."), code="goal_exists")
        try:
            with transaction.atomic():
                goal = PlanGoal.objects.create(**_child_scope(locked), metric=metric, target=target, manual_actual=manual)
        except IntegrityError:  # the unique index is the last word
            raise ConflictError(
                _("The plan has a goal for this metric already: change its target."), code="goal_exists"
            ) from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.goal_add",
            target=locked,
            changes={"goal": str(goal.public_id), "metric": metric, "target": str(target), "manual_actual": _iso(manual)},
        )
    return goal


def goal_update(*, tenant: Tenant, actor: Any, goal: PlanGoal, values: dict[str, Any]) -> PlanGoal:
    """A vendor editor changes a goal's target and, for the metrics the vendor enters, its actual."""
    cleaned: dict[str, Any] = {}
    if "target" in values:
        cleaned["target"] = _amount(values["target"], field="target", metric=goal.metric)
    if "manual_actual" in values:
        if values["manual_actual"] in (None, ""):
            cleaned["manual_actual"] = None
        elif goal.metric not in MANUAL_METRICS:
            raise ApplicationError(
                _("The platform computes this metric's actual; it cannot be entered."),
                code="computed_metric",
                field="manual_actual",
            )
        else:
            cleaned["manual_actual"] = _amount(values["manual_actual"], field="manual_actual", metric=goal.metric)
    with transaction.atomic():
        plan = _lock(tenant=tenant, plan=goal.plan, partner_id=None)
        locked = PlanGoal.objects.select_for_update().get(tenant=tenant, pk=goal.pk)
        changes = {
            name: [_iso(getattr(locked, name)), _iso(value)] for name, value in cleaned.items() if getattr(locked, name) != value
        }
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.goal_update",
            target=plan,
            changes={"goal": str(locked.public_id), **changes},
        )
    return locked


def goal_remove(*, tenant: Tenant, actor: Any, goal: PlanGoal) -> None:
    with transaction.atomic():
        plan = _lock(tenant=tenant, plan=goal.plan, partner_id=None)
        PlanGoal.objects.filter(tenant=tenant, pk=goal.pk).delete()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.goal_remove",
            target=plan,
            changes={"goal": str(goal.public_id), "metric": goal.metric, "target": str(goal.target)},
        )


# --- initiatives -----------------------------------------------------------------------------------


def _initiative_values(
    *, tenant: Tenant, plan: BusinessPlan, partner_id: int | None, values: dict[str, Any], creating: bool
) -> dict[str, Any]:
    unknown = set(values) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown field."), code="invalid", field=sorted(unknown)[0])
    if partner_id is not None and "vendor_owner" in values:
        raise ForbiddenError(_("The vendor names its own owner."), code="vendor_owned", field="vendor_owner")
    cleaned: dict[str, Any] = {}
    if creating or "title" in values:
        cleaned["title"] = _text(values.get("title"), field="title", limit=200, required=True)
    if "description" in values:
        cleaned["description"] = _text(values["description"], field="description", limit=4000)
    if "due_date" in values:
        if values["due_date"] is not None and not isinstance(values["due_date"], datetime.date):
            raise ApplicationError(_("Enter a date."), code="invalid", field="due_date")
        cleaned["due_date"] = values["due_date"]
    if "status" in values:
        if values["status"] not in InitiativeStatus.values:
            raise ApplicationError(_("Choose a status."), code="invalid_choice", field="status")
        cleaned["status"] = values["status"]
    if "vendor_owner" in values:
        cleaned["vendor_owner"] = _vendor_owner(tenant=tenant, user=values["vendor_owner"])
    if "partner_owner" in values:
        allowed = [partner_id] if partner_id is not None else list(plan.team_partner_ids)
        cleaned["partner_owner"] = _partner_owner(tenant=tenant, user=values["partner_owner"], partner_ids=allowed)
    return cleaned


def _completion(initiative: PlanInitiative) -> None:
    if initiative.status == InitiativeStatus.DONE and initiative.completed_at is None:
        initiative.completed_at = timezone.now()
    elif initiative.status != InitiativeStatus.DONE:
        initiative.completed_at = None


def initiative_create(
    *, tenant: Tenant, actor: Any, plan: BusinessPlan, partner_id: int | None, values: dict[str, Any]
) -> PlanInitiative:
    """Either side adds an initiative. A partner admin may name a partner owner of their own organisation."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=partner_id)
        cleaned = _initiative_values(tenant=tenant, plan=locked, partner_id=partner_id, values=values, creating=True)
        initiative = PlanInitiative(**_child_scope(locked), **cleaned)
        _completion(initiative)
        initiative.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.initiative_create",
            target=locked,
            changes={"initiative": str(initiative.public_id), "side": _side(partner_id)}
            | {name: _iso(value) for name, value in cleaned.items()},
        )
    return initiative


def initiative_update(
    *, tenant: Tenant, actor: Any, initiative: PlanInitiative, partner_id: int | None, values: dict[str, Any]
) -> PlanInitiative:
    """Either side changes an initiative (the keys given); done sets ``completed_at``, leaving done clears it."""
    with transaction.atomic():
        plan = _lock(tenant=tenant, plan=initiative.plan, partner_id=partner_id)
        locked = PlanInitiative.objects.select_for_update().get(tenant=tenant, pk=initiative.pk, plan=plan)
        cleaned = _initiative_values(tenant=tenant, plan=plan, partner_id=partner_id, values=values, creating=False)
        changes = {
            name: [_iso(getattr(locked, name)), _iso(value)] for name, value in cleaned.items() if getattr(locked, name) != value
        }
        for name, value in cleaned.items():
            setattr(locked, name, value)
        _completion(locked)
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.initiative_update",
            target=plan,
            changes={"initiative": str(locked.public_id), "side": _side(partner_id), **changes},
        )
    return locked


def initiative_remove(*, tenant: Tenant, actor: Any, initiative: PlanInitiative) -> None:
    """Only the vendor removes an initiative (a partner marks it done or blocked instead)."""
    with transaction.atomic():
        plan = _lock(tenant=tenant, plan=initiative.plan, partner_id=None)
        PlanInitiative.objects.filter(tenant=tenant, pk=initiative.pk).delete()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.initiative_remove",
            target=plan,
            changes={"initiative": str(initiative.public_id), "title": initiative.title},
        )


# --- reviews ---------------------------------------------------------------------------------------


def review_record(
    *,
    tenant: Tenant,
    actor: Any,
    plan: BusinessPlan,
    quarter: str,
    held_on: datetime.date,
    summary: str,
    decisions: str = "",
    today: datetime.date | None = None,
) -> PlanReview:
    """A vendor editor records a quarterly review; the goals' figures at that moment are kept with it.

    One review per quarter per plan (a database unique index); ``quarter`` reads like ``2026-Q3``.
    """
    quarter = str(quarter or "").strip().upper()
    if not QUARTER.match(quarter) or parse_quarter(quarter) is None:
        raise ApplicationError(_("Write the quarter like 2026-Q3."), code="invalid", field="quarter")
    if not isinstance(held_on, datetime.date):
        raise ApplicationError(_("Enter the day of the review."), code="required", field="held_on")
    summary = _text(summary, field="summary", limit=8000, required=True)
    decisions = _text(decisions, field="decisions", limit=8000)
    with transaction.atomic():
        locked = _lock(tenant=tenant, plan=plan, partner_id=None)
        if PlanReview.objects.filter(tenant=tenant, plan=locked, quarter=quarter).exists():
            raise ConflictError(_("This quarter's review is recorded already."), code="review_exists")
        try:
            with transaction.atomic():
                review = PlanReview.objects.create(
                    **_child_scope(locked),
                    quarter=quarter,
                    held_on=held_on,
                    summary=summary,
                    decisions=decisions,
                    figures=review_figures(tenant=tenant, plan=locked, today=today),
                    recorded_by=person_of(actor),
                )
        except IntegrityError:
            raise ConflictError(_("This quarter's review is recorded already."), code="review_exists") from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="plans.review_record",
            target=locked,
            changes={"review": str(review.public_id), "quarter": quarter, "held_on": str(held_on)},
        )
    return review
