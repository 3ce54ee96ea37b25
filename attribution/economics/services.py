"""Every write of program economics: customer revenue (CSV import, API post) and program costs.

* **Customer revenue.** One row per account and month. A CSV file is imported all or nothing (every
  bad row is reported with its row and column, nothing is written when one is bad); the API posts one
  row or a list, also all or nothing. Either way a month already stored for the account is
  **replaced** (MRR, managing partner, source, external id): re-importing a corrected file, or
  re-posting the same month, leaves one row with the latest figure. Imports and posts of one tenant
  take turns on an advisory lock, so the created / replaced counts are exact. The write is one
  ``INSERT … ON CONFLICT (tenant, account, month) DO UPDATE`` per batch, never a save per row.
* **Program costs.** One amount per quarter and category (:func:`program_cost_save`); saving the same
  quarter and category again replaces the amount and the note.

Amounts are in the program's currency (the currency of the rules of engagement): an amount written
with another currency's code or symbol is refused, never converted. Every mutation writes one audit row.

The CSV (UTF-8, comma or semicolon; the header is row 1, so the first record is row 2):

==============  =========  =========================================================================
column          required   value
==============  =========  =========================================================================
account         yes        the customer account's CRM id, else its website domain, else its name
                           (as the touchpoint import matches them)
month           yes        ``2026-03`` or any date in the month (``2026-03-01``, ``3/1/2026``); not
                           after the current month
mrr / arr       one        monthly recurring revenue, ≥ 0 (``1,250.00``, ``1.250,00``, ``$1,250``);
                           or annual recurring revenue, stored as ARR ÷ 12 (rounded to the cent)
partner         no         the managing partner's public id or exact name (any case); empty: direct
external_id     no         the row's id in your system (at most 120 characters), kept for reference
==============  =========  =========================================================================
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attribution.touchpoint_imports import account_index, accounts_for_rows, match_account
from deals.imports import CsvImportResult, ImportFileInvalid, RowError, ValueInvalid, parse_amount, parse_date, read_csv
from deals.imports.headers import column_positions
from ecosystem.accounts.models import User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.references import PARTNER_PROBLEMS, partner_references

from .models import CostCategory, CustomerRevenue, ProgramCost, RevenueSource
from .selectors import program_currency

COLUMNS = ("account", "month", "mrr", "arr", "partner", "external_id")
MAX_EXTERNAL_ID = 120
MAX_AMOUNT = Decimal("999999999999.99")
MAX_API_ROWS = 1_000
MIN_YEAR, MAX_YEAR = 2000, 2100
REVENUE_LOCK_KEY = 0x45434F4E  # "ECON": imports and posts of one tenant's customer revenue take turns on it
BATCH_SIZE = 5_000
CENT = Decimal("0.01")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class RevenueEntry:
    """One account-month to store: ids resolved, values checked."""

    account_id: int
    month: datetime.date
    mrr: Decimal
    partner_id: int | None
    external_id: str = ""


@dataclass
class RevenueImportResult(CsvImportResult):
    """What a revenue import did (``CsvImportResult``): account-months created and replaced."""

    COUNTS = ("created", "replaced")

    created: int = 0
    replaced: int = 0


# --- one value -------------------------------------------------------------------------------------


def parse_month(raw: Any, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month ``raw`` names (``2026-03``, or any date of it); never after the current month."""
    if isinstance(raw, datetime.date):
        day = raw
    else:
        text = str(raw or "").strip()
        if not text:
            raise ValueInvalid("required", _("Give the month (2026-03)."))
        match = _MONTH.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise ValueInvalid("invalid_month", _("Not a month. Use 2026-03."))
            day = datetime.date(year, month, 1)
        else:
            try:
                parsed = parse_date(text)
            except ValueInvalid:
                raise ValueInvalid("invalid_month", _("Not a month. Use 2026-03 or a date such as 2026-03-01.")) from None
            assert parsed is not None  # not empty
            day = parsed
    month = day.replace(day=1)
    current = (today or timezone.localdate()).replace(day=1)
    if month > current:
        raise ValueInvalid("future_month", _("Revenue can be recorded up to the current month."))
    if month.year < MIN_YEAR:
        raise ValueInvalid("invalid_month", _("Give a month from 2000 on."))
    return month


