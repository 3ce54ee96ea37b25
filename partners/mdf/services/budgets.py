"""Budgets and allocations (staff). The rules are in the package docstring (:mod:`partners.mdf.services`)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, Tier

from ..models import (
    MdfAllocation,
    MdfBudget,
)
from .checks import (
    _count,
    _money,
    _text,
    program_currency,
)
from .funds import budget_committed, partner_funds

# --- budgets and allocations -----------------------------------------------------------------------


def budget_create(*, tenant: Tenant, actor: Any, year: Any, quarter: Any, amount: Any, notes: str = "") -> MdfBudget:
    """A quarter's budget in the program's currency. One per quarter (``budget_exists``)."""
    year = _count(year, field="year")
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("Enter a year such as 2026."), code="invalid", field="year")
    quarter = _count(quarter, field="quarter")
    if quarter not in (1, 2, 3, 4):
        raise ApplicationError(_("Choose a quarter from 1 to 4."), code="invalid_choice", field="quarter")
    amount = _money(amount, field="amount")
    notes = _text(notes, limit=500, field="notes")
    try:
        with transaction.atomic():
            budget = MdfBudget.objects.create(
                tenant=tenant,
                year=year,
                quarter=quarter,
                amount=amount,
                currency=program_currency(tenant=tenant),
                notes=notes,
                created_by=person_of(actor),
            )
    except IntegrityError:
        raise ConflictError(
            _("Q%(q)s %(y)s has a budget already: change its amount instead.") % {"q": quarter, "y": year},
            code="budget_exists",
            field="quarter",
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        action="mdf.budget_create",
        target=budget,
        changes={"period": budget.period, "amount": str(amount)},
    )
    return budget


def budget_update(*, tenant: Tenant, actor: Any, budget: MdfBudget, amount: Any) -> MdfBudget:
    """Change a budget's amount; never below what its requests already hold (``below_committed``)."""
    amount = _money(amount, field="amount")
    with transaction.atomic():
        locked = MdfBudget.objects.select_for_update().get(tenant=tenant, pk=budget.pk)
        committed = budget_committed(tenant=tenant, budget=locked)
        if amount < committed:
            raise ConflictError(
                _("Approved requests hold %(committed)s %(currency)s of this budget: it cannot go below that.")
                % {"committed": committed, "currency": locked.currency},
                code="below_committed",
                field="amount",
            )
        previous = locked.amount
        locked.amount = amount
        locked.save(update_fields=["amount"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mdf.budget_update",
            target=locked,
            changes={"from": str(previous), "to": str(amount)},
        )
    return locked


def allocation_set(
    *,
    tenant: Tenant,
    actor: Any,
    budget: MdfBudget,
    amount: Any,
    partner: PartnerOrganization | None = None,
    tier: Tier | None = None,
) -> MdfAllocation:
    """Set (create or change) the allocation of one partner, or the per-partner allocation of one tier.

    Locks the budget row, as approvals do, so a changed ceiling and an approval never cross. A
    partner's own allocation never drops below what its approved requests hold (``below_committed``).
    """
    if (partner is None) == (tier is None):
        raise ApplicationError(_("Choose a partner or a tier."), code="required", field="partner")
    if (partner is not None and partner.tenant_id != tenant.pk) or (tier is not None and tier.tenant_id != tenant.pk):
        raise NotFoundError()
    amount = _money(amount, field="amount", allow_zero=True)
    with transaction.atomic():
        locked = MdfBudget.objects.select_for_update().get(tenant=tenant, pk=budget.pk)
        if partner is not None:
            funds = partner_funds(tenant=tenant, budget=locked, partner=partner)
            if amount < funds.committed:
                raise ConflictError(
                    _("Approved requests of this partner hold %(committed)s %(currency)s: allocate at least that.")
                    % {"committed": funds.committed, "currency": locked.currency},
                    code="below_committed",
                    field="amount",
                )
        target = {"partner": partner} if partner is not None else {"tier": tier}
        allocation = MdfAllocation.objects.select_for_update().filter(tenant=tenant, budget=locked, **target).first()
        previous = allocation.amount if allocation else None
        if allocation is None:
            allocation = MdfAllocation.objects.create(tenant=tenant, budget=locked, amount=amount, **target)
        else:
            allocation.amount = amount
            allocation.save(update_fields=["amount", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mdf.allocation_set",
            target=allocation,
            changes={
                "budget": locked.period,
                "partner": str(partner.public_id) if partner else None,
                "tier": tier.name if tier else None,
                "from": str(previous) if previous is not None else None,
                "to": str(amount),
            },
        )
    return allocation
