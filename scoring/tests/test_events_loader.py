"""Engagement events read as arrays, point in time: nothing on or after the as-of date, nothing of
another tenant, ordered by partner, day and id, with one COPY and one query for the partners."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind
from partners.services import engagement_record
from scoring.events_loader import KINDS, load_events

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


D = datetime.date


def test_events_before_the_as_of_date_only_in_order_and_in_the_tenant(world, django_assert_num_queries):
    a, b = world.a, world.b
    with tenant_context(a.tenant.pk):
        p1, p2 = sorted((a.partner1, a.partner2), key=lambda p: p.pk)
        engagement_record(tenant=a.tenant, partner_id=p2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 2)))
        engagement_record(tenant=a.tenant, partner_id=p1.pk, kind=EngagementKind.COURSE_COMPLETED, at=at(D(2026, 3, 5)))
        engagement_record(tenant=a.tenant, partner_id=p1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 1), 23))
        engagement_record(tenant=a.tenant, partner_id=p1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 10), 0))  # the as-of day
        engagement_record(tenant=a.tenant, partner_id=p1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 2, 27)))  # before since
    with tenant_context(b.tenant.pk):
        engagement_record(tenant=b.tenant, partner_id=b.partner1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 3)))
    with tenant_context(a.tenant.pk), django_assert_num_queries(2):  # the events (COPY), the partners
        events = load_events(as_of=D(2026, 3, 10), since=D(2026, 3, 1))
    assert list(events.partner_ids) == sorted([a.partner1.pk, a.partner2.pk])
    assert list(events.partner) == [0, 0, 1]
    assert list(events.day) == [np.datetime64("2026-03-01"), np.datetime64("2026-03-05"), np.datetime64("2026-03-02")]
    assert [KINDS[k] for k in events.kind] == ["login", "course_completed", "login"]
    assert len(events) == 3 and events.as_of == D(2026, 3, 10)


def test_a_future_event_changes_nothing(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 2)))
        before = load_events(as_of=D(2026, 3, 10), since=D(2026, 1, 1))
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 10)))
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 4, 1)))
        after = load_events(as_of=D(2026, 3, 10), since=D(2026, 1, 1))
    for name in ("partner", "day", "kind"):
        assert np.array_equal(getattr(before, name), getattr(after, name))


def test_partner_users_cannot_read_other_partners_events(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 2)))
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 3)))
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        events = load_events(as_of=D(2026, 3, 10), since=D(2026, 3, 1))
    assert len(events) == 1 and events.partner_ids[events.partner[0]] == a.partner2.pk
