"""Operators read every tenant's touchpoints and attribution runs in Django admin; nothing is editable there."""

from __future__ import annotations

import pytest
from django.test import Client

from attribution.services import attribution_run_create, run_attribution
from ecosystem.tenancy.context import tenant_context
from tests.factories import UserFactory

from .support import account, touch
from .world import END, START, d

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_reads_touchpoints_runs_and_credits_of_every_tenant(operator_client, committed_world):
    for w in (committed_world.a, committed_world.b):
        with tenant_context(w.tenant.pk):
            touch(w.tenant, w.partner1, account(w.tenant), d(3), external_id=f"crm-{w.tenant.slug}")
            run = attribution_run_create(
                tenant=w.tenant, actor=w.manager, period_start=START, period_end=END, dimension="partner", enqueue=False
            )
            run_attribution(tenant=w.tenant, actor=w.manager, run=run)
    body = operator_client.get("/admin/attribution/touchpoint/").content.decode()
    assert "crm-alpha" in body and "crm-beta" in body
    runs = operator_client.get("/admin/attribution/attributionrun/")
    assert runs.status_code == 200 and "Add attribution run" not in runs.content.decode()
    assert operator_client.get(f"/admin/attribution/attributionrun/{run.pk}/change/").status_code == 200
    assert operator_client.get("/admin/attribution/attributioncredit/").status_code == 200
