"""CRM imports: checking every row of a file before anything is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from ..models import ImportKind
from .matching import _product_line_keys, _resolve_accounts, _resolve_opportunities
from .reading import CsvFile
from .results import RowError, Validation
from .values import ValueInvalid, _normalised_domain, parse_amount, parse_currency, parse_date, stage_is_open

COPY_PROGRESS_EVERY = 5_000  # rows validated between two progress commits


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
