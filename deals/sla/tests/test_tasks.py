"""Warnings before a breach: the owing side is emailed once per item, when less than a quarter of the target is left."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from deals.sla.models import SlaWarning
from deals.sla.services import sla_breach_warnings_send
from deals.sla.tasks import sla_breach_warnings_all_tenants, sla_breach_warnings_task
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, lead_offer, registration


@pytest.fixture
def now():
    return timezone.now()


def send(world, now) -> int:
    with tenant_context(world.a.tenant.pk):
        return sla_breach_warnings_send(tenant=world.a.tenant, now=now)


def test_the_owing_side_is_warned_once_when_a_quarter_of_the_target_is_left(world, now, django_capture_on_commit_callbacks):
    a = world.a
    waiting = registration(a.tenant, a.partner1, submitted_at=now - 40 * HOUR)  # 8 h left of 48: warn the vendor
    registration(a.tenant, a.partner1, submitted_at=now - 20 * HOUR)  # 28 h left: not yet
    registration(a.tenant, a.partner1, submitted_at=now - 50 * HOUR)  # breached already: too late to warn
    offer = lead_offer(a.tenant, a.partner2, offered_at=now - 20 * HOUR)  # 4 h left of 24: warn partner 2

    with django_capture_on_commit_callbacks(execute=True):
        assert send(world, now) == 2

    by_recipient = {tuple(sorted(m.to)): m for m in mail.outbox}
    staff = tuple(sorted([a.owner.email, a.manager.email]))
    assert set(by_recipient) == {staff, (a.partner2_admin.email,)}
    assert waiting.customer_name in by_recipient[staff].body
    assert "Prospect" in by_recipient[(a.partner2_admin.email,)].body
    assert waiting.customer_name not in by_recipient[(a.partner2_admin.email,)].body  # nothing of partner 1's
    with tenant_context(a.tenant.pk):
        assert set(SlaWarning.objects.values_list("item_id", flat=True)) == {waiting.public_id, offer.public_id}
        assert AuditEntry.objects.filter(action="sla.breach_warnings_send").count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send(world, now + HOUR) == 0  # warned already
    assert mail.outbox == []


def test_the_tasks_are_tenant_tasks_and_the_sweep_fans_out(world, monkeypatch):
    assert sla_breach_warnings_task.is_tenant_task
    sent = []
    monkeypatch.setattr(sla_breach_warnings_task, "delay", lambda tenant_id: sent.append(tenant_id))
    assert sla_breach_warnings_all_tenants() == len(sent) >= 2
    assert world.a.tenant.pk in sent and world.b.tenant.pk in sent
