"""CSV imports of partner organisations and of partner contacts: all or nothing, every bad row reported.

Both read the file as the other imports do (:func:`deals.imports.read_csv`: UTF-8, comma or semicolon,
the header is row 1 so the first record is row 2; :func:`deals.imports.headers.column_positions`: any
case, spaces read as ``_``). Every cell is checked and every lookup made before anything is written;
one bad row and *nothing* is written, and the result lists every problem as (row, column, code,
message), the column named as in the file. Each lookup table is read once for the whole file.

Rows are written through the partners' services, exactly as the portal writes them (the same audit
rows, lifecycle history and tier changes), inside one transaction; a service that still refuses a row
(a race with another writer) turns into that row's error and the whole file is rolled back. One more
audit row records the import itself (``partners.import`` / ``partners.contacts_import``).

An empty cell in an optional column leaves the stored value as it is (an import never clears a field).
A row that would change nothing is counted as *unchanged* and not written.

Partners (``partners_import``): ``public_id`` (optional; an existing partner's id: that partner is
updated), ``name`` (required), ``partner_type`` (key or label; required for a new partner),
``country`` (ISO 3166 code), ``website`` (its domain is what duplicates are found by), ``regions`` and
``capabilities`` (separated by ``;``: regions by key or label, capabilities by their name in the
program's list), ``tier`` (a tier's name), ``status`` (key or label; not *retired*: use Retire on the
partner's page). Without a public id, a row names an existing partner by its exact name (any case;
a name two partners share is an error); otherwise it adds a partner. Creating a partner emits no
webhook (the create service emits none); tier changes emit one ``tier.changed`` event per partner moved.

Contacts (``partner_contacts_import``): ``partner`` (public id or exact name), ``name``, ``email``
(required), ``phone``, ``title``, ``role`` (key or label; empty: *other*). A row whose partner already
has a contact with that email (any case) updates that contact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_countries import countries

from deals.imports import CsvImportResult, ImportFileInvalid, RowError, ValueInvalid, read_csv
from deals.imports.headers import column_positions
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from . import contacts as contact_services
from . import services, tiers
from .domains import normalize_domain
from .models import (
    Capability,
    ContactRole,
    PartnerContact,
    PartnerOrganization,
    PartnerStatus,
    PartnerType,
    Region,
    Tier,
)
from .references import PARTNER_PROBLEMS, as_uuid, partner_references

MAX_IMPORT_ROWS = 2_000  # rows go through the services (~13 queries per new partner, ~10 ms): 2,000 stay well inside a request
PARTNER_COLUMNS = ("public_id", "name", "partner_type", "country", "website", "regions", "capabilities", "tier", "status")
CONTACT_COLUMNS = ("partner", "name", "email", "phone", "title", "role")
PARTNER_TEMPLATE = (
    PARTNER_COLUMNS,
    ("", "Northwind Traders", "reseller", "DE", "northwind.example", "emea", "Cloud migration; Security", "", "onboarding"),
    ("", "Contoso Services", "Managed service provider", "US", "contoso.example", "na;latam", "", "", ""),
)
CONTACT_TEMPLATE = (
    CONTACT_COLUMNS,
    ("Northwind Traders", "Ana Lopez", "ana@northwind.example", "+49 30 1234567", "Alliance manager", "primary"),
    ("Northwind Traders", "Ben Okafor", "ben@northwind.example", "", "Solutions architect", "Technical"),
)
IMPORT_REASON = "CSV import"


@dataclass
class ImportResult(CsvImportResult):
    """What a partner or contact import did (``CsvImportResult``): rows created, updated and unchanged."""

    COUNTS = ("created", "updated", "unchanged")

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Rejected(Exception):
    """Raised inside the write transaction to roll back every row once one failed."""


# --- one cell --------------------------------------------------------------------------------------


def _folded(raw: str) -> str:
    return " ".join((raw or "").split()).casefold()


def parse_choice(raw: str, choices: Iterable[tuple[str, Any]], *, what: str) -> str:
    """A choice's key from its key or its label, any case; "" for an empty cell."""
    text = _folded(raw)
    if not text:
        return ""
    choices = list(choices)
    for value, label in choices:
        if text in (value.casefold(), str(label).casefold()):
            return value
    raise ValueInvalid(
        "invalid_choice",
        _("Unknown %(what)s. Use one of: %(values)s.") % {"what": what, "values": ", ".join(v for v, _l in choices)},
    )


