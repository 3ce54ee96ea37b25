"""Writes to the currency rate table: set one rate, delete one, import a CSV of rates (all or nothing).

Only vendor staff with an editor role reach these (the views and the API check the role); each
write is audited with what it changed. The conversion rule itself is in :mod:`deals.currency`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .currency import normalise_currency
from .imports import ImportRejected, RowError, ValueInvalid, normalise_header, parse_date, read_csv
from .models import CurrencyRate
from .registrations import engagement_rules

_CODE = re.compile(r"^[A-Z]{3}$")
RATE_PLACES = Decimal("0.00000001")
MAX_RATE = Decimal("9999999999.99999999")  # what DecimalField(max_digits=18, decimal_places=8) holds
CSV_COLUMNS = ("currency", "valid_from", "rate")


@dataclass(frozen=True)
class RateSaved:
    row: CurrencyRate
    created: bool


@dataclass(frozen=True)
class RatesImported:
    rows: int
    created: int
    updated: int


def access_currency_rate(*, tenant: Tenant, public_id: Any) -> CurrencyRate:
    """One rate row of ``tenant``; the same :class:`NotFoundError` for a missing and a foreign id."""
    try:
        return CurrencyRate.objects.get(tenant=tenant, public_id=public_id)
    except (CurrencyRate.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFoundError() from None


# --- checking one value ------------------------------------------------------------------------


def clean_currency(raw: Any, *, program_currency: str) -> str:
    code = normalise_currency(raw)
    if not code:
        raise ValueInvalid("required", _("Enter the currency, e.g. EUR."))
    if not _CODE.match(code):
        raise ValueInvalid(
            "invalid_currency", _("“%(value)s” is not a currency code such as EUR or USD.") % {"value": str(raw)[:20]}
        )
    if code == program_currency:
        raise ValueInvalid(
            "program_currency",
            _("%(code)s is the program currency: its amounts count at 1 and need no rate.") % {"code": code},
        )
    return code


def clean_rate(raw: Any) -> Decimal:
    if isinstance(raw, Decimal):
        rate = raw
    else:
        text = str(raw if raw is not None else "").strip().replace(" ", "")
        if not text:
            raise ValueInvalid("required", _("Enter the rate."))
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise ValueInvalid(
                "invalid_rate", _("“%(value)s” is not a number. Use a dot: 1.0825.") % {"value": text[:30]}
            ) from None
    if not rate.is_finite() or rate <= 0:
        raise ValueInvalid("rate_not_positive", _("The rate must be greater than 0."))
    if rate > MAX_RATE:
        raise ValueInvalid("rate_too_large", _("The rate must be below 10,000,000,000."))
    rounded = rate.quantize(RATE_PLACES)
    if rounded <= 0:
        raise ValueInvalid("rate_not_positive", _("The rate must be greater than 0 (at most 8 decimal places)."))
    return rounded


def clean_valid_from(raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    day = parse_date(str(raw or ""))
    if day is None:
        raise ValueInvalid("required", _("Enter the date the rate applies from."))
    return day


# --- writes ----------------------------------------------------------------------------------------


def _upsert(
    *, tenant: Tenant, actor: Any, currency: str, valid_from: datetime.date, rate: Decimal
) -> tuple[CurrencyRate, bool, Decimal | None]:
    """Insert or update one row (locked). Returns the row, whether it is new, and the rate it had before."""
    row = CurrencyRate.objects.select_for_update().filter(tenant=tenant, currency=currency, valid_from=valid_from).first()
    user = person_of(actor)
    if row is None:
        try:
            with transaction.atomic():
                row = CurrencyRate.objects.create(
                    tenant=tenant, currency=currency, valid_from=valid_from, rate=rate, updated_by=user
                )
            return row, True, None
        except IntegrityError:  # another request created it meanwhile: update that one
            row = CurrencyRate.objects.select_for_update().get(tenant=tenant, currency=currency, valid_from=valid_from)
    before = row.rate
    if before != rate:
        row.rate = rate
        row.updated_by = user
        row.save(update_fields=["rate", "updated_by", "updated_at"])
    return row, False, before


def currency_rate_set(*, tenant: Tenant, actor: Any, currency: Any, valid_from: Any, rate: Any) -> RateSaved:
    """Set the rate of ``currency`` from ``valid_from``: creates the row, or updates the rate of the row
    of that currency and date (unique per tenant, currency and day). Idempotent; audited.

    Refuses (``ApplicationError`` naming the field) a code that is not three letters, the program
    currency, and a rate that is not > 0 or does not fit 18 digits with 8 decimals.
    """
    program_currency = normalise_currency(engagement_rules(tenant=tenant).currency)
    checks = (
        ("currency", lambda: clean_currency(currency, program_currency=program_currency)),
        ("valid_from", lambda: clean_valid_from(valid_from)),
        ("rate", lambda: clean_rate(rate)),
    )
    clean: dict[str, Any] = {}
    for field, check in checks:
        try:
            clean[field] = check()
        except ValueInvalid as invalid:
            raise ApplicationError(invalid.message, code=invalid.code, field=field) from None
    with tenant_atomic():
        row, created, before = _upsert(tenant=tenant, actor=actor, **clean)
        if created or before != row.rate:
            audit_record(
                tenant=tenant,
                actor=actor,
                action="deals.currency_rate_set",
                target=row,
                changes={
                    "currency": row.currency,
                    "valid_from": row.valid_from.isoformat(),
                    "rate": [None if before is None else str(before), str(row.rate)],
                },
            )
    return RateSaved(row=row, created=created)


def currency_rate_delete(*, tenant: Tenant, actor: Any, rate: CurrencyRate) -> None:
    """Delete one rate row: amounts dated in its span then use the row before it (or have no rate). Audited."""
    with tenant_atomic():
        row = CurrencyRate.objects.select_for_update().filter(tenant=tenant, pk=rate.pk).first()
        if row is None:
            raise NotFoundError()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.currency_rate_delete",
            target=row,
            changes={"currency": row.currency, "valid_from": row.valid_from.isoformat(), "rate": str(row.rate)},
        )
        row.delete()


def currency_rates_import(*, tenant: Tenant, actor: Any, data: bytes) -> RatesImported:
    """Import a CSV with the columns ``currency,valid_from,rate`` (header row 1; any order, any case).

    All or nothing: every row is checked first, and any bad row raises :class:`ImportRejected`
    listing *every* problem as (row as a spreadsheet numbers it, column, code, message); then
    nothing is written. The same currency and date twice in the file is an error too. Otherwise
    every row is set as by :func:`currency_rate_set` (bulk, in one transaction), with one audit row.
    Raises :class:`~deals.imports.ImportFileInvalid` when the file as a whole cannot be read.
    """
    csv_file = read_csv(data)
    positions = {normalise_header(h): i for i, h in enumerate(csv_file.headers)}
    absent = [column for column in CSV_COLUMNS if column not in positions]
    if absent:
        raise ApplicationError(
            _("The file needs the columns currency, valid_from and rate; missing: %(columns)s.") % {"columns": ", ".join(absent)},
            code="missing_columns",
            field="file",
        )
    column_name = {column: csv_file.headers[positions[column]] for column in CSV_COLUMNS}
    program_currency = normalise_currency(engagement_rules(tenant=tenant).currency)
    errors: list[RowError] = []
    clean_rows: list[dict[str, Any]] = []
    first_row_of: dict[tuple[str, datetime.date], int] = {}
    for index, record in enumerate(csv_file.records):
        row_number = index + 2  # the header is row 1

        def cell(column: str, record: list[str] = record) -> str:
            position = positions[column]
            return record[position].strip() if position < len(record) else ""

        clean: dict[str, Any] = {}
        for column, check in (
            ("currency", lambda raw: clean_currency(raw, program_currency=program_currency)),
            ("valid_from", clean_valid_from),
            ("rate", clean_rate),
        ):
            try:
                clean[column] = check(cell(column))
            except ValueInvalid as invalid:
                errors.append(RowError(row=row_number, column=column_name[column], code=invalid.code, message=invalid.message))
        if len(clean) < len(CSV_COLUMNS):
            continue
        key = (clean["currency"], clean["valid_from"])
        if key in first_row_of:
            errors.append(
                RowError(
                    row=row_number,
                    column="",
                    code="duplicate",
                    message=_("%(code)s from %(day)s is also in row %(row)s.")
                    % {"code": key[0], "day": key[1].isoformat(), "row": first_row_of[key]},
                )
            )
            continue
        first_row_of[key] = row_number
        clean_rows.append(clean)
    if errors:
        raise ImportRejected(errors)
    if not clean_rows:
        raise ApplicationError(_("The file has no rates."), code="empty", field="file")
    with tenant_atomic():
        created, updated = _write_all(tenant=tenant, actor=actor, rows=clean_rows)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.currency_rates_import",
            changes={"rows": len(clean_rows), "created": created, "updated": updated, "sha256": csv_file.sha256},
        )
    return RatesImported(rows=len(clean_rows), created=created, updated=updated)


def _write_all(*, tenant: Tenant, actor: Any, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Set every row with three statements, not one per row: lock the file's currencies' rows, insert
    the new ones, update the changed ones. A row inserted meanwhile by someone else is a conflict."""
    user = person_of(actor)
    existing = {
        (row.currency, row.valid_from): row
        for row in CurrencyRate.objects.select_for_update().filter(tenant=tenant, currency__in={r["currency"] for r in rows})
    }
    new, changed, now = [], [], timezone.now()
    for clean in rows:
        row = existing.get((clean["currency"], clean["valid_from"]))
        if row is None:
            new.append(CurrencyRate(tenant=tenant, updated_by=user, **clean))
        elif row.rate != clean["rate"]:
            row.rate, row.updated_by, row.updated_at = clean["rate"], user, now
            changed.append(row)
    try:
        with transaction.atomic():
            CurrencyRate.objects.bulk_create(new, batch_size=1000)
    except IntegrityError:
        raise ConflictError(
            _("Someone added rates for these currencies meanwhile. Upload the file again."), code="conflict", field="file"
        ) from None
    CurrencyRate.objects.bulk_update(changed, ["rate", "updated_by", "updated_at"], batch_size=1000)
    return len(new), len(changed)
