"""Operators read every tenant's MDF rows in the admin; money moves only through the services, so nothing changes there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

from .support import budget_for, request_as

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_requests_of_every_tenant_read_only(operator_client, committed_world):
    made = []
    for tenant_world, title in ((committed_world.a, "Alpha booth"), (committed_world.b, "Beta webinar")):
        budget_for(tenant_world, "5000", allocations={tenant_world.partner1: "1000"})
        made.append(request_as(tenant_world, tenant_world.partner1, tenant_world.partner1_admin, title=title))

    listing = operator_client.get("/admin/mdf/mdfrequest/").content.decode()

    assert "Alpha booth" in listing and "Beta webinar" in listing
    assert operator_client.get("/admin/mdf/mdfbudget/add/").status_code == 403
    assert operator_client.post(f"/admin/mdf/mdfrequest/{made[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert operator_client.get(f"/admin/mdf/mdfrequest/{made[0].pk}/change/").status_code == 200  # read, not change