def parse_list(raw: str) -> list[str]:
    """The items of a ``;``-separated cell (``|`` too), trimmed, empties dropped."""
    return [item.strip() for item in (raw or "").replace("|", ";").split(";") if item.strip()]


def _columns(headers: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> tuple[dict, dict, list]:
    position, names, ignored = column_positions(headers, known)
    missing = [column for column in required if column not in position]
    if missing:
        raise ImportFileInvalid(
            _("The file has no %(columns)s column. The columns are: %(all)s.")
            % {"columns": ", ".join(missing), "all": ", ".join(known)},
            code="missing_columns",
        )
    return position, names, ignored


def _read(data: bytes, known: tuple[str, ...], required: tuple[str, ...]):
    csv_file = read_csv(data)
    if len(csv_file.records) > MAX_IMPORT_ROWS:
        raise ImportFileInvalid(
            _("The file has more than %(max)s rows. Split it and import the parts.") % {"max": f"{MAX_IMPORT_ROWS:,}"},
            code="too_many_rows",
        )
    position, names, ignored = _columns(csv_file.headers, known, required)

    def cells(record: list[str]) -> dict[str, str]:
        return {column: record[index].strip() if index < len(record) else "" for column, index in position.items()}

    return csv_file, [cells(record) for record in csv_file.records], names, ignored


def _sorted(errors: list[RowError], names: dict[str, str], known: tuple[str, ...]) -> list[RowError]:
    order = {theirs: known.index(ours) for ours, theirs in names.items()}
    return sorted(errors, key=lambda e: (e.row, order.get(e.column, len(known))))


SERVICE_FIELDS = {"website_domain": "website", "job_title": "title"}  # a service's field -> our column


def _write_rows(
    rows: list[Any], write: Callable[[Any], str], names: dict[str, str], errors: list[RowError], result: ImportResult
) -> None:
    """Call ``write`` for each row ("created", "updated" or "unchanged"); a refusal becomes that row's error."""
    for row in rows:
        try:
            outcome = write(row)
        except ApplicationError as refused:
            column = SERVICE_FIELDS.get(refused.field or "", refused.field or "")
            errors.append(RowError(row.row, names.get(column, ""), refused.code, refused.message))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)


# --- partners --------------------------------------------------------------------------------------


@dataclass
class _PartnerRow:
    row: int
    public_id: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)  # editable fields given: name, partner_type, …
    regions: list[str] | None = None
    capability_names: list[str] | None = None
    tier_name: str = ""
    partner_type_cell: str = ""
    target: PartnerOrganization | None = None
    capabilities: list[str] | None = None
    tier: Tier | None = None


def _parse_partner_row(number: int, cells: dict[str, str], names: dict[str, str], errors: list[RowError]) -> _PartnerRow:
    row = _PartnerRow(row=number, public_id=cells.get("public_id", ""), name=" ".join(cells.get("name", "").split()))
    row.partner_type_cell = cells.get("partner_type", "")

    def problem(column: str, code: str, message: str) -> None:
        errors.append(RowError(number, names.get(column, column), code, message))

    if row.public_id and as_uuid(row.public_id) is None:
        problem("public_id", "invalid_id", _("Not a partner's public id (a UUID)."))
    if not row.name:
        problem("name", "required", _("Give the partner's name."))
    elif len(row.name) > 200:
        problem("name", "max_length", _("Use at most 200 characters."))
    else:
        row.values["name"] = row.name
    for column, choices, what in (
        ("partner_type", PartnerType.choices, _("partner type")),
        ("status", PartnerStatus.choices, _("status")),
    ):
        try:
            value = parse_choice(cells.get(column, ""), choices, what=what)
        except ValueInvalid as invalid:
            problem(column, invalid.code, invalid.message)
            continue
        if value == PartnerStatus.RETIRED and column == "status":
            problem("status", "use_offboarding", _("An import cannot retire a partner: use Retire on the partner's page."))
        elif value:
            row.values[column] = value
    country = cells.get("country", "").upper()
    if country:
        if country in countries:
            row.values["country"] = country
        else:
            problem("country", "invalid_country", _("Use the country's two-letter ISO code, such as DE or US."))
    website = cells.get("website", "")
    if website:
        try:
            row.values["website_domain"] = normalize_domain(website)
        except ApplicationError as invalid:
            problem("website", invalid.code, invalid.message)
    if cells.get("regions"):
        try:
            row.regions = sorted({parse_choice(r, Region.choices, what=_("region")) for r in parse_list(cells["regions"])})
        except ValueInvalid as invalid:
            problem("regions", invalid.code, invalid.message)
    if cells.get("capabilities"):
        row.capability_names = parse_list(cells["capabilities"])
    row.tier_name = " ".join(cells.get("tier", "").split())
    return row


