"""Engagement events of one tenant as arrays, point in time, for the health score and churn features.

:func:`load_events` reads :class:`~partners.models.EngagementEvent` rows with binary COPY
(:mod:`attribution.copyio`) into three aligned numpy arrays, with no ORM object and no Python loop
per event (millions of events per tenant):

- ``partner``: the partner's index into ``partner_ids`` (sorted partner ids of the tenant), int32;
- ``day``: the event's calendar day in the server's time zone, ``datetime64[D]``;
- ``kind``: the event kind's code, its index in :data:`KINDS`, int16.

Point in time: only events strictly before ``as_of`` (a date: before its midnight) are read, so
features computed for a prediction date never see what happened on or after it. ``since`` bounds the
history read (inclusive). Events are ordered by partner index, then day, then event id.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from attribution.copyio import copy_out
from ecosystem.tenancy.context import current_scope
from partners.models import EngagementEvent, EngagementKind, PartnerOrganization

KINDS: tuple[str, ...] = tuple(EngagementKind.values)  # code = index

EVENTS_SQL = f"""
SELECT e.id, e.partner_id, (array_position(%(kinds)s::text[], e.kind::text) - 1)::int2,
       (e.occurred_at AT TIME ZONE %(tz)s)::date
FROM {EngagementEvent._meta.db_table} e
WHERE e.tenant_id = %(tenant)s AND e.occurred_at >= %(start_at)s AND e.occurred_at < %(end_at)s
  AND e.kind = ANY(%(kinds)s){{partners}}
"""
PARTNERS_SQL = " AND e.partner_id = ANY(%(partners)s)"


@dataclass(frozen=True)
class Events:
    partner_ids: np.ndarray  # int64, sorted: the tenant's partners
    partner: np.ndarray  # int32 per event: index into partner_ids
    day: np.ndarray  # datetime64[D] per event
    kind: np.ndarray  # int16 per event: index into KINDS
    as_of: datetime.date

    def __len__(self) -> int:
        return len(self.partner)


def load_events(*, as_of: datetime.date, since: datetime.date, partner_ids: np.ndarray | None = None) -> Events:
    """The scope tenant's engagement events with ``since <= day < as_of``, as arrays (see the module
    docstring); only those of ``partner_ids`` (sorted) when given."""
    scope = current_scope()
    if scope is None:
        raise RuntimeError("load_events() needs a tenant scope")
    if since > as_of:
        raise ValueError("since must not be after as_of")
    tz = timezone.get_current_timezone()
    params = {
        "tenant": scope.tenant_id,
        "kinds": list(KINDS),
        "tz": timezone.get_current_timezone_name(),
        "start_at": datetime.datetime.combine(since, datetime.time.min, tzinfo=tz),
        "end_at": datetime.datetime.combine(as_of, datetime.time.min, tzinfo=tz),
        "partners": [int(p) for p in partner_ids] if partner_ids is not None else None,
    }
    columns = [("id", "int8"), ("partner", "int8"), ("kind", "int2"), ("day", "date")]
    with connection.cursor() as cursor:
        sql = EVENTS_SQL.format(partners=PARTNERS_SQL if partner_ids is not None else "")
        rows = copy_out(cursor, sql, params, columns)
    if partner_ids is None:
        partner_ids = np.array(sorted(PartnerOrganization.objects.values_list("pk", flat=True)), dtype=np.int64)
    index = np.searchsorted(partner_ids, rows["partner"]).astype(np.int32)
    order = np.lexsort((rows["id"], rows["day"], index))
    return Events(
        partner_ids=partner_ids,
        partner=index[order],
        day=rows["day"][order],
        kind=rows["kind"][order],
        as_of=as_of,
    )
