"""Figures per SLA, for the program and per partner, and the lookups the pages use."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import SlaDefinition, SlaKind
from ..services import sla_definitions_ensure
from .measure import SlaPeriod, measured_sql


@dataclass
class SlaFigures:
    """One SLA's figures for the program (``partner_id`` None) or for one partner."""

    kind: str
    owed_by: str
    target_hours: int
    partner_id: int | None = None
    partner_name: str = ""
    partner_public_id: Any = None
    count: int = 0
    met: int = 0
    breached: int = 0
    open_within: int = 0
    open_overdue: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None

    @property
    def label(self) -> str:
        return str(SlaKind(self.kind).label)

    @property
    def breaches(self) -> int:
        return self.breached + self.open_overdue

    @property
    def measured(self) -> int:
        return self.met + self.breaches

    @property
    def attainment(self) -> float | None:
        """Percent of decided instances within the target (None when none is decided yet)."""
        return round(100.0 * self.met / self.measured, 1) if self.measured else None


@dataclass
class SlaReport:
    definitions: list[SlaDefinition]
    period: SlaPeriod
    program: list[SlaFigures] = field(default_factory=list)  # one per active SLA, in SlaKind order
    by_partner: list[SlaFigures] = field(default_factory=list)  # partner name, then SlaKind order

    @property
    def total_breaches(self) -> int:
        return sum(f.breaches for f in self.program)


def _figures(row: dict, definition: SlaDefinition) -> SlaFigures:
    return SlaFigures(
        kind=definition.kind,
        owed_by=definition.owed_by,
        target_hours=definition.target_hours,
        partner_id=row.get("partner_id"),
        partner_name=row.get("partner_name") or "",
        partner_public_id=row.get("partner_public_id"),
        count=row["count"],
        met=row["met"],
        breached=row["breached"],
        open_within=row["open_within"],
        open_overdue=row["open_overdue"],
        median_hours=round(row["median_hours"], 1) if row["median_hours"] is not None else None,
        p90_hours=round(row["p90_hours"], 1) if row["p90_hours"] is not None else None,
    )


def sla_report(
    *,
    tenant: Tenant,
    period: SlaPeriod | None = None,
    partner_id: int | None = None,
    kinds: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> SlaReport:
    """Every active SLA's figures in the period, for the program and per partner (``partner_id``: that partner only).

    Three queries: the SLAs, the rules of engagement (:func:`sla_definitions_ensure`), the figures.
    """
    period = period or SlaPeriod.default()
    now = now or timezone.now()
    definitions = sla_definitions_ensure(tenant=tenant)
    by_kind = {d.kind: d for d in definitions}
    wanted = [d for d in definitions if d.is_active and (kinds is None or d.kind in set(kinds))]
    report = SlaReport(definitions=definitions, period=period)
    report.program = [SlaFigures(kind=d.kind, owed_by=d.owed_by, target_hours=d.target_hours) for d in wanted]
    measured = measured_sql(tenant=tenant, definitions=wanted, period=period, now=now, partner_id=partner_id, detail=False)
    if measured is None:
        return report
    sql, params = measured
    partner_table = PartnerOrganization._meta.db_table
    sql += f"""
        SELECT m.s_kind AS kind, m.s_partner AS partner_id, p.name AS partner_name, p.public_id AS partner_public_id,
            GROUPING(m.s_partner) AS is_program,
            count(*) AS count,
            count(*) FILTER (WHERE m.status = 'met') AS met,
            count(*) FILTER (WHERE m.status = 'breached') AS breached,
            count(*) FILTER (WHERE m.status = 'open_within') AS open_within,
            count(*) FILTER (WHERE m.status = 'open_overdue') AS open_overdue,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY m.hours_taken) AS median_hours,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY m.hours_taken) AS p90_hours
        FROM measured m LEFT JOIN "{partner_table}" p ON p.id = m.s_partner
        GROUP BY GROUPING SETS ((m.s_kind, m.s_partner, p.name, p.public_id), (m.s_kind))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    program = {f.kind: f for f in report.program}
    order = {kind: position for position, kind in enumerate(SlaKind.values)}
    for row in rows:
        figures = _figures(row, by_kind[row["kind"]])
        if row["is_program"]:
            figures.partner_id = None
            program[row["kind"]] = figures
        else:
            report.by_partner.append(figures)
    report.program = [program[d.kind] for d in wanted]
    report.by_partner.sort(key=lambda f: (f.partner_name.lower(), order[f.kind]))
    return report


def access_sla_definition(*, tenant: Tenant, public_id: Any) -> SlaDefinition:
    """One SLA of the program by its public id; a missing or foreign one is :class:`NotFoundError`."""
    try:
        definition = SlaDefinition.objects.filter(tenant=tenant, public_id=public_id).first()
    except (ValueError, TypeError):
        definition = None
    if definition is None:
        raise NotFoundError()
    return definition


def sla_partner(*, tenant: Tenant, public_id: Any) -> PartnerOrganization:
    """A partner of the program by its public id (for the per-partner page), else :class:`NotFoundError`."""
    try:
        partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()
    except (ValueError, TypeError):
        partner = None
    if partner is None:
        raise NotFoundError()
    return partner
