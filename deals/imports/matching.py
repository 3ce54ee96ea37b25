"""CRM imports: matching the checked rows to the accounts and opportunities that exist."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ecosystem.tenancy.models import Tenant

from ..accounts import name_key, root_domain
from ..models import CustomerAccount, DirectOpportunity, ImportKind
from .results import RowError, Validation


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
    from ..models import ProductLine

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
