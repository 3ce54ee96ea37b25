"""The breaches list and the items about to breach (for the warning emails)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import KIND_SIDE, SlaDefinition, SlaKind, SlaWarning
from ..services import sla_definitions_ensure
from .measure import BREACH_STATUSES, STATUS_LABELS, SlaPeriod, measured_sql


@dataclass
class SlaInstance:
    """One measured item (a breach on the breaches list): what waited, for whom, how long, and where it is."""

    kind: str
    partner_id: int
    started_at: datetime.datetime
    answered_at: datetime.datetime | None
    item_id: Any
    registration_id: Any
    lead_id: Any
    subject: str | None
    target_hours: int
    status: str
    hours: float | None
    partner_name: str
    partner_public_id: Any
    now: datetime.datetime

    @property
    def label(self) -> str:
        return str(SlaKind(self.kind).label)

    @property
    def owed_by(self) -> str:
        return str(KIND_SIDE[self.kind])

    @property
    def due_at(self) -> datetime.datetime:
        return self.started_at + datetime.timedelta(hours=self.target_hours)

    @property
    def waited_hours(self) -> float:
        """Hours from the start to the answer, or to ``now`` for an open one (to the close for an expired offer)."""
        if self.hours is not None:
            return round(self.hours, 1)
        return round((self.now - self.started_at).total_seconds() / 3600, 1)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


# --- the instances of each kind, as one SELECT each --------------------------------------------------


class BreachList:
    """The breaches (breached and open overdue instances), newest first.

    Ordered totally by (started, kind, item), descending: ``(kind, item)`` identifies an instance (one
    table per kind, its public id unique in the tenant), so the key is unique and a page can start
    after the last row's key. The API pages by that key (``page()``, one query a page, no count); the
    portal's ``Paginator`` slices by offset (``count()`` and ``[a:b]``, two queries a page).
    """

    def __init__(self, *, sql: str, params: list, filters: str, filter_params: list, now: datetime.datetime):
        self._sql, self._params = sql, params
        self._filters, self._filter_params = filters, filter_params
        self._now = now
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{self._sql} SELECT count(*) FROM measured m WHERE {self._filters}", [*self._params, *self._filter_params]
                )
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start = index.start or 0
        limit = (index.stop - start) if index.stop is not None else None
        return self._rows(limit=limit, offset=start)

    def __iter__(self):
        return iter(self.all())

    def all(self) -> list[SlaInstance]:
        """Every row, in one query (``list(breaches)`` would ask ``len()`` first: a count query more)."""
        return self._rows()

    # --- keyset pages (ecosystem.api.pagination.KeysetPagination) ----------------------------------

    def page(
        self, *, after: tuple | None = None, before: tuple | None = None, limit: int, descending: bool = True
    ) -> list[SlaInstance]:
        """At most ``limit`` rows after the key ``after`` (or the ``limit`` rows just before ``before``), in the
        list's order: by (started, kind, item), descending (newest first) or not. One query."""
        backwards = before is not None
        key = before if backwards else after
        # Scanning forwards in a descending list, or backwards in an ascending one, goes down the key.
        down = descending != backwards
        where = ""
        if key is not None:
            where = f"AND (m.s_started, m.s_kind, m.s_item) {'<' if down else '>'} (%s::timestamptz, %s::text, %s::uuid)"
        rows = self._rows(where=where, where_params=list(key or ()), descending=down, limit=limit)
        return rows[::-1] if backwards else rows

    def key_of(self, row: SlaInstance) -> list:
        return [row.started_at.isoformat(), row.kind, str(row.item_id)]

    def read_key(self, values) -> tuple[datetime.datetime, str, uuid.UUID]:
        started, kind, item = values
        if not all(isinstance(value, str) for value in values) or kind not in SlaKind.values:
            raise ValueError("not a breach key")
        started = datetime.datetime.fromisoformat(started)
        if started.tzinfo is None:
            raise ValueError("a naive start")
        return started, kind, uuid.UUID(item)

    # --- the one SELECT ------------------------------------------------------------------------------

    def _rows(
        self,
        *,
        where: str = "",
        where_params: list | None = None,
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[SlaInstance]:
        partner_table = PartnerOrganization._meta.db_table
        direction = "DESC" if descending else "ASC"
        sql = f"""{self._sql}
            SELECT m.s_kind, m.s_partner, m.s_started, m.s_answered, m.s_item, m.s_registration, m.s_lead, m.s_subject,
                m.target_hours, m.status, m.hours_taken, p.name, p.public_id
            FROM measured m LEFT JOIN "{partner_table}" p ON p.id = m.s_partner
            WHERE ({self._filters}) {where}
            ORDER BY m.s_started {direction}, m.s_kind {direction}, m.s_item {direction}
            {"LIMIT %s" if limit is not None else ""} {"OFFSET %s" if offset else ""}"""
        params = [
            *self._params,
            *self._filter_params,
            *(where_params or []),
            *([limit] if limit is not None else []),
            *([offset] if offset else []),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            SlaInstance(
                kind=kind,
                partner_id=partner,
                started_at=started,
                answered_at=answered,
                item_id=item,
                registration_id=registration,
                lead_id=lead,
                subject=subject,
                target_hours=target,
                status=status,
                hours=hours,
                partner_name=name or "",
                partner_public_id=public_id,
                now=self._now,
            )
            for kind, partner, started, answered, item, registration, lead, subject, target, status, hours, name, public_id in rows
        ]


# the measured CTE's columns, with no rows: for a program that measures no SLA at all
_NOTHING_MEASURED = (
    "WITH measured AS (SELECT NULL::text AS s_kind, NULL::bigint AS s_partner, NULL::timestamptz AS s_started, "
    "NULL::timestamptz AS s_answered, NULL::uuid AS s_item, NULL::uuid AS s_registration, NULL::uuid AS s_lead, "
    "NULL::text AS s_subject, NULL::integer AS target_hours, NULL::text AS status, NULL::numeric AS hours_taken WHERE false)"
)


def sla_breaches(
    *,
    tenant: Tenant,
    period: SlaPeriod | None = None,
    partner_id: int | None = None,
    kind: str = "",
    now: datetime.datetime | None = None,
    definitions: list[SlaDefinition] | None = None,
) -> BreachList:
    """The breaches of the active SLAs in the period (``kind``: one SLA; ``partner_id``: one partner's).

    ``definitions``: the SLAs when the caller has read them already (a report on the same page),
    else they are read here (two queries). Then one query per keyset ``page()`` (two per ``Paginator`` page:
    the count and the rows).
    """
    period = period or SlaPeriod.default()
    now = now or timezone.now()
    definitions = [d for d in (definitions or sla_definitions_ensure(tenant=tenant)) if not kind or d.kind == kind]
    measured = measured_sql(tenant=tenant, definitions=definitions, period=period, now=now, partner_id=partner_id, detail=True)
    if measured is None:
        # nothing is measured: an empty list that still answers count() and slices
        measured = (_NOTHING_MEASURED, [])
    sql, params = measured
    return BreachList(
        sql=sql,
        params=params,
        filters="m.status IN (%s, %s)",
        filter_params=list(BREACH_STATUSES),
        now=now,
    )


def sla_items_due_soon(*, tenant: Tenant, now: datetime.datetime | None = None) -> list[SlaInstance]:
    """Open items of the active SLAs that will breach soon and were not warned about yet (staff scope).

    *Soon*: less than a quarter of the target is left (at least the last hour), i.e. from
    ``due − max(1 h, target ÷ 4)`` until ``due``. Three queries: the SLAs, the rules, the items (one
    statement, the warnings already sent excluded in it).
    """
    now = now or timezone.now()
    definitions = sla_definitions_ensure(tenant=tenant)
    longest = max((d.target_hours for d in definitions if d.is_active), default=0)
    if not longest:
        return []
    zone = timezone.get_current_timezone()
    period = SlaPeriod(
        start=(now - datetime.timedelta(hours=longest + 24)).astimezone(zone).date(), end=now.astimezone(zone).date()
    )
    measured = measured_sql(tenant=tenant, definitions=definitions, period=period, now=now, partner_id=None, detail=True)
    if measured is None:
        return []
    sql, params = measured
    warned = SlaWarning._meta.db_table
    filters = f"""m.status = 'open_within'
        AND m.s_started + make_interval(hours => m.target_hours)
            <= %s::timestamptz + make_interval(secs => GREATEST(3600, m.target_hours * 900))
        AND NOT EXISTS (SELECT 1 FROM "{warned}" w WHERE w.tenant_id = %s AND w.kind = m.s_kind AND w.item_id = m.s_item)"""
    return BreachList(sql=sql, params=params, filters=filters, filter_params=[now, tenant.pk], now=now).all()
