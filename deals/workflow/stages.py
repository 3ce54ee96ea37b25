"""An active registration moves through its stages, closes won or lost, or is withdrawn by its partner."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

from .. import notifications
from ..amounts import CENTS, MAX_AMOUNT, amount_from_text
from ..models import (
    OPEN_STAGES,
    DealRegistration,
    DealStage,
    DecisionAction,
    ExtensionStatus,
    RegistrationExtension,
    RegistrationStatus,
)
from ..registrations import claims_release
from .steps import RELEASABLE, _decide, _lock, _require_status


def _clean_amount(value: Any) -> Decimal:
    amount = amount_from_text(value)
    if amount is None:
        raise ApplicationError(_("Enter the closed amount as a number."), code="invalid_number", field="closed_amount")
    if amount < 0 or amount > MAX_AMOUNT:
        raise ApplicationError(_("Enter an amount between 0 and 999,999,999,999."), code="out_of_range", field="closed_amount")
    return amount.quantize(CENTS)


def _clean_closed_on(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ApplicationError(_("Enter the close date as YYYY-MM-DD."), code="invalid_date", field="closed_on") from None
    if day > timezone.localdate():
        raise ApplicationError(_("The close date cannot be in the future."), code="date_in_future", field="closed_on")
    return day


def registration_update_stage(
    *,
    tenant: Tenant,
    actor: Any,
    registration: DealRegistration,
    stage: str,
    closed_amount: Any = None,
    closed_on: Any = None,
) -> DealRegistration:
    """Move an active registration to another open stage, or close it won or lost.

    ``closed_won`` needs the amount and the date (status won); ``closed_lost`` the date (amount
    optional, status lost). Closing releases the product lines. Rules: ``stage_update``,
    ``closed_won``, ``closed_lost``.
    """
    if stage not in DealStage.values:
        raise ApplicationError(_("Choose a stage from the list."), code="invalid_choice", field="stage")
    amount = day = None
    if stage == DealStage.CLOSED_WON:
        if closed_amount in (None, ""):
            raise ApplicationError(_("Enter the amount the deal closed for."), code="required", field="closed_amount")
        amount = _clean_amount(closed_amount)
        day = _clean_closed_on(closed_on)
    elif stage == DealStage.CLOSED_LOST:
        amount = _clean_amount(closed_amount) if closed_amount not in (None, "") else None
        day = _clean_closed_on(closed_on)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        _require_status(
            locked,
            (RegistrationStatus.PENDING, RegistrationStatus.INFO_REQUESTED, RegistrationStatus.APPROVED),
            _("Only an active registration changes stage."),
        )
        from_stage = locked.stage
        if stage in OPEN_STAGES:
            if stage == from_stage:
                raise ApplicationError(_("The deal is at this stage already."), code="unchanged", field="stage")
            locked.stage = stage
            _decide(
                tenant=tenant,
                actor=actor,
                registration=locked,
                action=DecisionAction.STAGE,
                rule="stage_update",
                reason=_("Stage: %(from)s → %(to)s") % {"from": from_stage, "to": stage},
                audit_action="deals.registration_stage",
                changes={"stage": [from_stage, stage]},
                update_fields=("stage",),
            )
            return locked
        won = stage == DealStage.CLOSED_WON
        released = claims_release(registration=locked)
        locked.stage, locked.closed_amount, locked.closed_on = stage, amount, day
        decision = _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.WON if won else DecisionAction.LOST,
            rule="closed_won" if won else "closed_lost",
            reason=_("Closed %(how)s on %(day)s.") % {"how": _("won") if won else _("lost"), "day": day.isoformat()},
            to_status=RegistrationStatus.WON if won else RegistrationStatus.LOST,
            audit_action="deals.registration_close",
            changes={
                "stage": [from_stage, stage],
                "closed_amount": str(amount) if amount is not None else None,
                "closed_on": day.isoformat(),
                "claims_released": released,
            },
            update_fields=("stage", "closed_amount", "closed_on"),
        )
        if won:
            webhook_events.registration(tenant=tenant, event_type="deal.won", registration=locked)
        notifications.notify_registration_decided(tenant=tenant, registration=locked, decision=decision)
    return locked


def registration_withdraw(*, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration) -> DealRegistration:
    """The partner takes back its own registration (waiting or approved). Its product lines are released."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, RELEASABLE, _("This registration has ended already."))
        released = claims_release(registration=locked)
        RegistrationExtension.objects.filter(registration=locked, status=ExtensionStatus.REQUESTED).update(
            status=ExtensionStatus.DECLINED, decided_at=timezone.now(), decision_reason=_("Registration withdrawn.")
        )
        _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.WITHDRAWN,
            rule="partner_withdrawal",
            reason=_("Withdrawn by the partner."),
            to_status=RegistrationStatus.WITHDRAWN,
            audit_action="deals.registration_withdraw",
            changes={"claims_released": released},
        )
    return locked