def _resolve_partner_rows(tenant: Tenant, rows: list[_PartnerRow], names: dict[str, str], errors: list[RowError]) -> None:
    """Each row's partner (by public id, else exact name), capabilities and tier: one query per table.
    Duplicates inside the file and website domains another partner uses are errors."""
    partners = partner_references(tenant, [r.public_id for r in rows] + [r.name for r in rows], rows=True)
    capabilities = {_folded(c.name): c.slug for c in Capability.objects.filter(tenant=tenant)}
    capabilities |= {c.casefold(): c for c in capabilities.values()}  # a key works too
    tiers_by_name = {_folded(t.name): t for t in Tier.objects.filter(tenant=tenant)}
    domains = {r.values["website_domain"] for r in rows if r.values.get("website_domain")}
    domain_owner = dict(
        PartnerOrganization.objects.filter(tenant=tenant, website_domain__in=domains).values_list("website_domain", "pk")
    )

    def problem(row: _PartnerRow, column: str, code: str, message: str) -> None:
        errors.append(RowError(row.row, names.get(column, column), code, message))

    seen_targets: dict[int, int] = {}
    seen_new_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    for row in rows:
        is_new = False
        if row.public_id:
            row.target = partners.by_id.get(as_uuid(row.public_id))  # an id that is not a UUID was reported already
            if row.target is None and as_uuid(row.public_id) is not None:
                problem(row, "public_id", "partner_not_found", str(PARTNER_PROBLEMS["partner_not_found"]))
        elif row.name:
            row.target, code = partners.find(row.name)
            if code == "ambiguous_partner":
                problem(row, "name", code, str(PARTNER_PROBLEMS[code]))
            is_new = code == "partner_not_found"
            if row.target is not None:
                row.values.pop("name", None)  # the name found the partner: renaming takes its public id
        if row.target is not None:
            if row.target.pk in seen_targets:
                problem(
                    row,
                    "public_id" if row.public_id else "name",
                    "duplicate_in_file",
                    _("Row %(n)s is about the same partner.") % {"n": seen_targets[row.target.pk]},
                )
            seen_targets.setdefault(row.target.pk, row.row)
        elif is_new:
            if "partner_type" not in names:
                problem(row, "name", "partner_type_missing", _("A new partner needs a partner_type column."))
            elif not row.partner_type_cell:  # a type given but unknown was reported already
                problem(row, "partner_type", "required", _("Give a new partner's type."))
            if row.name.lower() in seen_new_names:
                problem(
                    row,
                    "name",
                    "duplicate_in_file",
                    _("Row %(n)s adds a partner with the same name.") % {"n": seen_new_names[row.name.lower()]},
                )
            seen_new_names.setdefault(row.name.lower(), row.row)
        domain = row.values.get("website_domain")
        if domain:
            owner = domain_owner.get(domain)
            if owner is not None and (row.target is None or owner != row.target.pk):
                problem(
                    row, "website", "duplicate_domain", _("Another partner in this program already uses this website domain.")
                )
            elif domain in seen_domains:
                problem(
                    row, "website", "duplicate_in_file", _("Row %(n)s has the same website domain.") % {"n": seen_domains[domain]}
                )
            seen_domains.setdefault(domain, row.row)
        if row.capability_names is not None:
            unknown = [name for name in row.capability_names if _folded(name) not in capabilities]
            if unknown:
                problem(
                    row,
                    "capabilities",
                    "unknown_capability",
                    _("Not in the program's capabilities: %(names)s.") % {"names": ", ".join(unknown)},
                )
            else:
                row.capabilities = sorted({capabilities[_folded(name)] for name in row.capability_names})
        if row.tier_name:
            row.tier = tiers_by_name.get(_folded(row.tier_name))
            if row.tier is None:
                problem(row, "tier", "unknown_tier", _("No tier of this program has this name."))


