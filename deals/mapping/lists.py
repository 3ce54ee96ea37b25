"""Each side's own account list: checked rows, written all or nothing, replaced per population.

A side is the vendor (``partner_id`` None: the rows are staff-only) or one partner (only that
partner's users read them). Every account is kept by its registrable domain
(:func:`deals.accounts.root_domain` of :func:`partners.domains.normalize_domain`), the one thing
two lists are matched on.

Writes (:func:`account_list_replace`, :func:`account_list_upsert`) take turns per side (an
advisory lock), remove at once whatever a match derived from the populations they change (so an
account taken off a list is off every pair's results in the same transaction), and queue a new
match of the side's active partnerships after commit. Bulk rows go in with ``INSERT … SELECT FROM
unnest(arrays)`` in batches: ``COPY`` does not go through row-level security.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from ..accounts import root_domain
from .models import AccountOverlap, MappingAccount, MappingPartnership, MappingPartnershipStatus, MappingPopulation, OverlapCount

LIST_LOCK_KEY = 0x4D415050  # "MAPP": writes to one side's list take turns
BATCH = 10_000
MAX_ROWS = 200_000  # per upload or API call; larger lists arrive in several calls (upsert)

POPULATION_WORDS = {
    "customer": MappingPopulation.CUSTOMER,
    "customers": MappingPopulation.CUSTOMER,
    "client": MappingPopulation.CUSTOMER,
    "prospect": MappingPopulation.PROSPECT,
    "prospects": MappingPopulation.PROSPECT,
    "lead": MappingPopulation.PROSPECT,
    "open_opportunity": MappingPopulation.OPEN_OPPORTUNITY,
    "open opportunity": MappingPopulation.OPEN_OPPORTUNITY,
    "open opportunities": MappingPopulation.OPEN_OPPORTUNITY,
    "opportunity": MappingPopulation.OPEN_OPPORTUNITY,
    "open_opportunities": MappingPopulation.OPEN_OPPORTUNITY,
}
HEADER_WORDS = {
    "population": "population",
    "type": "population",
    "list": "population",
    "domain": "domain",
    "website": "domain",
    "website domain": "domain",
    "url": "domain",
    "name": "name",
    "account name": "name",
    "company": "name",
    "company name": "name",
    "external id": "external_id",
    "external_id": "external_id",
    "id": "external_id",
    "account id": "external_id",
    "crm id": "external_id",
}


@dataclass(frozen=True)
class ListRow:
    population: str
    domain: str
    name: str
    external_id: str = ""


@dataclass(frozen=True)
class ListRowError:
    line: int  # as a spreadsheet counts: the header is line 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class ListRejected(ApplicationError):
    """At least one row is bad: nothing was written. ``errors`` lists every one with its line."""

    def __init__(self, errors: list[ListRowError]) -> None:
        super().__init__(_("%(n)s problems in the list; nothing was changed.") % {"n": f"{len(errors):,}"}, code="rows_invalid")
        self.errors = errors


@dataclass(frozen=True)
class ListWritten:
    populations: list[str]
    deleted: int
    created: int
    updated: int


# --- checking ---------------------------------------------------------------------------------------


def clean_population(value: Any) -> str | None:
    word = re.sub(r"[\s\-]+", " ", str(value or "").strip().lower())
    return POPULATION_WORDS.get(word) or POPULATION_WORDS.get(word.replace(" ", "_"))


def clean_domain(value: Any) -> str:
    """The registrable domain (``https://www.EMEA.Acme.co.uk/x`` → ``acme.co.uk``); raises ``invalid_domain``."""
    from partners.domains import normalize_domain

    domain = normalize_domain(str(value or ""), field="domain")
    if not domain:
        raise ApplicationError(_("Enter the account's website domain."), code="required", field="domain")
    return root_domain(domain)


def clean_rows(
    records: Iterable[dict[str, Any]], *, default_population: str | None = None, first_line: int = 2
) -> tuple[list[ListRow], list[ListRowError]]:
    """Check every record; returns the clean rows and every problem (never stops at the first).

    A domain twice in one population, or an external id twice, is a problem of the later line.
    """
    rows: list[ListRow] = []
    errors: list[ListRowError] = []
    seen_domains: dict[tuple[str, str], int] = {}
    seen_ids: dict[str, int] = {}
    for offset, record in enumerate(records):
        line = first_line + offset
        raw_population = record.get("population")
        population = clean_population(raw_population) if raw_population not in (None, "") else default_population
        if population is None:
            errors.append(
                ListRowError(
                    line,
                    "population",
                    _("Use customer, prospect or open_opportunity.") if raw_population else _("Choose a population."),
                )
            )
        try:
            domain = clean_domain(record.get("domain"))
        except ApplicationError as error:
            errors.append(ListRowError(line, "domain", error.message))
            domain = ""
        name = " ".join(str(record.get("name") or "").split())
        if len(name) > 200:
            errors.append(ListRowError(line, "name", _("Use at most 200 characters.")))
        external_id = str(record.get("external_id") or "").strip()
        if len(external_id) > 120:
            errors.append(ListRowError(line, "external_id", _("Use at most 120 characters.")))
        if population and domain:
            earlier = seen_domains.setdefault((population, domain), line)
            if earlier != line:
                errors.append(
                    ListRowError(
                        line, "domain", _("%(domain)s is on line %(line)s already.") % {"domain": domain, "line": earlier}
                    )
                )
        if external_id:
            earlier = seen_ids.setdefault(external_id, line)
            if earlier != line:
                errors.append(ListRowError(line, "external_id", _("This id is on line %(line)s already.") % {"line": earlier}))
        if population and domain:
            rows.append(ListRow(population=population, domain=domain, name=name[:200] or domain, external_id=external_id[:120]))
    return rows, errors


def rows_from_csv(data: bytes, *, default_population: str | None = None) -> list[ListRow]:
    """Read an uploaded CSV file (columns: population, domain, name, external id; population may come from the form).

    Raises :class:`ListRejected` with every bad line, or ``ApplicationError`` for a file that cannot be read.
    """
    from ..imports.reading import read_csv

    csv_file = read_csv(data)
    columns = [HEADER_WORDS.get(" ".join(h.strip().lower().replace("_", " ").split())) for h in csv_file.headers]
    if "domain" not in columns:
        raise ApplicationError(_("The file needs a domain (or website) column."), code="missing_column", field="file")
    if "population" not in columns and default_population is None:
        raise ApplicationError(
            _("The file has no population column: choose the population of its rows."), code="missing_column", field="population"
        )
    records = (
        {column: cell for column, cell in zip(columns, record, strict=False) if column is not None} for record in csv_file.records
    )
    rows, errors = clean_rows(records, default_population=default_population)
    if errors:
        raise ListRejected(errors)
    if not rows:
        raise ApplicationError(_("The file has no accounts."), code="empty", field="file")
    return rows


# --- writing ---------------------------------------------------------------------------------------


def _owner_filter(partner_id: int | None) -> Q:
    return Q(partner__isnull=True) if partner_id is None else Q(partner_id=partner_id)


def _lock_side(*, tenant: Tenant, partner_id: int | None) -> None:
    """Serialise writers of one side's list until the transaction ends.

    The two-key advisory lock takes two 32-bit integers; the side is folded into the second with
    ``hashtext`` (a collision only makes two sides wait for each other, never lets two writers in).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LIST_LOCK_KEY, f"{tenant.pk}:{partner_id or 0}"])


def side_partnerships(*, tenant: Tenant, partner_id: int | None) -> Any:
    """The partnerships (any status) this side is on."""
    if partner_id is None:
        return MappingPartnership.objects.filter(tenant=tenant, partner_a__isnull=True)
    return MappingPartnership.objects.filter(Q(partner_a_id=partner_id) | Q(partner_b_id=partner_id), tenant=tenant)


def derived_forget(*, tenant: Tenant, partner_id: int | None, populations: Iterable[str]) -> list[int]:
    """Delete what matches derived from these populations of this side, in every pair; returns the active pairs' ids.

    Called in the transaction that changes the list, so an account leaves every pair's results
    when it leaves the list (the next match fills in what still overlaps).
    """
    populations = list(populations)
    pairs = list(side_partnerships(tenant=tenant, partner_id=partner_id).values_list("pk", "partner_a_id", "status"))
    as_a = [pk for pk, partner_a, _status in pairs if partner_a == partner_id]
    as_b = [pk for pk, partner_a, _status in pairs if partner_a != partner_id]
    for model in (AccountOverlap, OverlapCount):
        model.objects.filter(
            Q(partnership_id__in=as_a, a_population__in=populations) | Q(partnership_id__in=as_b, b_population__in=populations),
            tenant=tenant,
        ).delete()
    return [pk for pk, _partner_a, status in pairs if status == MappingPartnershipStatus.ACTIVE]


def _insert(cursor, *, tenant_id: int, partner_id: int | None, rows: list[ListRow]) -> int:
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        cursor.execute(
            "INSERT INTO mapping_mappingaccount (tenant_id, public_id, partner_id, population, domain, name, external_id, "
            "created_at, updated_at) SELECT %s, gen_random_uuid(), %s, r.population, r.domain, r.name, r.external_id, now(), now() "
            "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[]) AS r(population, domain, name, external_id)",
            [
                tenant_id,
                partner_id,
                [r.population for r in chunk],
                [r.domain for r in chunk],
                [r.name for r in chunk],
                [r.external_id for r in chunk],
            ],
        )
    return len(rows)


def _queue_matches(*, tenant: Tenant, pair_ids: list[int]) -> None:
    from .tasks import match_enqueue

    for pair_id in pair_ids:
        match_enqueue(tenant=tenant, partnership_id=pair_id)


def account_list_replace(
    *,
    tenant: Tenant,
    actor: Any,
    partner_id: int | None,
    rows: list[ListRow],
    populations: Iterable[str] | None = None,
    source: str = "upload",
    progress: Callable[[int], None] | None = None,
) -> ListWritten:
    """Replace this side's ``populations`` (by default, those in ``rows``) with ``rows``, all or nothing.

    Rows must come from :func:`clean_rows` (checked, no duplicates). Deletes what matches derived
    from the replaced populations in the same transaction; queues the side's active pairs for a new
    match after commit. ``match=False`` callers (the bench) run matching themselves.
    """
    populations = sorted(set(populations or {r.population for r in rows}))
    if not populations:
        raise ApplicationError(_("The list has no accounts."), code="empty")
    if any(p not in MappingPopulation.values for p in populations):
        raise ApplicationError(_("Use customer, prospect or open_opportunity."), code="invalid_choice", field="population")
    if len(rows) > MAX_ROWS and source != "setup":
        raise ApplicationError(
            _("Send at most %(n)s accounts at once.") % {"n": f"{MAX_ROWS:,}"}, code="too_many_rows", field="accounts"
        )
    stray = {r.population for r in rows} - set(populations)
    if stray:
        raise ApplicationError(
            _("Every row must be in one of the replaced populations."), code="invalid_choice", field="population"
        )
    with transaction.atomic():
        _lock_side(tenant=tenant, partner_id=partner_id)
        active_pairs = derived_forget(tenant=tenant, partner_id=partner_id, populations=populations)
        with connection.cursor() as cursor:
            # One DELETE (the ORM would first read every row to cascade; what referred to them is gone above).
            cursor.execute(
                "DELETE FROM mapping_mappingaccount WHERE tenant_id = %s AND population = ANY(%s) AND "
                + ("partner_id IS NULL" if partner_id is None else "partner_id = %s"),
                [tenant.pk, populations, *([] if partner_id is None else [partner_id])],
            )
            deleted = cursor.rowcount
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                created = _insert(cursor, tenant_id=tenant.pk, partner_id=partner_id, rows=rows)
        except IntegrityError:
            raise ApplicationError(
                _("An external id is used twice across populations; nothing was changed."), code="duplicate_external_id"
            ) from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mapping.list_replace",
            target=None,
            changes={
                "side": partner_id or "vendor",
                "source": source,
                "populations": populations,
                "deleted": deleted,
                "created": created,
            },
        )
        _queue_matches(tenant=tenant, pair_ids=active_pairs)
    return ListWritten(populations=populations, deleted=deleted, created=created, updated=0)


def account_list_upsert(*, tenant: Tenant, actor: Any, partner_id: int | None, rows: list[ListRow]) -> ListWritten:
    """Add or update accounts by external id (every row needs one); other accounts stay. All or nothing."""
    if any(not r.external_id for r in rows):
        raise ApplicationError(
            _("Every account needs an external id to be updated in place."), code="required", field="external_id"
        )
    if len(rows) > MAX_ROWS:
        raise ApplicationError(_("Send at most %(n)s accounts at once.") % {"n": f"{MAX_ROWS:,}"}, code="too_many_rows")
    with transaction.atomic():
        _lock_side(tenant=tenant, partner_id=partner_id)
        existing = dict(
            MappingAccount.objects.filter(
                _owner_filter(partner_id), tenant=tenant, external_id__in=[r.external_id for r in rows]
            ).values_list("external_id", "population")
        )
        touched = {r.population for r in rows} | set(existing.values())
        active_pairs = derived_forget(tenant=tenant, partner_id=partner_id, populations=touched)
        new_rows = [r for r in rows if r.external_id not in existing]
        changed = [r for r in rows if r.external_id in existing]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for start in range(0, len(changed), BATCH):
                    chunk = changed[start : start + BATCH]
                    cursor.execute(
                        "UPDATE mapping_mappingaccount m SET population = r.population, domain = r.domain, name = r.name, "
                        "updated_at = now() FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[]) "
                        "AS r(population, domain, name, external_id) WHERE m.tenant_id = %s AND m.external_id = r.external_id AND "
                        + ("m.partner_id IS NULL" if partner_id is None else "m.partner_id = %s"),
                        [
                            [r.population for r in chunk],
                            [r.domain for r in chunk],
                            [r.name for r in chunk],
                            [r.external_id for r in chunk],
                            tenant.pk,
                            *([] if partner_id is None else [partner_id]),
                        ],
                    )
                created = _insert(cursor, tenant_id=tenant.pk, partner_id=partner_id, rows=new_rows)
        except IntegrityError:
            raise ApplicationError(
                _("A domain would be twice in one population of your list; nothing was changed."), code="duplicate_domain"
            ) from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mapping.list_upsert",
            target=None,
            changes={"side": partner_id or "vendor", "created": created, "updated": len(changed)},
        )
        _queue_matches(tenant=tenant, pair_ids=active_pairs)
    return ListWritten(populations=sorted(touched), deleted=0, created=created, updated=len(changed))


def vendor_list_sync_from_crm(*, tenant: Tenant, actor: Any) -> ListWritten:
    """The vendor's list from what the platform knows: customers (accounts with a closed-won registration)
    and open opportunities (accounts with an open direct opportunity or an active open registration).

    Replaces those two populations of the vendor's list; prospects stay as uploaded.
    """
    from ..models import ACTIVE_STATUSES, OPEN_STAGES, CustomerAccount

    won = set(CustomerAccount.objects.filter(tenant=tenant, registrations__stage="closed_won").values_list("pk", flat=True))
    open_ids = set(
        CustomerAccount.objects.filter(
            tenant=tenant, registrations__stage__in=OPEN_STAGES, registrations__status__in=ACTIVE_STATUSES
        ).values_list("pk", flat=True)
    ) | set(CustomerAccount.objects.filter(tenant=tenant, direct_opportunities__is_open=True).values_list("pk", flat=True))
    accounts = {
        pk: (name, domain)
        for pk, name, domain in CustomerAccount.objects.filter(tenant=tenant, pk__in=won | open_ids)
        .exclude(root_domain="")
        .values_list("pk", "name", "root_domain")
    }
    rows = [ListRow(MappingPopulation.CUSTOMER, accounts[pk][1], accounts[pk][0][:200]) for pk in sorted(won) if pk in accounts]
    rows += [
        ListRow(MappingPopulation.OPEN_OPPORTUNITY, accounts[pk][1], accounts[pk][0][:200])
        for pk in sorted(open_ids)
        if pk in accounts
    ]
    # Two accounts of one root domain cannot both be kept: the first (lowest id) stays.
    unique: dict[tuple[str, str], ListRow] = {}
    for row in rows:
        unique.setdefault((row.population, row.domain), row)
    return account_list_replace(
        tenant=tenant,
        actor=actor,
        partner_id=None,
        rows=list(unique.values()),
        populations=[MappingPopulation.CUSTOMER, MappingPopulation.OPEN_OPPORTUNITY],
        source="crm",
    )


# --- reading one's own list ------------------------------------------------------------------------


def own_accounts(*, tenant: Tenant, partner_id: int | None, population: str = "", search: str = "") -> Any:
    """This side's own accounts (the only list a side ever reads in full unless the other shares *all*)."""
    found = MappingAccount.objects.filter(_owner_filter(partner_id), tenant=tenant)
    if population in MappingPopulation.values:
        found = found.filter(population=population)
    search = (search or "").strip()
    if search:
        found = found.filter(Q(name__icontains=search) | Q(domain__icontains=search.lower()))
    return found.order_by("name", "id")


def own_counts(*, tenant: Tenant, partner_id: int | None) -> dict[str, int]:
    counted = dict(
        MappingAccount.objects.filter(_owner_filter(partner_id), tenant=tenant)
        .values_list("population")
        .annotate(n=Count("id"))
        .values_list("population", "n")
    )
    return {population: counted.get(population, 0) for population in MappingPopulation.values}
