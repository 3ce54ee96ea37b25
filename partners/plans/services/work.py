"""The work on a plan: goals (vendor), initiatives (both sides) and quarterly reviews (vendor).

Who edits what is in the package docstring (:mod:`partners.plans.services`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, ForbiddenError
from ecosystem.tenancy.models import Tenant

from ..figures import MANUAL_METRICS, parse_quarter, review_figures
from ..models import (
    BusinessPlan,
    GoalMetric,
    InitiativeStatus,
    PlanGoal,
    PlanInitiative,
    PlanReview,
)
from .checks import INITIATIVE_FIELDS, QUARTER, _amount, _child_scope, _iso, _lock, _partner_owner, _text, _vendor_owner
from .plans import _side

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
