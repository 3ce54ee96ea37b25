"""CRM imports: our fields, the standard exports written down as data, and recognising a file's headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from ..models import ImportKind, ImportMapping

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


def normalise_header(header: str) -> str:
    return " ".join((header or "").replace("\ufeff", "").split()).casefold()


def column_positions(headers: list[str], known: Iterable[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """For a file with fixed column names: each known column → its position and its name as written in
    the file (the first of equal ones; case, spaces and a BOM ignored, spaces read as ``_``), and the
    file's other columns (read by nobody). The caller says which missing columns are an error."""
    known = set(known)
    position: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        key = normalise_header(header).replace(" ", "_")
        if key in known and key not in position:
            position[key], names[key] = index, header
        elif header:
            ignored.append(header)
    return position, names, ignored


def headers_key(headers: Iterable[str]) -> str:
    """The key a saved mapping is found by: SHA-256 of the sorted, normalised headers."""
    return hashlib.sha256("\n".join(sorted(normalise_header(h) for h in headers)).encode()).hexdigest()


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