def parse_money(raw: Any, *, currency: str, label: str = "MRR") -> Decimal:
    """An amount ≥ 0 with at most two decimals, in the program's currency (a code or symbol of another is refused)."""
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        amount, code = Decimal(raw), ""
    else:
        amount, code = parse_amount(str(raw if raw is not None else ""))
    if amount is None:
        raise ValueInvalid("required", _("Give the %(label)s.") % {"label": label})
    if not amount.is_finite():
        raise ValueInvalid("invalid_amount", _("The %(label)s must be a number.") % {"label": label})
    if code and code != currency:
        raise ValueInvalid(
            "currency_mismatch",
            _("Amounts are in the program's currency, %(currency)s; this one is in %(code)s.")
            % {"currency": currency, "code": code},
        )
    if amount < 0:
        raise ValueInvalid("negative_amount", _("The %(label)s cannot be negative.") % {"label": label})
    if amount > MAX_AMOUNT:
        raise ValueInvalid("amount_too_large", _("The %(label)s is too large.") % {"label": label})
    if amount != amount.quantize(CENT):
        raise ValueInvalid("amount_too_precise", _("The %(label)s can have at most two decimals.") % {"label": label})
    return amount


def _clean_external_id(raw: Any) -> str:
    value = str(raw or "").strip()
    if len(value) > MAX_EXTERNAL_ID:
        raise ValueInvalid("too_long", _("The external id can be at most 120 characters."))
    return value


# --- the write both paths share --------------------------------------------------------------------


def _lock(tenant: Tenant) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REVENUE_LOCK_KEY, tenant.pk])


def _write(*, tenant: Tenant, actor: Any, entries: list[RevenueEntry], source: str) -> tuple[int, int]:
    """Store the entries, replacing stored months; ``(created, replaced)``. Call inside ``tenant_atomic``.

    Queries: the advisory lock, the stored (account, month) pairs among the entries' accounts and
    months (one), then one upsert per batch of 5,000.
    """
    _lock(tenant)
    accounts = {e.account_id for e in entries}
    months = {e.month for e in entries}
    stored = set(
        CustomerRevenue.objects.filter(tenant=tenant, account_id__in=accounts, month__in=months).values_list(
            "account_id", "month"
        )
    )
    user = actor if isinstance(actor, User) else None  # an API key is named by the audit row
    now = timezone.now()
    rows = [
        CustomerRevenue(
            tenant=tenant,
            account_id=e.account_id,
            month=e.month,
            mrr=e.mrr,
            managing_partner_id=e.partner_id,
            source=source,
            external_id=e.external_id,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )
        for e in entries
    ]
    CustomerRevenue.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["tenant", "account", "month"],
        update_fields=["mrr", "managing_partner", "source", "external_id", "updated_by", "updated_at"],
    )
    replaced = sum(1 for e in entries if (e.account_id, e.month) in stored)
    return len(entries) - replaced, replaced


# --- the CSV import --------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    account: str
    partner: str
    month: datetime.date | None = None
    mrr: Decimal | None = None
    external_id: str = ""


