"""CRM imports: writing a checked file in one transaction (COPY into temporary tables), and replays."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from ..models import ImportBatch
from .matching import _rematch
from .reading import CsvFile
from .results import RowError
from .validation import import_validate

IMPORT_LOCK_KEY = 0x4445414C  # "DEAL": the advisory lock imports of one tenant take turns on


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
