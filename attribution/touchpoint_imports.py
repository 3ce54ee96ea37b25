"""Touchpoints that come from outside: a CSV file imported in the portal or the API, or one posted by the API.

Both keep ``external_id`` (the id the other system gave the touch, unique per tenant): importing
the same file again, or posting the same touch again, creates nothing and changes nothing. An
external id already in the database is *skipped* and counted as "already imported"; it is not an
error and the stored row is not updated (a touchpoint is a fact about a moment).

The CSV (UTF-8, comma or semicolon; the header is row 1, so the first record is row 2):

============  =========  ==============================================================================
column        required   value
============  =========  ==============================================================================
external_id   yes        the touch's id in your system (at most 120 characters; ``derived:`` is reserved)
partner       yes        the partner's public id, or its exact name (any case; a name two partners
                         share is an error)
account       yes        the customer account's CRM id, else its website domain, else its name
                         (compared as accounts are: without case, punctuation or legal forms; a name
                         several accounts share is an error)
deal          no         a deal registration's public id; it must be on that account
type          yes        a touchpoint type's key (``referral``) or its label (``Referral``), any case
occurred_at   yes        a date (``2026-03-05``, ``3/5/2026``, ``5.3.2026``: midnight UTC) or an ISO
                         date-time (``2026-03-05T14:30:00+01:00``; without an offset: UTC)
weight        no         a number ≥ 0 with at most four decimals (empty: 1)
============  =========  ==============================================================================

All or nothing: every bad row is reported as (row, column, code, message) and nothing is written
when one row is bad. Each lookup table is read once for the whole file (partners, accounts,
registrations, existing external ids), never once per row. The write is one ``bulk_create`` with
``ignore_conflicts`` inside :func:`tenant_atomic`, behind a per-tenant advisory lock that imports
and API posts take turns on, so the counts reported are exact.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.accounts import name_key, root_domain
from deals.imports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    CsvImportResult,
    ImportFileInvalid,
    RowError,
    ValueInvalid,
    parse_date,
    read_csv,
)
from deals.imports.headers import column_positions
from deals.models import CustomerAccount, DealRegistration
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.domains import normalize_domain
from partners.models import PartnerOrganization
from partners.references import PARTNER_PROBLEMS, PartnerReferences, as_uuid, partner_references

from .models import Touchpoint, TouchpointSource, TouchpointType

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_WEIGHT",
    "REQUIRED_COLUMNS",
    "TOUCHPOINT_LOCK_KEY",
    "TouchpointImportResult",
    "parse_occurred_at",
    "parse_touch_type",
    "parse_weight",
    "touchpoint_create",
    "touchpoints_import",
]

COLUMNS = ("external_id", "partner", "account", "deal", "type", "occurred_at", "weight")
REQUIRED_COLUMNS = ("external_id", "partner", "account", "type", "occurred_at")
MAX_EXTERNAL_ID = 120
MAX_WEIGHT = Decimal("9999.9999")
RESERVED_PREFIX = "derived:"  # the derived touchpoints' ids (attribution.touchpoints)
TOUCHPOINT_LOCK_KEY = 0x544F5543  # "TOUC": imports and posts of one tenant's touchpoints take turns on it
BATCH_SIZE = 5_000


@dataclass
class TouchpointImportResult(CsvImportResult):
    """What a touchpoint import did (``CsvImportResult``): rows created, and rows imported before (skipped)."""

    COUNTS = ("created", "already_imported")

    created: int = 0
    already_imported: int = 0


# --- one cell --------------------------------------------------------------------------------------


def parse_touch_type(raw: str) -> str:
    """A :class:`TouchpointType` value from its key or its label, any case."""
    text = " ".join((raw or "").split()).casefold()
    if not text:
        raise ValueInvalid("required", _("Give the touchpoint's type."))
    for value, label in TouchpointType.choices:
        if text in (value.casefold(), str(label).casefold()):
            return value
    raise ValueInvalid(
        "invalid_type",
        _("Unknown type. Use one of: %(types)s.") % {"types": ", ".join(TouchpointType.values)},
    )


def parse_occurred_at(raw: str) -> datetime.datetime:
    """An aware date-time: ISO date-times as given (no offset: UTC); dates read by
    :func:`deals.imports.parse_date` at midnight UTC."""
    value = (raw or "").strip()
    if not value:
        raise ValueInvalid("required", _("Give the date of the touch."))
    if len(value) > 10 and value[:4].isdigit() and value[4] == "-" and ("T" in value or ":" in value):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            raise ValueInvalid(
                "invalid_datetime", _("Not a date-time. Use 2026-03-05T14:30:00+01:00 or a date such as 2026-03-05.")
            ) from None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    day = parse_date(value)
    assert day is not None  # not empty
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def parse_weight(raw: Any) -> Decimal | None:
    """Empty → None (counts as 1); otherwise a number from 0 to 9999.9999 with at most four decimals."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    try:
        weight = Decimal(text)
    except InvalidOperation:
        raise ValueInvalid("invalid_weight", _("The weight must be a number such as 0.5.")) from None
    if not weight.is_finite():
        raise ValueInvalid("invalid_weight", _("The weight must be a number such as 0.5."))
    if weight < 0:
        raise ValueInvalid("negative_weight", _("The weight cannot be negative."))
    if weight > MAX_WEIGHT:
        raise ValueInvalid("weight_too_large", _("The weight can be at most 9999.9999."))
    if weight != weight.quantize(Decimal("0.0001")):
        raise ValueInvalid("weight_too_precise", _("The weight can have at most four decimals."))
    return weight


