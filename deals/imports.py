"""CSV import of customer accounts and direct opportunities exported from a CRM.

The steps, each a function the portal, the API and the job share:

1. :func:`read_csv` — UTF-8 with or without a byte-order mark, comma or semicolon; the header is
   row 1, so the first record is row 2 (rows are counted as a spreadsheet shows them).
2. :func:`recognise` — the standard export headers of Salesforce (Account, Opportunity) and HubSpot
   (companies, deals) are written down below as data (:data:`KNOWN_EXPORTS`). Any other file is
   mapped by the user; the mapping is saved (:class:`~deals.models.ImportMapping`, keyed by the
   sorted normalised headers) and proposed the next time the same headers come in.
3. :func:`import_validate` — every row is checked (dates, amounts, currencies, domains, the account
   an opportunity belongs to) and *every* error is reported as (row, column, code, message), the
   column named as in the file.
4. :func:`import_write` — only when no row is bad: one transaction, COPY into a temporary table,
   then set-based ``UPDATE … FROM`` and ``INSERT … SELECT`` (never a ``save()`` per row). Accounts
   are matched by CRM id, then by registrable domain; opportunities by CRM id. The same file (its
   SHA-256) again is a *replay*: nothing is written, the earlier :class:`~deals.models.ImportBatch`
   is returned.

Formats read (see docs/partner-manager.md "Importing from your CRM"):

* dates: ``2024-03-05``, ``2024/03/05``, US ``3/5/2024`` (month first, as Salesforce US exports
  them), ``5.3.2024`` (day first), HubSpot ``2024-03-05 14:22`` (the time is dropped);
* amounts: ``1,234.56``, ``1.234,56``, ``1 234,56``, ``$1,234``, ``1234 EUR``, ``EUR 1234``: when
  both separators appear the last one is the decimal mark; a lone comma followed by exactly three
  digits is a thousands separator, otherwise a decimal comma; a lone dot is a decimal point unless
  it repeats (``1.234.567``);
* currencies: ISO 4217 codes (``EUR``) or the symbols $ € £ ¥ in the amount; a currency column
  wins, and disagreeing with the amount's own code is an error. No currency at all: the program's.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.domains import normalize_domain

from .accounts import name_key, root_domain
from .models import CustomerAccount, DirectOpportunity, ImportBatch, ImportKind, ImportMapping

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_AMOUNT = Decimal("999999999999.99")
COPY_PROGRESS_EVERY = 5_000  # rows validated between two progress commits
IMPORT_LOCK_KEY = 0x4445414C  # "DEAL": the advisory lock imports of one tenant take turns on
STAGING_SECONDS = 2 * 60 * 60  # an uploaded file waits this long for its import, then is gone

# --- our fields ------------------------------------------------------------------------------------

ACCOUNT_FIELDS: dict[str, Any] = {
    "external_id": gettext_lazy("CRM id"),
    "name": gettext_lazy("Account name"),
    "domain": gettext_lazy("Website / domain"),
    "industry": gettext_lazy("Industry"),
    "owner_name": gettext_lazy("Owner"),
}
OPPORTUNITY_FIELDS: dict[str, Any] = {
    "external_id": gettext_lazy("CRM id"),
    "name": gettext_lazy("Opportunity name"),
    "account_external_id": gettext_lazy("Account CRM id"),
    "account_name": gettext_lazy("Account name"),
    "account_domain": gettext_lazy("Account website / domain"),
    "stage": gettext_lazy("Stage"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "close_date": gettext_lazy("Close date"),
    "owner_name": gettext_lazy("Owner"),
    "product_lines": gettext_lazy("Product lines (keys, separated by ; or |)"),
}
FIELDS = {ImportKind.ACCOUNTS: ACCOUNT_FIELDS, ImportKind.OPPORTUNITIES: OPPORTUNITY_FIELDS}
REQUIRED = {ImportKind.ACCOUNTS: ("name",), ImportKind.OPPORTUNITIES: ("name",)}


# --- the standard exports, as data -----------------------------------------------------------------


@dataclass(frozen=True)
class KnownExport:
    key: str
    label: str
    kind: str
    signature: tuple[str, ...]  # all of these headers present (normalised) -> this export
    columns: dict[str, str]  # file header -> our field; headers not listed are ignored


KNOWN_EXPORTS: tuple[KnownExport, ...] = (
    # Most specific first: an Opportunity export also carries "Account Name" and "Account ID".
    KnownExport(
        key="salesforce_opportunity",
        label="Salesforce · Opportunity",
        kind=ImportKind.OPPORTUNITIES,
        signature=("opportunity name", "stage"),
        columns={
            "Opportunity ID": "external_id",
            "Opportunity Name": "name",
            "Account ID": "account_external_id",
            "Account Name": "account_name",
            "Website": "account_domain",
            "Stage": "stage",
            "Amount": "amount",
            "Opportunity Currency": "currency",
            "Close Date": "close_date",
            "Opportunity Owner": "owner_name",
            "Product Line": "product_lines",
        },
    ),
    KnownExport(
        key="hubspot_deals",
        label="HubSpot · Deals",
        kind=ImportKind.OPPORTUNITIES,
        signature=("deal name", "deal stage"),
        columns={
            "Record ID": "external_id",
            "Deal Name": "name",
            "Associated Company IDs": "account_external_id",
            "Associated Company": "account_name",
            "Deal Stage": "stage",
            "Amount": "amount",
            "Currency": "currency",
            "Close Date": "close_date",
            "Deal owner": "owner_name",
            "Product line": "product_lines",
        },
    ),
    KnownExport(
        key="salesforce_account",
        label="Salesforce · Account",
        kind=ImportKind.ACCOUNTS,
        signature=("account name", "account id"),
        columns={
            "Account ID": "external_id",
            "Account Name": "name",
            "Website": "domain",
            "Industry": "industry",
            "Account Owner": "owner_name",
            # "Billing Country", "Type", "Phone" … are recognised as part of the export and not kept.
        },
    ),
    KnownExport(
        key="hubspot_companies",
        label="HubSpot · Companies",
        kind=ImportKind.ACCOUNTS,
        signature=("company name", "record id"),
        columns={
            "Record ID": "external_id",
            "Company name": "name",
            "Company Domain Name": "domain",
            "Website URL": "domain",  # used when "Company Domain Name" is absent
            "Industry": "industry",
            "Company owner": "owner_name",
        },
    ),
)

CLOSED_STAGE_WORDS = ("closed", "closedwon", "closedlost", "won", "lost")


def normalise_header(header: str) -> str:
    return " ".join((header or "").replace("\ufeff", "").split()).casefold()


def headers_key(headers: Iterable[str]) -> str:
    """The key a saved mapping is found by: SHA-256 of the sorted, normalised headers."""
    return hashlib.sha256("\n".join(sorted(normalise_header(h) for h in headers)).encode()).hexdigest()


@functools.lru_cache(maxsize=1024)
def stage_is_open(stage: str) -> bool:
    """Closed stages ("Closed Won", "Closed Lost", HubSpot's "closedwon"/"closedlost") are not open."""
    compact = re.sub(r"[^a-z]", "", (stage or "").casefold())
    return not (compact.startswith("closed") or compact in CLOSED_STAGE_WORDS)


# --- reading ---------------------------------------------------------------------------------------


class ImportFileInvalid(ApplicationError):
    """The file as a whole cannot be read (not CSV, no header, too big)."""


@dataclass
class CsvFile:
    headers: list[str]
    records: list[list[str]]  # record i is row i + 2 (the header is row 1)
    sha256: str
    delimiter: str


def read_csv(data: bytes) -> CsvFile:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileInvalid(_("The file is larger than 50 MB. Split it and import the parts."), code="file_too_large")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileInvalid(
            _("The file is not UTF-8 text. Export it from your CRM as CSV (UTF-8)."), code="not_utf8"
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileInvalid(_("The file is empty."), code="empty") from None
    except csv.Error:
        raise ImportFileInvalid(_("The file is not a CSV file."), code="not_csv") from None
    if not any(headers):
        raise ImportFileInvalid(_("The first row must name the columns."), code="no_header")
    seen: set[str] = set()
    for header in headers:
        if header and normalise_header(header) in seen:
            raise ImportFileInvalid(
                _("The column “%(column)s” appears twice. Rename one and upload again.") % {"column": header},
                code="duplicate_column",
            )
        seen.add(normalise_header(header))
    try:
        records = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ImportFileInvalid(_("The file is not valid CSV: %(error)s") % {"error": error}, code="not_csv") from None
    if len(records) > MAX_ROWS:
        raise ImportFileInvalid(
            _("The file has more than %(max)s rows. Split it and import the parts.") % {"max": f"{MAX_ROWS:,}"},
            code="too_many_rows",
        )
    return CsvFile(headers=headers, records=records, sha256=digest, delimiter=delimiter)


# --- recognising the headers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    kind: str
    mapping: dict[str, str]  # file header (as in the file) -> our field
    source: str  # "salesforce_account" … or "saved" (a mapping saved earlier)
    label: str


def _mapping_from(known: KnownExport, headers: list[str]) -> dict[str, str]:
    by_normal = {normalise_header(h): h for h in headers}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column, target in known.columns.items():
        header = by_normal.get(normalise_header(column))
        if header is not None and target not in taken:
            mapping[header] = target
            taken.add(target)
    return mapping


def recognise(*, tenant: Tenant, headers: list[str]) -> Recognised | None:
    """A standard export, else a mapping saved for the same headers, else None (the user maps)."""
    normal = {normalise_header(h) for h in headers}
    for known in KNOWN_EXPORTS:
        if all(column in normal for column in known.signature):
            return Recognised(kind=known.kind, mapping=_mapping_from(known, headers), source=known.key, label=known.label)
    saved = ImportMapping.objects.filter(tenant=tenant, headers_key=headers_key(headers)).order_by("-updated_at").first()
    if saved is not None:
        mapping = {h: saved.mapping[normalise_header(h)] for h in headers if normalise_header(h) in saved.mapping}
        return Recognised(kind=saved.kind, mapping=mapping, source="saved", label=saved.name)
    return None


def clean_mapping(*, kind: str, headers: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """The user's choices checked: known fields, each used once, required ones present. Errors name the header."""
    if kind not in FIELDS:
        raise ApplicationError(_("Choose what the file holds."), code="invalid_choice", field="kind")
    fields = FIELDS[kind]
    mapping: dict[str, str] = {}
    used: dict[str, str] = {}
    for header in headers:
        target = (chosen.get(header) or "").strip()
        if not target:
            continue
        if target not in fields:
            raise ApplicationError(_("Choose a field from the list."), code="invalid_choice", field=header)
        if target in used:
            raise ApplicationError(
                _("“%(field)s” is already taken by the column “%(other)s”.") % {"field": fields[target], "other": used[target]},
                code="duplicate_field",
                field=header,
            )
        used[target] = header
        mapping[header] = target
    for required in REQUIRED[kind]:
        if required not in used:
            raise ApplicationError(_("Map one column to “%(field)s”.") % {"field": fields[required]}, code="required", field=None)
    if kind == ImportKind.OPPORTUNITIES and not {"account_external_id", "account_name", "account_domain"} & set(used):
        raise ApplicationError(
            _("Map a column that names the account: its CRM id, name or website."), code="required", field=None
        )
    return mapping


def import_mapping_save(
    *, tenant: Tenant, actor: Any, kind: str, headers: list[str], mapping: dict[str, str], name: str = ""
) -> ImportMapping:
    """Remember the mapping for these headers (one per set of headers and kind); proposed next time."""
    stored = {normalise_header(header): target for header, target in mapping.items()}
    with transaction.atomic():
        saved, created = ImportMapping.objects.update_or_create(
            tenant=tenant,
            kind=kind,
            headers_key=headers_key(headers),
            defaults={"mapping": stored, "name": (name or _("Saved mapping"))[:120], "created_by": person_of(actor)},
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.import_mapping_save",
            target=saved,
            changes={"kind": kind, "mapping": stored, "created": created},
        )
    return saved


# --- values ----------------------------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "CHF": "CHF"}
_CODE = re.compile(r"^[A-Z]{3}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%m/%d/%y", "%d.%m.%y")


class ValueInvalid(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_date(raw: str) -> datetime.date | None:
    value = (raw or "").strip()
    if not value:
        return None
    # HubSpot: "2024-03-05 14:22" (and ISO "2024-03-05T14:22:00Z"): the date part.
    match = re.match(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}", value)
    if match:
        value = match.group(1)
    day = _date_in_any_format(value)
    if day is not None:
        return day
    raise ValueInvalid(
        "invalid_date", _("“%(value)s” is not a date. Use 2024-03-05, 3/5/2024 or 5.3.2024.") % {"value": raw[:40]}
    )


@functools.lru_cache(maxsize=8192)
def _date_in_any_format(value: str) -> datetime.date | None:
    """The first format that reads ``value``. Cached: an export repeats its dates, and each format
    that fails costs a raised exception."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=65536)
def _normalised_domain(raw: str, field: str) -> str:
    """:func:`partners.domains.normalize_domain`, cached: opportunities repeat their accounts' domains."""
    return normalize_domain(raw, field=field)


def parse_amount(raw: str) -> tuple[Decimal | None, str]:
    """``(amount, currency code or "")`` from ``"$1,234"``, ``"1.234,56"``, ``"1234 EUR"`` …"""
    value = (raw or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not value:
        return None, ""
    currency = ""
    match = re.match(r"^([A-Z]{3})\s*(.*)$", value) or re.match(r"^(.*?)\s*([A-Z]{3})$", value)
    if match:
        a, b = match.groups()
        code, value = (a, b) if len(a) == 3 and a.isalpha() and a.isupper() else (b, a)
        currency = code
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if value.startswith(symbol) or value.endswith(symbol):
            currency_from_symbol = _SYMBOLS[symbol]
            if currency and currency != currency_from_symbol:
                raise ValueInvalid("currency_mismatch", _("The amount names two currencies."))
            currency = currency_from_symbol
            value = value.removeprefix(symbol).removesuffix(symbol).strip()
            break
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    digits = value.strip("()-+ ").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"[0-9.,]+", digits or "x"):
        raise ValueInvalid("invalid_amount", _("“%(value)s” is not an amount.") % {"value": raw[:40]})
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        parts = digits.split(",")
        decimal_mark = "," if len(parts) == 2 and len(parts[1]) != 3 else ""
    elif "." in digits:
        decimal_mark = "." if digits.count(".") == 1 else ""
    else:
        decimal_mark = ""
    thousands = {",", "."} - {decimal_mark}
    for mark in thousands:
        digits = digits.replace(mark, "")
    if decimal_mark:
        digits = digits.replace(decimal_mark, ".")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueInvalid("invalid_amount", _("“%(value)s” is not an amount.") % {"value": raw[:40]}) from None
    if negative:
        raise ValueInvalid("negative_amount", _("The amount cannot be negative."))
    if amount > MAX_AMOUNT:
        raise ValueInvalid("amount_too_large", _("The amount is too large."))
    return amount.quantize(Decimal("0.01")), currency


def parse_currency(raw: str) -> str:
    value = (raw or "").strip().upper()
    if not value:
        return ""
    value = _SYMBOLS.get(value, value)
    if not _CODE.match(value):
        raise ValueInvalid("invalid_currency", _("“%(value)s” is not a currency code such as EUR or USD.") % {"value": raw[:20]})
    return value


# --- validation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as the user counts it: the header is row 1
    column: str  # the file's own column name ("" for the row as a whole)
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Validation:
    kind: str
    rows: int
    errors: list[RowError]
    accounts: list[dict[str, Any]] = field(default_factory=list)  # cleaned, with "target_id" (None: new)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    checked: list[Any] = field(default_factory=list, repr=False)  # rows that passed the per-row checks
    mapping: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def accounts_new(self) -> int:
        return sum(1 for a in self.accounts if a["target_id"] is None)

    @property
    def opportunities_new(self) -> int:
        return sum(1 for o in self.opportunities if o["target_id"] is None)

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "accounts": len(self.accounts),
            "accounts_new": self.accounts_new,
            "opportunities": len(self.opportunities),
            "opportunities_new": self.opportunities_new,
        }


def _cells(headers: list[str], mapping: dict[str, str], record: list[str]) -> dict[str, tuple[str, str]]:
    """field -> (header, raw value); the first non-empty column wins when two map to one field."""
    out: dict[str, tuple[str, str]] = {}
    for index, header in enumerate(headers):
        target = mapping.get(header)
        if not target:
            continue
        value = record[index].strip() if index < len(record) else ""
        if target not in out or (not out[target][1] and value):
            out[target] = (header, value)
    return out


def _header_for(mapping: dict[str, str], target: str) -> str:
    return next((h for h, t in mapping.items() if t == target), target)


def import_validate(
    *,
    tenant: Tenant,
    csv_file: CsvFile,
    kind: str,
    mapping: dict[str, str],
    default_currency: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> Validation:
    """Check every row; collect every error. Reads the accounts it needs in a few indexed queries."""
    headers, records = csv_file.headers, csv_file.records
    errors: list[RowError] = []
    product_line_keys: set[str] = set()
    if "product_lines" in mapping.values():
        with tenant_atomic():
            product_line_keys = set(_product_line_keys(tenant))
    cleaned: list[tuple[int, dict[str, Any], dict[str, str]]] = []  # (row, values, field -> header)
    total = len(records)
    for index, record in enumerate(records):
        row = index + 2
        cells = _cells(headers, mapping, record)
        values: dict[str, Any] = {}
        columns = {target: header for target, (header, _value) in cells.items()}
        row_errors: list[RowError] = []

        def bad(target: str, code: str, message: str, row: int = row, columns: dict = columns, out: list = row_errors) -> None:
            out.append(RowError(row, columns.get(target, _header_for(mapping, target)), code, message))

        def text(target: str, limit: int, cells: dict = cells) -> str:
            value = " ".join(cells.get(target, ("", ""))[1].split())
            if len(value) > limit:
                bad(target, "max_length", _("Use at most %(n)s characters.") % {"n": limit})
            return value[:limit]

        values["external_id"] = text("external_id", 80)
        values["name"] = text("name", 200)
        if not values["name"]:
            bad("name", "required", _("This row has no name."))
        values["owner_name"] = text("owner_name", 150)
        if kind == ImportKind.ACCOUNTS:
            values["industry"] = text("industry", 80)
            try:
                values["domain"] = _normalised_domain(cells.get("domain", ("", ""))[1], "domain")
            except ApplicationError as error:
                bad("domain", error.code, str(error.message))
                values["domain"] = ""
        else:
            values["account_external_id"] = text("account_external_id", 80)
            values["account_name"] = text("account_name", 200)
            try:
                values["account_domain"] = _normalised_domain(cells.get("account_domain", ("", ""))[1], "account_domain")
            except ApplicationError as error:
                bad("account_domain", error.code, str(error.message))
                values["account_domain"] = ""
            if not (values["account_external_id"] or values["account_name"] or values["account_domain"]):
                target = next(
                    (t for t in ("account_external_id", "account_name", "account_domain") if t in mapping.values()),
                    "account_name",
                )
                bad(target, "required", _("Name the account this opportunity belongs to."))
            values["stage"] = text("stage", 80)
            values["is_open"] = stage_is_open(values["stage"])
            amount_currency = ""
            try:
                values["amount"], amount_currency = parse_amount(cells.get("amount", ("", ""))[1])
            except ValueInvalid as error:
                bad("amount", error.code, error.message)
                values["amount"] = None
            try:
                currency = parse_currency(cells.get("currency", ("", ""))[1])
            except ValueInvalid as error:
                bad("currency", error.code, error.message)
                currency = ""
            if currency and amount_currency and currency != amount_currency:
                bad(
                    "currency",
                    "currency_mismatch",
                    _("The amount is in %(a)s but the currency says %(c)s.") % {"a": amount_currency, "c": currency},
                )
            values["currency"] = currency or amount_currency or (default_currency if values.get("amount") is not None else "")
            try:
                values["close_date"] = parse_date(cells.get("close_date", ("", ""))[1])
            except ValueInvalid as error:
                bad("close_date", error.code, error.message)
                values["close_date"] = None
            lines = [p.strip().lower() for p in re.split(r"[;|]", cells.get("product_lines", ("", ""))[1]) if p.strip()]
            unknown = [p for p in lines if p not in product_line_keys]
            if unknown:
                bad(
                    "product_lines",
                    "unknown_product_line",
                    _("Unknown product line: %(keys)s.") % {"keys": ", ".join(unknown)[:100]},
                )
            values["product_lines"] = lines
        if row_errors:
            errors.extend(row_errors)
        else:
            cleaned.append((row, values, columns))
        if progress is not None and (index + 1) % COPY_PROGRESS_EVERY == 0:
            progress("check", index + 1, total)
    validation = Validation(kind=kind, rows=total, errors=errors, checked=cleaned, mapping=mapping)
    # The per-row checks above read nothing; matching rows to what exists does, in one transaction.
    with tenant_atomic():
        if kind == ImportKind.ACCOUNTS:
            _resolve_accounts(tenant=tenant, cleaned=cleaned, mapping=mapping, validation=validation)
        else:
            _resolve_opportunities(tenant=tenant, cleaned=cleaned, mapping=mapping, validation=validation)
    validation.errors.sort(key=lambda e: (e.row, e.column))
    return validation


def _rematch(*, tenant: Tenant, validation: Validation) -> Validation:
    """Match the checked rows to what exists again (inside the write transaction)."""
    again = Validation(
        kind=validation.kind, rows=validation.rows, errors=[], checked=validation.checked, mapping=validation.mapping
    )
    if validation.kind == ImportKind.ACCOUNTS:
        _resolve_accounts(tenant=tenant, cleaned=validation.checked, mapping=validation.mapping, validation=again)
    else:
        _resolve_opportunities(tenant=tenant, cleaned=validation.checked, mapping=validation.mapping, validation=again)
    again.errors.sort(key=lambda e: (e.row, e.column))
    return again


def _product_line_keys(tenant: Tenant) -> list[str]:
    from .models import ProductLine

    return list(ProductLine.objects.filter(tenant=tenant).values_list("slug", flat=True))


def _accounts_by(tenant: Tenant, column: str, keys: set[str]) -> dict[str, tuple[int, str]]:
    """key -> (account id, its CRM id), one indexed query (``= ANY`` over the keys)."""
    if not keys:
        return {}
    rows = CustomerAccount.objects.filter(tenant=tenant, **{f"{column}__in": list(keys)}).values_list(column, "pk", "external_id")
    found: dict[str, tuple[int, str]] = {}
    for key, pk, external_id in rows:
        found.setdefault(key, (pk, external_id))
    return found


def _resolve_accounts(*, tenant: Tenant, cleaned: list, mapping: dict[str, str], validation: Validation) -> None:
    """Match each account row: by CRM id, else by registrable domain; rows repeating a customer are errors."""
    for _row, values, _columns in cleaned:
        values["root_domain"] = root_domain(values["domain"])
        values["name_key"] = name_key(values["name"])
    by_external = _accounts_by(tenant, "external_id", {v["external_id"] for _r, v, _c in cleaned if v["external_id"]})
    by_domain = _accounts_by(tenant, "root_domain", {v["root_domain"] for _r, v, _c in cleaned if v["root_domain"]})
    seen_external: dict[str, int] = {}
    seen_domain: dict[str, int] = {}
    claimed: dict[int, int] = {}  # account id -> row that updates it
    for row, values, columns in cleaned:
        errors: list[RowError] = []
        external, root = values["external_id"], values["root_domain"]
        if external and external in seen_external:
            errors.append(
                RowError(
                    row,
                    columns.get("external_id", ""),
                    "duplicate_in_file",
                    _("Row %(n)s has the same CRM id.") % {"n": seen_external[external]},
                )
            )
        if root and root in seen_domain:
            errors.append(
                RowError(
                    row,
                    columns.get("domain", ""),
                    "duplicate_in_file",
                    _("Row %(n)s has the same domain.") % {"n": seen_domain[root]},
                )
            )
        target: int | None = None
        if external and external in by_external:
            target = by_external[external][0]
            other = by_domain.get(root)
            if root and other and other[0] != target:
                errors.append(
                    RowError(row, columns.get("domain", ""), "domain_taken", _("Another account already has this domain."))
                )
        elif root and root in by_domain:
            target, other_external = by_domain[root]
            if external and other_external and other_external != external:
                errors.append(
                    RowError(
                        row,
                        columns.get("domain", ""),
                        "domain_taken",
                        _("The account with this domain has another CRM id (%(id)s).") % {"id": other_external},
                    )
                )
        if target is not None and target in claimed:
            errors.append(
                RowError(row, "", "duplicate_in_file", _("Row %(n)s updates the same account.") % {"n": claimed[target]})
            )
        if errors:
            validation.errors.extend(errors)
            continue
        if external:
            seen_external[external] = row
        if root:
            seen_domain[root] = row
        if target is not None:
            claimed[target] = row
        validation.accounts.append({**values, "row": row, "target_id": target})


def _resolve_opportunities(*, tenant: Tenant, cleaned: list, mapping: dict[str, str], validation: Validation) -> None:
    """Link each opportunity to its account (CRM id, else domain, else exact comparable name); match it by its CRM id.

    An opportunity whose account is unknown but that carries the account's website creates the
    account (name and domain from the row).
    """
    for _row, values, _columns in cleaned:
        values["account_root"] = root_domain(values["account_domain"])
        values["account_key"] = name_key(values["account_name"])
    by_external = _accounts_by(
        tenant, "external_id", {v["account_external_id"] for _r, v, _c in cleaned if v["account_external_id"]}
    )
    by_domain = _accounts_by(tenant, "root_domain", {v["account_root"] for _r, v, _c in cleaned if v["account_root"]})
    name_keys = {v["account_key"] for _r, v, _c in cleaned if v["account_key"]}
    by_name: dict[str, list[int]] = {}
    if name_keys:
        for key, pk in CustomerAccount.objects.filter(tenant=tenant, name_key__in=list(name_keys)).values_list("name_key", "pk"):
            by_name.setdefault(key, []).append(pk)
    opp_externals = {v["external_id"] for _r, v, _c in cleaned if v["external_id"]}
    existing: dict[str, int] = {}
    if opp_externals:
        existing = dict(
            DirectOpportunity.objects.filter(tenant=tenant, external_id__in=list(opp_externals)).values_list("external_id", "pk")
        )
    new_accounts: dict[str, dict[str, Any]] = {}
    seen_external: dict[str, int] = {}
    for row, values, columns in cleaned:
        account_column = columns.get("account_external_id") or columns.get("account_name") or columns.get("account_domain", "")
        external = values["external_id"]
        if external and external in seen_external:
            validation.errors.append(
                RowError(
                    row,
                    columns.get("external_id", ""),
                    "duplicate_in_file",
                    _("Row %(n)s has the same CRM id.") % {"n": seen_external[external]},
                )
            )
            continue
        account_id: int | None = None
        account_ref = ""
        if values["account_external_id"] and values["account_external_id"] in by_external:
            account_id = by_external[values["account_external_id"]][0]
        elif values["account_root"] and values["account_root"] in by_domain:
            account_id = by_domain[values["account_root"]][0]
        elif values["account_key"] and values["account_key"] in by_name:
            candidates = by_name[values["account_key"]]
            if len(candidates) > 1:
                validation.errors.append(
                    RowError(
                        row,
                        columns.get("account_name", account_column),
                        "ambiguous_account",
                        _("Several accounts have this name; add the account's CRM id or website."),
                    )
                )
                continue
            account_id = candidates[0]
        elif values["account_root"]:
            account_ref = values["account_root"]
            new_accounts.setdefault(
                account_ref,
                {
                    "row": row,
                    "target_id": None,
                    "external_id": "",
                    "name": values["account_name"] or values["account_root"],
                    "name_key": name_key(values["account_name"] or values["account_root"]),
                    "domain": values["account_domain"],
                    "root_domain": values["account_root"],
                    "industry": "",
                    "owner_name": "",
                },
            )
        else:
            validation.errors.append(
                RowError(
                    row,
                    account_column,
                    "account_not_found",
                    _("No account matches “%(ref)s”. Import the accounts first, or add the account's website.")
                    % {"ref": (values["account_external_id"] or values["account_name"])[:80]},
                )
            )
            continue
        if external:
            seen_external[external] = row
        validation.opportunities.append(
            {
                **values,
                "row": row,
                "account_id": account_id,
                "account_ref": account_ref,
                "target_id": existing.get(external) if external else None,
            }
        )
    validation.accounts = list(new_accounts.values())


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    replay: bool
    created: int
    updated: int


def _copy(cursor, table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    """COPY rows into a temporary table (tab-separated, ``\\N`` for NULL)."""
    buffer = io.StringIO()
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("\\N")
            elif isinstance(value, list):
                cells.append("{" + ",".join(f'"{v}"' for v in value) + "}")
            else:
                cells.append(str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " "))
        buffer.write("\t".join(cells) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _write_accounts(cursor, tenant_id: int, accounts: list[dict[str, Any]]) -> tuple[int, int, dict[str, int]]:
    """Upsert accounts; returns (created, updated, root domain -> id for the new ones)."""
    if not accounts:
        return 0, 0, {}
    # Dropped at commit; dropped first too, for a second import inside one outer transaction.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_accounts")
    cursor.execute(
        "CREATE TEMP TABLE import_accounts (target_id bigint, external_id varchar(80), name varchar(200), "
        "name_key varchar(200), domain varchar(253), root_domain varchar(253), industry varchar(80)) ON COMMIT DROP"
    )
    _copy(
        cursor,
        "import_accounts",
        ["target_id", "external_id", "name", "name_key", "domain", "root_domain", "industry"],
        (
            [a["target_id"], a["external_id"], a["name"], a["name_key"], a["domain"], a["root_domain"], a["industry"]]
            for a in accounts
        ),
    )
    # Updates keep what the file leaves empty (an export without websites does not erase domains).
    cursor.execute(
        "UPDATE deals_customeraccount a SET name = i.name, name_key = i.name_key, "
        "external_id = COALESCE(NULLIF(i.external_id, ''), a.external_id), "
        "domain = COALESCE(NULLIF(i.domain, ''), a.domain), root_domain = COALESCE(NULLIF(i.root_domain, ''), a.root_domain), "
        "industry = COALESCE(NULLIF(i.industry, ''), a.industry), updated_at = now() "
        "FROM import_accounts i WHERE i.target_id IS NOT NULL AND a.id = i.target_id AND a.tenant_id = %s",
        [tenant_id],
    )
    updated = cursor.rowcount
    cursor.execute(
        "INSERT INTO deals_customeraccount (tenant_id, public_id, name, name_key, domain, root_domain, industry, region, "
        "owner_kind, external_id, created_at, updated_at) "
        "SELECT %s, gen_random_uuid(), name, name_key, domain, root_domain, industry, '', 'none', external_id, now(), now() "
        "FROM import_accounts WHERE target_id IS NULL RETURNING id, root_domain",
        [tenant_id],
    )
    new_ids = {root: pk for pk, root in cursor.fetchall() if root}
    return len(accounts) - updated, updated, new_ids


def _write_opportunities(
    cursor, tenant_id: int, opportunities: list[dict[str, Any]], new_accounts: dict[str, int]
) -> tuple[int, int]:
    if not opportunities:
        return 0, 0
    # Dropped at commit; dropped first too, for a second import inside one outer transaction.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_opportunities")
    cursor.execute(
        "CREATE TEMP TABLE import_opportunities (target_id bigint, account_id bigint, name varchar(200), stage varchar(80), "
        "is_open boolean, amount numeric(14, 2), currency varchar(3), close_date date, owner_name varchar(150), "
        "product_lines varchar(80)[], external_id varchar(80)) ON COMMIT DROP"
    )
    _copy(
        cursor,
        "import_opportunities",
        [
            "target_id",
            "account_id",
            "name",
            "stage",
            "is_open",
            "amount",
            "currency",
            "close_date",
            "owner_name",
            "product_lines",
            "external_id",
        ],
        (
            [
                o["target_id"],
                o["account_id"] if o["account_id"] is not None else new_accounts[o["account_ref"]],
                o["name"],
                o["stage"],
                "t" if o["is_open"] else "f",
                o["amount"],
                o["currency"],
                o["close_date"].isoformat() if o["close_date"] else None,
                o["owner_name"],
                o["product_lines"],
                o["external_id"],
            ]
            for o in opportunities
        ),
    )
    cursor.execute(
        "UPDATE deals_directopportunity d SET account_id = i.account_id, name = i.name, stage = i.stage, is_open = i.is_open, "
        "amount = i.amount, currency = i.currency, close_date = i.close_date, owner_name = i.owner_name, "
        "product_lines = CASE WHEN cardinality(i.product_lines) > 0 THEN i.product_lines ELSE d.product_lines END, "
        "updated_at = now() FROM import_opportunities i WHERE i.target_id IS NOT NULL AND d.id = i.target_id AND d.tenant_id = %s",
        [tenant_id],
    )
    updated = cursor.rowcount
    cursor.execute(
        "INSERT INTO deals_directopportunity (tenant_id, public_id, account_id, name, stage, is_open, amount, currency, "
        "close_date, owner_name, product_lines, external_id, created_at, updated_at) "
        "SELECT %s, gen_random_uuid(), account_id, name, stage, is_open, amount, currency, close_date, owner_name, "
        "product_lines, external_id, now(), now() FROM import_opportunities WHERE target_id IS NULL",
        [tenant_id],
    )
    return cursor.rowcount, updated


class ImportRejected(ApplicationError):
    """At least one row is bad: nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("%(n)s problems in the file; nothing was imported.") % {"n": f"{len(errors):,}"}, code="rows_invalid")
        self.errors = errors


def import_replay_of(*, tenant: Tenant, sha256: str) -> ImportBatch | None:
    """The earlier import of exactly this file, if any (whatever kind it was read as)."""
    return ImportBatch.objects.filter(tenant=tenant, sha256=sha256).first()


def import_write(
    *,
    tenant: Tenant,
    actor: Any,
    csv_file: CsvFile,
    file_name: str,
    kind: str,
    mapping: dict[str, str],
    default_currency: str,
    job_id: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    batch_public_id: uuid.UUID | str | None = None,
) -> ImportOutcome:
    """Validate every row, then write them all in one transaction, or nothing (:class:`ImportRejected`).

    Imports of one tenant take turns (a transaction-level advisory lock), so the matches found
    by validation are the ones written. A file imported before is a replay: no write at all.
    Outside a transaction (a job), ``progress("check", done, total)`` commits as rows are checked,
    then ``progress("write", total, total)`` once before the one write transaction.
    ``batch_public_id`` is the id the new batch gets (the API announces it before the job runs).
    """
    with tenant_atomic():
        earlier = import_replay_of(tenant=tenant, sha256=csv_file.sha256)
    if earlier is not None:
        return ImportOutcome(batch=earlier, replay=True, created=0, updated=0)
    validation = import_validate(
        tenant=tenant, csv_file=csv_file, kind=kind, mapping=mapping, default_currency=default_currency, progress=progress
    )
    if not validation.ok:
        raise ImportRejected(validation.errors)
    if progress is not None:
        progress("write", validation.rows, validation.rows)
    try:
        with tenant_atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_KEY, tenant.pk])
            earlier = import_replay_of(tenant=tenant, sha256=csv_file.sha256)
            if earlier is not None:
                return ImportOutcome(batch=earlier, replay=True, created=0, updated=0)
            # Matches may have moved since validation (another import, a registration): match again,
            # locked. The rows themselves were checked above and are not parsed a second time.
            validation = _rematch(tenant=tenant, validation=validation)
            if not validation.ok:
                raise ImportRejected(validation.errors)
            with connection.cursor() as cursor:
                accounts_created, accounts_updated, new_ids = _write_accounts(cursor, tenant.pk, validation.accounts)
                opps_created, opps_updated = _write_opportunities(cursor, tenant.pk, validation.opportunities, new_ids)
            batch = ImportBatch.objects.create(
                tenant=tenant,
                kind=kind,
                file_name=file_name[:255],
                sha256=csv_file.sha256,
                rows=validation.rows,
                created=accounts_created + opps_created,
                updated=accounts_updated + opps_updated,
                job_id=job_id,
                imported_by=person_of(actor),
                **({"public_id": uuid.UUID(str(batch_public_id))} if batch_public_id else {}),
            )
            audit_record(
                tenant=tenant,
                actor=actor,
                action="deals.import",
                target=batch,
                changes={
                    "kind": kind,
                    "file": file_name[:255],
                    "rows": validation.rows,
                    "accounts_created": accounts_created,
                    "accounts_updated": accounts_updated,
                    "opportunities_created": opps_created,
                    "opportunities_updated": opps_updated,
                },
            )
    except IntegrityError as error:
        # A customer created by a registration between the check and the write (same domain): run it again.
        raise ApplicationError(
            _("The accounts changed while importing; nothing was written. Run the import again."), code="import_race"
        ) from error
    return ImportOutcome(batch=batch, replay=False, created=batch.created, updated=batch.updated)


# --- the uploaded file, kept until its job ends -----------------------------------------------------
# In the cache (Redis, shared by web and worker processes), under the tenant's id, with a time limit:
# an upload nobody imports disappears on its own; the job deletes it when it ends.


def _staging_key(tenant: Tenant, token: str) -> str:
    return f"deals:import:{tenant.pk}:{token}"


def staged_put(*, tenant: Tenant, data: bytes, file_name: str, user_id: int | None) -> str:
    from django.core.cache import cache

    token = uuid.uuid4().hex
    cache.set(
        _staging_key(tenant, token),
        {"data": data, "file_name": file_name[:255], "user_id": user_id, "kind": "", "mapping": {}, "report": None},
        STAGING_SECONDS,
    )
    return token


def staged_get(*, tenant: Tenant, token: str) -> dict[str, Any] | None:
    from django.core.cache import cache

    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    return cache.get(_staging_key(tenant, token))


def staged_update(*, tenant: Tenant, token: str, **values: Any) -> None:
    from django.core.cache import cache

    staged = staged_get(tenant=tenant, token=token)
    if staged is not None:
        cache.set(_staging_key(tenant, token), {**staged, **values}, STAGING_SECONDS)


def staged_drop(*, tenant: Tenant, token: str) -> None:
    from django.core.cache import cache

    cache.delete(_staging_key(tenant, token))
