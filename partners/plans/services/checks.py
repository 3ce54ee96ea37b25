"""Checks and helpers every business plan service shares: amounts, text, periods, owners, the locked plan."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Membership, User
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from ..models import (
    BusinessPlan,
    GoalMetric,
    PlanState,
)

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