def _clean_external_id(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        raise ValueInvalid("required", _("Give the touch's id in your system (external_id)."))
    if len(value) > MAX_EXTERNAL_ID:
        raise ValueInvalid("too_long", _("The external id can be at most 120 characters."))
    if value.startswith(RESERVED_PREFIX):
        raise ValueInvalid("reserved_external_id", _("External ids starting with “derived:” are reserved."))
    return value


def _as_domain(raw: str) -> str:
    """The registrable domain the value names, or "" when it is not a domain."""
    try:
        return root_domain(normalize_domain(raw))
    except ApplicationError:
        return ""


# --- the file --------------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    external_id: str
    partner: str
    account: str
    deal: str
    touch_type: str | None = None
    occurred_at: datetime.datetime | None = None
    weight: Decimal | None = None


def _columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Our column → its position and its name as in the file; the file's columns we do not read."""
    position, names, ignored = column_positions(headers, COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in position]
    if missing:
        raise ImportFileInvalid(
            _("The file has no %(columns)s column. The columns are: %(all)s.")
            % {"columns": ", ".join(missing), "all": ", ".join(COLUMNS)},
            code="missing_columns",
        )
    return position, names, ignored


def _read_rows(records: list[list[str]], position: dict[str, int], names: dict[str, str], errors: list[RowError]) -> list[_Row]:
    """Each record's cells parsed on their own (no database); bad cells become errors."""
    rows: list[_Row] = []
    seen: dict[str, int] = {}

    def cell(record: list[str], column: str) -> str:
        index = position.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    for offset, record in enumerate(records):
        number = offset + 2
        row = _Row(
            row=number,
            external_id="",
            partner=cell(record, "partner"),
            account=cell(record, "account"),
            deal=cell(record, "deal"),
        )
        for column, parse, attribute in (
            ("external_id", _clean_external_id, "external_id"),
            ("type", parse_touch_type, "touch_type"),
            ("occurred_at", parse_occurred_at, "occurred_at"),
            ("weight", parse_weight, "weight"),
        ):
            try:
                setattr(row, attribute, parse(cell(record, column)))
            except ValueInvalid as invalid:
                errors.append(RowError(number, names.get(column, column), invalid.code, invalid.message))
        for column in ("partner", "account"):
            if not getattr(row, column):
                errors.append(RowError(number, names[column], "required", _("This column is required.")))
        if row.external_id:
            if row.external_id in seen:
                errors.append(
                    RowError(
                        number,
                        names["external_id"],
                        "duplicate_in_file",
                        _("Row %(n)s has the same external id.") % {"n": seen[row.external_id]},
                    )
                )
            else:
                seen[row.external_id] = number
        if row.deal and as_uuid(row.deal) is None:
            errors.append(RowError(number, names["deal"], "deal_not_found", _("Give the deal registration's public id.")))
        rows.append(row)  # bad rows too: their partner and account problems are reported as well
    return rows


def accounts_for_rows(tenant: Tenant, rows: list[_Row]) -> list[tuple[int, str, str, str]]:
    """(id, CRM id, registrable domain, comparable name) of every account a row may name: one query."""
    refs = {r.account for r in rows if r.account}
    if not refs:
        return []
    domains = {d for d in (_as_domain(ref) for ref in refs) if d}
    keys = {k for k in (name_key(ref) for ref in refs) if k}
    return list(
        CustomerAccount.objects.filter(tenant=tenant)
        .filter(Q(external_id__in=refs) | Q(root_domain__in=domains) | Q(name_key__in=keys))
        .values_list("pk", "external_id", "root_domain", "name_key")
    )


def match_account(ref: str, index: dict) -> tuple[int | None, str]:
    """The account ``ref`` names: by CRM id, else by domain, else by comparable name. ``(id, "")`` or ``(None, error code)``."""
    if ref in index["external"]:
        return index["external"][ref], ""
    domain = _as_domain(ref)
    if domain and domain in index["domain"]:
        return index["domain"][domain], ""
    candidates = index["name"].get(name_key(ref), [])
    if len(candidates) > 1:
        return None, "ambiguous_account"
    if candidates:
        return candidates[0], ""
    return None, "account_not_found"


def account_index(accounts: list[tuple[int, str, str, str]]) -> dict:
    index: dict[str, dict] = {"external": {}, "domain": {}, "name": {}}
    for pk, external_id, domain, key in accounts:
        if external_id:
            index["external"][external_id] = pk
        if domain:
            index["domain"][domain] = pk
        if key:
            index["name"].setdefault(key, []).append(pk)
    return index


def _lock(tenant: Tenant) -> None:
    """Imports and posts of one tenant's touchpoints take turns (until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TOUCHPOINT_LOCK_KEY, tenant.pk])


def _resolve(
    rows: list[_Row],
    names: dict[str, str],
    bad_rows: set[int],
    partners: PartnerReferences[int],
    index: dict,
    deals: dict[uuid.UUID, tuple[int, int]],
    errors: list[RowError],
) -> list[tuple[_Row, int, int, int | None]]:
    """Each row's partner, account and deal (ids), from what was read; problems are added to ``errors``."""
    resolved: list[tuple[_Row, int, int, int | None]] = []
    for row in rows:
        row_errors: list[RowError] = []
        partner_id: int | None = None
        if row.partner:
            partner_id, problem = partners.find(row.partner)
            if problem:
                row_errors.append(RowError(row.row, names["partner"], problem, str(PARTNER_PROBLEMS[problem])))
        account_id: int | None = None
        if row.account:
            account_id, problem = match_account(row.account, index)
            if problem == "ambiguous_account":
                row_errors.append(
                    RowError(
                        row.row,
                        names["account"],
                        problem,
                        _("Several accounts have this name; give the account's CRM id or website."),
                    )
                )
            elif problem:
                row_errors.append(
                    RowError(
                        row.row,
                        names["account"],
                        problem,
                        _("No customer account has this CRM id, website or name. Import the accounts first."),
                    )
                )
        registration_id: int | None = None
        deal_uuid = as_uuid(row.deal) if row.deal else None
        if deal_uuid is not None:
            deal = deals.get(deal_uuid)
            if deal is None:
                row_errors.append(RowError(row.row, names["deal"], "deal_not_found", _("No deal registration has this id.")))
            elif account_id is not None and deal[1] != account_id:
                row_errors.append(
                    RowError(row.row, names["deal"], "deal_account_mismatch", _("This deal is on another customer account."))
                )
            else:
                registration_id = deal[0]
        errors.extend(row_errors)
        if row_errors or row.row in bad_rows:
            continue
        assert partner_id is not None
        assert account_id is not None
        resolved.append((row, partner_id, account_id, registration_id))
    return resolved


def touchpoints_import(*, tenant: Tenant, actor: Any, data: bytes) -> TouchpointImportResult:
    """Import the touchpoints of a CSV file (``source = imported``), all or nothing.

    Raises :class:`deals.imports.ImportFileInvalid` when the file as a whole cannot be read (not
    UTF-8, no header, a required column missing, too big). Otherwise returns the result: with
    ``errors`` (every bad row; nothing written) or with the counts created and already imported.
    Queries: one per lookup table (partners, accounts, registrations, existing external ids), then
    the advisory lock, the insert batches and one audit row, all in one transaction.
    """
    csv_file = read_csv(data)
    position, names, ignored = _columns(csv_file.headers)
    result = TouchpointImportResult(rows=len(csv_file.records), ignored_columns=ignored)
    errors: list[RowError] = []
    rows = _read_rows(csv_file.records, position, names, errors)
    bad_rows = {e.row for e in errors}

    # Reads and write in one transaction: the tenant settings row-level security needs hold for every query.
    with tenant_atomic():
        partners = partner_references(tenant, [r.partner for r in rows])
        index = account_index(accounts_for_rows(tenant, rows))
        deal_ids = {u for u in (as_uuid(r.deal) for r in rows if r.deal) if u is not None}
        deals: dict[uuid.UUID, tuple[int, int]] = {}
        if deal_ids:
            deals = {
                public_id: (pk, account_id)
                for pk, public_id, account_id in DealRegistration.objects.filter(
                    tenant=tenant, public_id__in=deal_ids
                ).values_list("pk", "public_id", "account_id")
            }

        resolved = _resolve(rows, names, bad_rows, partners, index, deals, errors)

        if errors:
            order = {theirs: COLUMNS.index(ours) for ours, theirs in names.items()}
            result.errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, len(COLUMNS))))
            return result

        external_ids = [row.external_id for row, *_rest in resolved]
        _lock(tenant)
        existing = set(
            Touchpoint.objects.filter(tenant=tenant, external_id__in=external_ids).values_list("external_id", flat=True)
        )
        new = [
            Touchpoint(
                tenant=tenant,
                partner_id=partner_id,
                account_id=account_id,
                registration_id=registration_id,
                touch_type=row.touch_type,
                occurred_at=row.occurred_at,
                weight=row.weight,
                source=TouchpointSource.IMPORTED,
                external_id=row.external_id,
            )
            for row, partner_id, account_id, registration_id in resolved
            if row.external_id not in existing
        ]
        Touchpoint.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
        result.created, result.already_imported = len(new), len(resolved) - len(new)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="attribution.touchpoints_import",
            changes={
                "rows": result.rows,
                "created": result.created,
                "already_imported": result.already_imported,
                "sha256": csv_file.sha256,
            },
        )
    return result