def _columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    position, names, ignored = column_positions(headers, COLUMNS)
    missing = [c for c in ("account", "month") if c not in position]
    if "mrr" not in position and "arr" not in position:
        missing.append("mrr")
    if missing:
        raise ImportFileInvalid(
            _("The file has no %(columns)s column. The columns are: account, month, mrr (or arr), partner, external_id.")
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    if "mrr" in position and "arr" in position:
        raise ImportFileInvalid(_("Give either an mrr or an arr column, not both."), code="mrr_and_arr")
    return position, names, ignored


def _read_rows(
    records: list[list[str]], position: dict[str, int], names: dict[str, str], currency: str, errors: list[RowError]
) -> list[_Row]:
    """Each record's cells parsed on their own (no database); bad cells become errors."""
    amount_column = "mrr" if "mrr" in position else "arr"
    rows: list[_Row] = []

    def cell(record: list[str], column: str) -> str:
        index = position.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    for offset, record in enumerate(records):
        number = offset + 2
        row = _Row(row=number, account=cell(record, "account"), partner=cell(record, "partner"))
        if not row.account:
            errors.append(RowError(number, names["account"], "required", _("This column is required.")))
        try:
            row.month = parse_month(cell(record, "month"))
        except ValueInvalid as invalid:
            errors.append(RowError(number, names["month"], invalid.code, invalid.message))
        try:
            amount = parse_money(cell(record, amount_column), currency=currency, label=amount_column.upper())
            row.mrr = amount if amount_column == "mrr" else (amount / 12).quantize(CENT, rounding=ROUND_HALF_UP)
        except ValueInvalid as invalid:
            errors.append(RowError(number, names[amount_column], invalid.code, invalid.message))
        try:
            row.external_id = _clean_external_id(cell(record, "external_id"))
        except ValueInvalid as invalid:
            errors.append(RowError(number, names["external_id"], invalid.code, invalid.message))
        rows.append(row)  # bad rows too: their account and partner problems are reported as well
    return rows


def _resolve(
    rows: list[_Row], names: dict[str, str], bad_rows: set[int], tenant: Tenant, errors: list[RowError]
) -> list[RevenueEntry]:
    """Accounts and partners, each read once for the whole file; a second row for the same account-month is an error."""
    partners = partner_references(tenant, [r.partner for r in rows])
    index = account_index(accounts_for_rows(tenant, rows))
    entries: list[RevenueEntry] = []
    seen: dict[tuple[int, datetime.date], int] = {}
    for row in rows:
        row_errors: list[RowError] = []
        account_id: int | None = None
        if row.account:
            account_id, problem = match_account(row.account, index)
            if problem == "ambiguous_account":
                message = _("Several accounts have this name; give the account's CRM id or website.")
                row_errors.append(RowError(row.row, names["account"], problem, message))
            elif problem:
                message = _("No customer account has this CRM id, website or name. Import the accounts first.")
                row_errors.append(RowError(row.row, names["account"], problem, message))
        partner_id: int | None = None
        if row.partner:
            partner_id, problem = partners.find(row.partner)
            if problem == "partner_not_found":
                message = _(
                    "Unknown partner: no partner of this program has this id or name (leave it empty for a direct customer)."
                )
                row_errors.append(RowError(row.row, names["partner"], problem, message))
            elif problem:
                row_errors.append(RowError(row.row, names["partner"], problem, str(PARTNER_PROBLEMS[problem])))
        if account_id is not None and row.month is not None:
            earlier = seen.setdefault((account_id, row.month), row.row)
            if earlier != row.row:
                message = _("Row %(n)s has the same account and month.") % {"n": earlier}
                row_errors.append(RowError(row.row, names["month"], "duplicate_in_file", message))
        errors.extend(row_errors)
        if row_errors or row.row in bad_rows:
            continue
        assert account_id is not None
        assert row.month is not None
        assert row.mrr is not None
        entries.append(RevenueEntry(account_id, row.month, row.mrr, partner_id, row.external_id))
    return entries


def customer_revenue_import(*, tenant: Tenant, actor: Any, data: bytes) -> RevenueImportResult:
    """Import a CSV of customer revenue (see the module docstring), all or nothing.

    Raises :class:`deals.imports.ImportFileInvalid` when the file as a whole cannot be read (not
    UTF-8, no header, a required column missing, too big). Otherwise returns the result: with
    ``errors`` (every bad row; nothing written) or with the counts created and replaced.
    """
    csv_file = read_csv(data)
    position, names, ignored = _columns(csv_file.headers)
    result = RevenueImportResult(rows=len(csv_file.records), ignored_columns=ignored)
    errors: list[RowError] = []
    with tenant_atomic():
        currency = program_currency(tenant=tenant)
        rows = _read_rows(csv_file.records, position, names, currency, errors)
        entries = _resolve(rows, names, {e.row for e in errors}, tenant, errors)
        if errors:
            order = {theirs: COLUMNS.index(ours) for ours, theirs in names.items()}
            result.errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, len(COLUMNS))))
            return result
        result.created, result.replaced = _write(tenant=tenant, actor=actor, entries=entries, source=RevenueSource.IMPORT)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="economics.revenue_import",
            changes={"rows": result.rows, "created": result.created, "replaced": result.replaced, "sha256": csv_file.sha256},
        )
    return result


# --- the API ---------------------------------------------------------------------------------------


def customer_revenue_record(
    *, tenant: Tenant, actor: Any, items: list[dict[str, Any]], many: bool = False
) -> tuple[list[CustomerRevenue], int, int]:
    """Store posted account-months, all or nothing; ``(rows as stored, created, replaced)``.

    Each item: ``account`` (a :class:`CustomerAccount` of the tenant), ``month`` (a date or
    ``2026-03``), ``mrr`` (≥ 0, program currency), ``managing_partner`` (a partner or None: direct),
    ``external_id`` (optional). Errors name their field, prefixed with the item's index when
    ``many`` (``2.mrr``). Two items for the same account and month are refused.
    """
    if not items:
        raise ApplicationError(_("Send at least one row."), code="empty", field=None)
    if len(items) > MAX_API_ROWS:
        raise ApplicationError(_("Send at most 1,000 rows at a time."), code="too_many_rows", field=None)
    with tenant_atomic():
        currency = program_currency(tenant=tenant)
        entries: list[RevenueEntry] = []
        seen: set[tuple[int, datetime.date]] = set()
        for index, item in enumerate(items):  # validation of posted values; the write is set-based

            def name(column: str, index: int = index) -> str:
                return f"{index}.{column}" if many else column

            account, partner = item["account"], item.get("managing_partner")
            for column, obj in (("account", account), ("managing_partner", partner)):
                if obj is not None and obj.tenant_id != tenant.pk:
                    raise ApplicationError(_("Not found."), code="not_found", field=name(column))
            try:
                month = parse_month(item.get("month"))
            except ValueInvalid as invalid:
                raise ApplicationError(invalid.message, code=invalid.code, field=name("month")) from None
            try:
                mrr = parse_money(item.get("mrr"), currency=currency)
            except ValueInvalid as invalid:
                raise ApplicationError(invalid.message, code=invalid.code, field=name("mrr")) from None
            try:
                external_id = _clean_external_id(item.get("external_id"))
            except ValueInvalid as invalid:
                raise ApplicationError(invalid.message, code=invalid.code, field=name("external_id")) from None
            if (account.pk, month) in seen:
                raise ApplicationError(
                    _("Another row has the same account and month."), code="duplicate_in_request", field=name("month")
                )
            seen.add((account.pk, month))
            entries.append(RevenueEntry(account.pk, month, mrr, partner.pk if partner else None, external_id))
        created, replaced = _write(tenant=tenant, actor=actor, entries=entries, source=RevenueSource.API)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="economics.revenue_record",
            changes={"rows": len(entries), "created": created, "replaced": replaced},
        )
        stored = list(
            CustomerRevenue.objects.filter(
                tenant=tenant, account_id__in={e.account_id for e in entries}, month__in={e.month for e in entries}
            )
            .select_related("account", "managing_partner")
            .order_by("-month", "account__name", "id")
        )
    wanted = {(e.account_id, e.month) for e in entries}
    return [r for r in stored if (r.account_id, r.month) in wanted], created, replaced