def _partner_changes(row: _PartnerRow) -> tuple[dict[str, Any], bool, bool]:
    """What the row would change on its existing partner: editable fields, the profile, the tier."""
    partner = row.target
    assert partner is not None
    current = {field: getattr(partner, field) for field in services.EDITABLE_FIELDS}
    current["country"] = partner.country.code or ""
    fields = {name: value for name, value in row.values.items() if current.get(name) != value}
    profile = (row.regions is not None and row.regions != sorted(partner.regions)) or (
        row.capabilities is not None and row.capabilities != sorted(partner.capabilities)
    )
    tier = row.tier is not None and row.tier.pk != partner.tier_id
    return fields, profile, tier


def partners_import(*, tenant: Tenant, actor: Any, data: bytes) -> ImportResult:
    """Import partner organisations from a CSV file (see the module's docstring), all or nothing.

    Raises :class:`deals.imports.ImportFileInvalid` when the file as a whole cannot be read (not
    UTF-8, no header, no ``name`` column, more than :data:`MAX_IMPORT_ROWS` rows). Otherwise returns
    the result: with ``errors`` (every bad row; nothing written) or with the counts.
    """
    csv_file, records, names, ignored = _read(data, PARTNER_COLUMNS, ("name",))
    result = ImportResult(rows=len(records), ignored_columns=ignored)
    errors: list[RowError] = []
    rows = [_parse_partner_row(offset + 2, cells, names, errors) for offset, cells in enumerate(records)]
    tier_moves: list[tuple[PartnerOrganization, Tier]] = []

    def write(row: _PartnerRow) -> str:
        if row.target is None:
            partner = services.partner_create(tenant=tenant, actor=actor, **row.values)
            if row.regions or row.capabilities:
                services.partner_profile_update(
                    tenant=tenant,
                    actor=actor,
                    partner=partner,
                    description="",
                    regions=row.regions or [],
                    capabilities=row.capabilities or [],
                )
            if row.tier is not None:
                tier_moves.append((partner, row.tier))
            return "created"
        fields, profile, tier = _partner_changes(row)
        if not (fields or profile or tier):
            return "unchanged"
        partner = row.target
        if fields:
            partner = services.partner_update(tenant=tenant, actor=actor, partner=partner, reason=IMPORT_REASON, **fields)
        if profile:
            services.partner_profile_update(
                tenant=tenant,
                actor=actor,
                partner=partner,
                description=partner.description,
                regions=row.regions if row.regions is not None else partner.regions,
                capabilities=row.capabilities if row.capabilities is not None else partner.capabilities,
            )
        if tier:
            tier_moves.append((partner, row.tier))
        return "updated"

    # Reads and writes in one transaction: the tenant settings row-level security needs hold for every query.
    with tenant_atomic():
        _resolve_partner_rows(tenant, rows, names, errors)
        if errors:
            result.errors = _sorted(errors, names, PARTNER_COLUMNS)
            return result
        try:
            with transaction.atomic():
                _write_rows(rows, write, names, errors, result)
                if errors:
                    raise _Rejected
                if tier_moves:
                    tiers.tier_set_by_import(tenant=tenant, actor=actor, assignments=tier_moves, reason=IMPORT_REASON)
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action="partners.import",
                    changes={**result.summary(), "sha256": csv_file.sha256},
                )
        except _Rejected:
            result.created = result.updated = result.unchanged = 0
            result.errors = _sorted(errors, names, PARTNER_COLUMNS)
    return result


# --- contacts --------------------------------------------------------------------------------------


@dataclass
class _ContactRow:
    row: int
    partner_ref: str
    values: dict[str, str] = field(default_factory=dict)
    partner: PartnerOrganization | None = None
    existing: PartnerContact | None = None