# --- one touchpoint (the API) ----------------------------------------------------------------------


def touchpoint_create(
    *,
    tenant: Tenant,
    actor: Any,
    partner: PartnerOrganization,
    account: CustomerAccount,
    touch_type: str,
    occurred_at: datetime.datetime,
    registration: DealRegistration | None = None,
    weight: Decimal | None = None,
    external_id: str = "",
    source: str = TouchpointSource.API,
) -> tuple[Touchpoint, bool]:
    """Record one touchpoint; ``(touchpoint, created)``.

    With an ``external_id`` that already exists in the tenant, the stored row is returned as it is
    (``created`` False) and nothing changes, whatever else was sent. The partner, the account and the
    registration must be the tenant's (the caller resolved them in the tenant scope); the
    registration must be on the account. Errors name their field: ``touch_type``, ``weight``,
    ``registration``, ``external_id``, ``occurred_at``.
    """
    external_id = (external_id or "").strip()
    if source not in (TouchpointSource.API, TouchpointSource.IMPORTED):
        raise ApplicationError(_("Only imported or posted touchpoints are recorded here."), code="invalid_source", field="source")
    for obj in (partner, account, registration):
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ApplicationError(_("Not found."), code="not_found")
    if external_id:
        try:
            _clean_external_id(external_id)
        except ValueInvalid as invalid:
            raise ApplicationError(invalid.message, code=invalid.code, field="external_id") from None
    if touch_type not in TouchpointType.values:
        raise ApplicationError(
            _("Unknown type. Use one of: %(types)s.") % {"types": ", ".join(TouchpointType.values)},
            code="invalid_type",
            field="touch_type",
        )
    try:
        weight = parse_weight(weight)
    except ValueInvalid as invalid:
        raise ApplicationError(invalid.message, code=invalid.code, field="weight") from None
    if timezone.is_naive(occurred_at):
        raise ApplicationError(_("Give the time with its offset (or Z for UTC)."), code="naive_datetime", field="occurred_at")
    if registration is not None and registration.account_id != account.pk:
        raise ApplicationError(_("This deal is on another customer account."), code="deal_account_mismatch", field="registration")
    with tenant_atomic():
        if external_id:
            _lock(tenant)
            existing = Touchpoint.objects.filter(tenant=tenant, external_id=external_id).first()
            if existing is not None:
                return existing, False
        try:
            with tenant_atomic():
                touchpoint = Touchpoint.objects.create(
                    tenant=tenant,
                    partner=partner,
                    account=account,
                    registration=registration,
                    touch_type=touch_type,
                    occurred_at=occurred_at,
                    weight=weight,
                    source=source,
                    external_id=external_id,
                )
        except IntegrityError:  # the unique index is the last word (a writer that does not take the lock)
            existing = Touchpoint.objects.filter(tenant=tenant, external_id=external_id).first() if external_id else None
            if existing is None:
                raise
            return existing, False
        audit_record(
            tenant=tenant,
            actor=actor,
            action="attribution.touchpoint_create",
            target=touchpoint,
            changes={"external_id": external_id, "source": source},
        )
    return touchpoint, True
