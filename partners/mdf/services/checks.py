"""Checking what the MDF services are given (amounts, counts, dates, text), the program's currency and the quarter a day falls in."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerStatus

from ..models import (
    MdfBudget,
)

EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "xlsx", "docx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
MAX_AMOUNT = Decimal("999999999999.99")
# Partners that may ask for funds: in the program and selling.
REQUESTING_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)


class Decision:
    APPROVE = "approve"
    PARTIAL = "partial"
    REJECT = "reject"
    ALL = (APPROVE, PARTIAL, REJECT)


# --- input -----------------------------------------------------------------------------------------


def _money(value: Any, *, field: str, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter an amount, e.g. 2500.00."), code="invalid", field=field) from None
    if not amount.is_finite():
        raise ApplicationError(_("Enter an amount, e.g. 2500.00."), code="invalid", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ApplicationError(_("Enter an amount above zero."), code="min_value", field=field)
    if amount > MAX_AMOUNT:
        raise ApplicationError(_("That amount is too large."), code="max_value", field=field)
    return amount.quantize(Decimal("0.01"))


def _count(value: Any, *, field: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except (ValueError, TypeError):
        raise ApplicationError(_("Enter a whole number."), code="invalid", field=field) from None
    if number < 0 or number > 10_000_000:
        raise ApplicationError(_("Enter a whole number from 0 to 10,000,000."), code="invalid", field=field)
    return number


def _date(value: Any, *, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (ValueError, TypeError):
        raise ApplicationError(_("Enter a date as YYYY-MM-DD."), code="invalid", field=field) from None


def _text(value: Any, *, limit: int, field: str, required: str | None = None) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(required, code="required", field=field)
    if len(text) > limit:
        raise ApplicationError(_("Use at most %(n)s characters.") % {"n": limit}, code="max_length", field=field)
    return text


def program_currency(*, tenant: Tenant) -> str:
    """The program's currency, from the rules of engagement (as tiers read it); USD when none are set."""
    rules = apps.get_model("deals", "EngagementRules")
    return rules.objects.filter(tenant=tenant).values_list("currency", flat=True).first() or "USD"


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def budget_for_day(*, tenant: Tenant, day: datetime.date) -> MdfBudget | None:
    """The budget of the quarter ``day`` falls in (staff-only rows, read for a partner too)."""
    year, quarter = quarter_of(day)
    with across_partners(reason="mdf: which quarter's budget a partner's campaign draws on"):
        return MdfBudget.objects.filter(tenant=tenant, year=year, quarter=quarter).first()