def _parse_contact_row(number: int, cells: dict[str, str], names: dict[str, str], errors: list[RowError]) -> _ContactRow:
    row = _ContactRow(row=number, partner_ref=cells.get("partner", ""))
    if not row.partner_ref:
        errors.append(RowError(number, names["partner"], "required", _("Give the partner's public id or name.")))
    given = {"name": cells.get("name", ""), "email": cells.get("email", "")}
    given |= {ours: cells[column] for column, ours in (("phone", "phone"), ("title", "job_title")) if cells.get(column)}
    for column, ours in (("name", "name"), ("email", "email"), ("phone", "phone"), ("title", "job_title")):
        if ours not in given:
            continue
        try:
            row.values |= contact_services.clean_contact({ours: given[ours]})
        except ApplicationError as invalid:
            errors.append(RowError(number, names.get(column, column), invalid.code, invalid.message))
    try:
        role = parse_choice(cells.get("role", ""), ContactRole.choices, what=_("role"))
    except ValueInvalid as invalid:
        errors.append(RowError(number, names.get("role", "role"), invalid.code, invalid.message))
    else:
        if role:
            row.values["role"] = role
    return row


def _resolve_contact_rows(tenant: Tenant, rows: list[_ContactRow], names: dict[str, str], errors: list[RowError]) -> None:
    """Each row's partner (one query) and existing contact (one query); the same person twice is an error."""
    partners = partner_references(tenant, [r.partner_ref for r in rows], rows=True)
    for row in rows:
        if row.partner_ref:
            row.partner, code = partners.find(row.partner_ref)
            if code:
                errors.append(RowError(row.row, names["partner"], code, str(PARTNER_PROBLEMS[code])))
    emails = {r.values["email"].lower() for r in rows if r.values.get("email")}
    partner_ids = {r.partner.pk for r in rows if r.partner is not None}
    existing: dict[tuple[int, str], PartnerContact] = {}
    if emails and partner_ids:
        found = (
            PartnerContact.objects.filter(tenant=tenant, partner_id__in=partner_ids)
            .annotate(email_folded=Lower("email"))
            .filter(email_folded__in=emails)
        )
        existing = {(c.partner_id, c.email.lower()): c for c in found}
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        if row.partner is None or not row.values.get("email"):
            continue
        key = (row.partner.pk, row.values["email"].lower())
        row.existing = existing.get(key)
        if key in seen:
            errors.append(
                RowError(
                    row.row,
                    names["email"],
                    "duplicate_in_file",
                    _("Row %(n)s has the same partner and email.") % {"n": seen[key]},
                )
            )
        seen.setdefault(key, row.row)


def partner_contacts_import(*, tenant: Tenant, actor: Any, data: bytes) -> ImportResult:
    """Import partner contacts from a CSV file (see the module's docstring), all or nothing.

    Raises :class:`deals.imports.ImportFileInvalid` for a file that cannot be read as a whole (a
    ``partner``, ``name`` or ``email`` column missing, …); otherwise the result, with every bad row or
    the counts. A partner of another program is "unknown" (the lookups never see other tenants' rows).
    """
    csv_file, records, names, ignored = _read(data, CONTACT_COLUMNS, ("partner", "name", "email"))
    result = ImportResult(rows=len(records), ignored_columns=ignored)
    errors: list[RowError] = []
    rows = [_parse_contact_row(offset + 2, cells, names, errors) for offset, cells in enumerate(records)]

    def write(row: _ContactRow) -> str:
        if row.existing is None:
            contact_services.partner_contact_create(tenant=tenant, actor=actor, partner=row.partner, **row.values)
            return "created"
        changed = {name: value for name, value in row.values.items() if getattr(row.existing, name) != value}
        if not changed:
            return "unchanged"
        contact_services.partner_contact_update(tenant=tenant, actor=actor, contact=row.existing, **changed)
        return "updated"

    with tenant_atomic():
        _resolve_contact_rows(tenant, rows, names, errors)
        if errors:
            result.errors = _sorted(errors, names, CONTACT_COLUMNS)
            return result
        try:
            with transaction.atomic():
                _write_rows(rows, write, names, errors, result)
                if errors:
                    raise _Rejected
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action="partners.contacts_import",
                    changes={**result.summary(), "sha256": csv_file.sha256},
                )
        except _Rejected:
            result.created = result.updated = result.unchanged = 0
            result.errors = _sorted(errors, names, CONTACT_COLUMNS)
    return result


def template_rows(kind: str) -> tuple[tuple[str, ...], ...]:
    """The header and two example rows of the template CSV for ``partners`` or ``contacts``."""
    return PARTNER_TEMPLATE if kind == "partners" else CONTACT_TEMPLATE