# --- program costs ---------------------------------------------------------------------------------


def clean_cost(*, year: Any, quarter: Any, category: Any, amount: Any, currency: str) -> tuple[int, int, str, Decimal]:
    """The checked period, category and amount, or an ApplicationError naming the field."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError(_("Give the year, such as 2026."), code="invalid_year", field="year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ApplicationError(_("Give a year from 2000 to 2100."), code="invalid_year", field="year")
    try:
        quarter = int(quarter)
    except (TypeError, ValueError):
        raise ApplicationError(_("The quarter is 1, 2, 3 or 4."), code="invalid_quarter", field="quarter") from None
    if not 1 <= quarter <= 4:
        raise ApplicationError(_("The quarter is 1, 2, 3 or 4."), code="invalid_quarter", field="quarter")
    if category not in CostCategory.values:
        raise ApplicationError(
            _("Choose one of: %(categories)s.") % {"categories": ", ".join(CostCategory.values)},
            code="invalid_category",
            field="category",
        )
    try:
        money = parse_money(amount, currency=currency, label=_("amount"))
    except ValueInvalid as invalid:
        raise ApplicationError(invalid.message, code=invalid.code, field="amount") from None
    return year, quarter, category, money


def program_cost_save(
    *, tenant: Tenant, actor: Any, year: Any, quarter: Any, category: Any, amount: Any, note: str = ""
) -> tuple[ProgramCost, bool]:
    """Set what a quarter cost in a category (``amount`` ≥ 0, ``quarter`` 1–4); ``(cost, created)``.

    The same quarter and category saved again is updated (the row is locked; of two first saves one
    inserts and the other updates the row it wrote, as the unique constraint decides).
    """
    note = " ".join(str(note or "").split())
    if len(note) > 500:
        raise ApplicationError(_("The note can be at most 500 characters."), code="too_long", field="note")
    with tenant_atomic():
        year, quarter, category, money = clean_cost(
            year=year, quarter=quarter, category=category, amount=amount, currency=program_currency(tenant=tenant)
        )
        user = actor if isinstance(actor, User) else None  # an API key is named by the audit row
        period = {"tenant": tenant, "year": year, "quarter": quarter, "category": category}
        cost = ProgramCost.objects.select_for_update().filter(**period).first()
        created = cost is None
        if created:
            try:
                with transaction.atomic():
                    cost = ProgramCost.objects.create(**period, amount=money, note=note, updated_by=user)
            except IntegrityError:  # a concurrent first save won: update the row it wrote
                cost = ProgramCost.objects.select_for_update().get(**period)
                created = False
        assert cost is not None
        before = str(cost.amount)
        if not created:
            cost.amount, cost.note, cost.updated_by = money, note, user
            cost.save(update_fields=["amount", "note", "updated_by", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="economics.program_cost_save",
            target=cost,
            changes={
                "period": f"{year}-Q{quarter}",
                "category": category,
                "amount": str(money),
                **({} if created else {"was": before}),
            },
        )
    return cost, created


__all__ = [
    "COLUMNS",
    "MAX_API_ROWS",
    "RevenueEntry",
    "RevenueImportResult",
    "clean_cost",
    "customer_revenue_import",
    "customer_revenue_record",
    "parse_money",
    "parse_month",
    "program_cost_save",
]
