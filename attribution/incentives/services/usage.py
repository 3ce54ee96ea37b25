"""Usage figures: CSV import (all or nothing, every bad row reported) and API posts.

One row per metric, account and month: importing or posting the same month again **replaces** the
quantity (a corrected file can be imported again). Imports and posts of one tenant take turns on an
advisory lock, so the created / replaced counts are exact. The write is one ``INSERT … ON CONFLICT
DO UPDATE`` per batch.

The CSV (UTF-8, comma or semicolon; the header is row 1, so the first record is row 2):

===========  =========  ==========================================================================
column       required   value
===========  =========  ==========================================================================
account      yes        the customer account's CRM id, else its website domain, else its name
metric       yes        the metric's name: lower-case letters, digits, ``-`` and ``_`` (``api_calls``)
month        yes        ``2026-03`` or any date in the month; not after the current month
quantity     yes        ≥ 0, at most two decimals (``1,250`` or ``1.250,5``)
external_id  no         the row's id in your system (at most 120 characters)
===========  =========  ==========================================================================
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from attribution.economics.services import parse_month
from attribution.touchpoint_imports import account_index, accounts_for_rows, match_account
from deals.imports import CsvImportResult, ImportFileInvalid, RowError, ValueInvalid, parse_amount, read_csv
from deals.imports.headers import column_positions
from ecosystem.accounts.models import User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from ..models import UsageFigure, UsageSource

COLUMNS = ("account", "metric", "month", "quantity", "external_id")
REQUIRED = ("account", "metric", "month", "quantity")
MAX_QUANTITY = Decimal("99999999999999.99")
MAX_API_ROWS = 1_000
USAGE_LOCK_KEY = 0x55534147  # "USAG"
CENT = Decimal("0.01")
_METRIC = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


@dataclass
class UsageEntry:
    account_id: int
    metric: str
    month: datetime.date
    quantity: Decimal
    external_id: str = ""


@dataclass
class UsageImportResult(CsvImportResult):
    """What a usage import did (``CsvImportResult``): figures created and replaced."""

    COUNTS = ("created", "replaced")

    created: int = 0
    replaced: int = 0


def parse_metric(raw: Any) -> str:
    metric = str(raw or "").strip().lower()
    if not metric:
        raise ValueInvalid("required", _("Give the metric (such as api_calls)."))
    if not _METRIC.match(metric):
        raise ValueInvalid("invalid_metric", _("A metric is lower-case letters, digits, - and _, such as active_seats."))
    return metric


_QUANTITY_PROBLEMS = {
    "negative_amount": ("negative_quantity", _lazy("The quantity cannot be negative.")),
    "amount_too_large": ("quantity_too_large", _lazy("The quantity is too large.")),
}


def parse_quantity(raw: Any) -> Decimal:
    """A quantity ≥ 0 with at most two decimals; no currency."""
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        amount, code = Decimal(raw), ""
    else:
        try:
            amount, code = parse_amount(str(raw if raw is not None else ""))
        except ValueInvalid as invalid:  # the same problems, in a quantity's words
            problem = _QUANTITY_PROBLEMS.get(invalid.code, ("invalid_quantity", _("The quantity must be a number.")))
            raise ValueInvalid(*problem) from None
    if amount is None:
        raise ValueInvalid("required", _("Give the quantity."))
    if code:
        raise ValueInvalid("invalid_quantity", _("A quantity is a number of units, not an amount of money."))
    if not amount.is_finite():
        raise ValueInvalid("invalid_quantity", _("The quantity must be a number."))
    if amount < 0:
        raise ValueInvalid("negative_quantity", _("The quantity cannot be negative."))
    if amount > MAX_QUANTITY:
        raise ValueInvalid("quantity_too_large", _("The quantity is too large."))
    if amount != amount.quantize(CENT):
        raise ValueInvalid("quantity_too_precise", _("The quantity can have at most two decimals."))
    return amount


def _external_id(raw: Any) -> str:
    value = str(raw or "").strip()
    if len(value) > 120:
        raise ValueInvalid("too_long", _("The external id can be at most 120 characters."))
    return value


def _write(*, tenant: Tenant, actor: Any, entries: list[UsageEntry], source: str) -> tuple[int, int]:
    """Store the entries, replacing stored months; ``(created, replaced)``. Call inside ``tenant_atomic``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [USAGE_LOCK_KEY, tenant.pk])
    stored = set(
        UsageFigure.objects.filter(
            tenant=tenant,
            account_id__in={e.account_id for e in entries},
            metric__in={e.metric for e in entries},
            month__in={e.month for e in entries},
        ).values_list("metric", "account_id", "month")
    )
    user = actor if isinstance(actor, User) else None
    now = timezone.now()
    UsageFigure.objects.bulk_create(
        [
            UsageFigure(
                tenant=tenant,
                account_id=e.account_id,
                metric=e.metric,
                month=e.month,
                quantity=e.quantity,
                source=source,
                external_id=e.external_id,
                updated_by=user,
                created_at=now,
                updated_at=now,
            )
            for e in entries
        ],
        batch_size=5_000,
        update_conflicts=True,
        unique_fields=["tenant", "metric", "account", "month"],
        update_fields=["quantity", "source", "external_id", "updated_by", "updated_at"],
    )
    replaced = sum(1 for e in entries if (e.metric, e.account_id, e.month) in stored)
    return len(entries) - replaced, replaced


@dataclass
class _Row:
    row: int
    account: str
    metric: str = ""
    month: datetime.date | None = None
    quantity: Decimal | None = None
    external_id: str = ""


