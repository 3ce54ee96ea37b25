"""Operators read every tenant's rebate statements in the admin; nothing changes there."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tests.factories import UserFactory

from .support import compute, program, won_deal

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_statements_of_every_tenant_read_only(operator_client, committed_world):
    for tenant_world in (committed_world.a, committed_world.b):
        won_deal(
            tenant_world,
            tenant_world.partner1,
            tenant_world.partner1_admin,
            amount="1000",
            closed_on=datetime.date(2026, 4, 2),
            customer="Opco",
        )
        compute(tenant_world, program(tenant_world))

    listing = operator_client.get("/admin/incentives/rebatestatement/").content.decode()

    assert "Alpha Reseller" in listing and "Beta Reseller" in listing
    assert operator_client.get("/admin/incentives/rebateprogram/add/").status_code == 403
