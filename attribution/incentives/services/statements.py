"""A statement's payout: approved by a manager, then marked paid. Each step locks the row and is audited.

computed → approved (``statement_approve``) → paid (``statement_mark_paid``). An approved or paid
statement is settled: a later computation of its quarter leaves it as it is.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from ..models import RebateStatement, StatementStatus


def _lock(tenant: Tenant, statement: RebateStatement) -> RebateStatement:
    return RebateStatement.objects.select_for_update().get(tenant=tenant, pk=statement.pk)


def statement_approve(*, tenant: Tenant, actor: Any, statement: RebateStatement) -> RebateStatement:
    """Approve the payout of a computed statement. ``409 statement_not_computed`` otherwise."""
    with tenant_atomic():
        locked = _lock(tenant, statement)
        if locked.status != StatementStatus.COMPUTED:
            raise ConflictError(_("Only a computed statement can be approved."), code="statement_not_computed", field=None)
        locked.status = StatementStatus.APPROVED
        locked.approved_by = actor if isinstance(actor, User) else None
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.statement_approve",
            target=locked,
            changes={"rebate": str(locked.rebate_amount), "currency": locked.currency, "period": locked.period},
        )
    return locked


def statement_mark_paid(*, tenant: Tenant, actor: Any, statement: RebateStatement, reference: str = "") -> RebateStatement:
    """Record that an approved statement was paid (``reference``: the payment's id, optional).
    ``409 statement_not_approved`` otherwise."""
    reference = " ".join(str(reference or "").split())
    if len(reference) > 120:
        raise ApplicationError(_("The reference can be at most 120 characters."), code="too_long", field="reference")
    with tenant_atomic():
        locked = _lock(tenant, statement)
        if locked.status != StatementStatus.APPROVED:
            raise ConflictError(_("Only an approved statement can be marked paid."), code="statement_not_approved", field=None)
        locked.status = StatementStatus.PAID
        locked.paid_by = actor if isinstance(actor, User) else None
        locked.paid_at = timezone.now()
        locked.payment_reference = reference
        locked.save(update_fields=["status", "paid_by", "paid_at", "payment_reference"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.statement_mark_paid",
            target=locked,
            changes={"rebate": str(locked.rebate_amount), "currency": locked.currency, "reference": reference},
        )
    return locked