def _columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    position, names, ignored = column_positions(headers, COLUMNS)
    missing = [c for c in REQUIRED if c not in position]
    if missing:
        raise ImportFileInvalid(
            _("The file has no %(columns)s column. The columns are: account, metric, month, quantity, external_id.")
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    return position, names, ignored


def usage_figures_import(*, tenant: Tenant, actor: Any, data: bytes) -> UsageImportResult:
    """Import a CSV of usage figures (see the module docstring), all or nothing.

    Raises :class:`deals.imports.ImportFileInvalid` when the file as a whole cannot be read. Otherwise
    the result has ``errors`` (every bad row; nothing written) or the counts created and replaced.
    """
    csv_file = read_csv(data)
    position, names, ignored = _columns(csv_file.headers)
    result = UsageImportResult(rows=len(csv_file.records), ignored_columns=ignored)
    errors: list[RowError] = []

    def cell(record: list[str], column: str) -> str:
        index = position.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    rows: list[_Row] = []
    for offset, record in enumerate(csv_file.records):  # each cell checked on its own (no database)
        row = _Row(row=offset + 2, account=cell(record, "account"))
        if not row.account:
            errors.append(RowError(row.row, names["account"], "required", _("This column is required.")))
        for column, parse, attribute in (
            ("metric", parse_metric, "metric"),
            ("month", parse_month, "month"),
            ("quantity", parse_quantity, "quantity"),
            ("external_id", _external_id, "external_id"),
        ):
            if column not in position:
                continue
            try:
                setattr(row, attribute, parse(cell(record, column)))
            except ValueInvalid as invalid:
                errors.append(RowError(row.row, names[column], invalid.code, invalid.message))
        rows.append(row)
    entries: list[UsageEntry] = []
    with tenant_atomic():
        index = account_index(accounts_for_rows(tenant, rows))  # one query for the whole file
        bad = {e.row for e in errors}
        seen: dict[tuple, int] = {}
        for row in rows:
            account_id = None
            if row.account:
                account_id, problem = match_account(row.account, index)
                if problem == "ambiguous_account":
                    message = _("Several accounts have this name; give the account's CRM id or website.")
                    errors.append(RowError(row.row, names["account"], problem, message))
                elif problem:
                    message = _("No customer account has this CRM id, website or name. Import the accounts first.")
                    errors.append(RowError(row.row, names["account"], problem, message))
            if account_id is not None and row.metric and row.month is not None:
                earlier = seen.setdefault((row.metric, account_id, row.month), row.row)
                if earlier != row.row:
                    message = _("Row %(n)s has the same account, metric and month.") % {"n": earlier}
                    errors.append(RowError(row.row, names["month"], "duplicate_in_file", message))
                    continue
            if account_id is None or row.row in bad or row.month is None or row.quantity is None:
                continue
            entries.append(UsageEntry(account_id, row.metric, row.month, row.quantity, row.external_id))
        if errors:
            order = {theirs: COLUMNS.index(ours) for ours, theirs in names.items()}
            result.errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, len(COLUMNS))))
            return result
        result.created, result.replaced = _write(tenant=tenant, actor=actor, entries=entries, source=UsageSource.IMPORT)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.usage_import",
            changes={"rows": result.rows, "created": result.created, "replaced": result.replaced, "sha256": csv_file.sha256},
        )
    return result


def usage_figures_record(*, tenant: Tenant, actor: Any, items: list[dict[str, Any]], many: bool = False):
    """Store posted usage figures, all or nothing; ``(rows as stored, created, replaced)``.

    Each item: ``account`` (a CustomerAccount of the tenant), ``metric``, ``month``, ``quantity``,
    ``external_id`` (optional). Errors name their field, prefixed with the item's index when ``many``.
    """
    if not items:
        raise ApplicationError(_("Send at least one row."), code="empty", field=None)
    if len(items) > MAX_API_ROWS:
        raise ApplicationError(_("Send at most 1,000 rows at a time."), code="too_many_rows", field=None)
    entries: list[UsageEntry] = []
    seen: set[tuple] = set()
    for index, item in enumerate(items):  # validation of posted values; the write is set-based

        def name(column: str, index: int = index) -> str:
            return f"{index}.{column}" if many else column

        account = item["account"]
        if account.tenant_id != tenant.pk:
            raise ApplicationError(_("Not found."), code="not_found", field=name("account"))
        values = {}
        for column, parse in (
            ("metric", parse_metric),
            ("month", parse_month),
            ("quantity", parse_quantity),
            ("external_id", _external_id),
        ):
            try:
                values[column] = parse(item.get(column))
            except ValueInvalid as invalid:
                raise ApplicationError(invalid.message, code=invalid.code, field=name(column)) from None
        key = (values["metric"], account.pk, values["month"])
        if key in seen:
            raise ApplicationError(
                _("Another row has the same account, metric and month."), code="duplicate_in_request", field=name("month")
            )
        seen.add(key)
        entries.append(UsageEntry(account.pk, values["metric"], values["month"], values["quantity"], values["external_id"]))
    with tenant_atomic():
        created, replaced = _write(tenant=tenant, actor=actor, entries=entries, source=UsageSource.API)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.usage_record",
            changes={"rows": len(entries), "created": created, "replaced": replaced},
        )
        wanted = {(e.metric, e.account_id, e.month) for e in entries}
        stored = [
            r
            for r in UsageFigure.objects.filter(
                tenant=tenant, account_id__in={e.account_id for e in entries}, month__in={e.month for e in entries}
            )
            .select_related("account")
            .order_by("-month", "metric", "account__name", "id")
            if (r.metric, r.account_id, r.month) in wanted
        ]
    return stored, created, replaced
