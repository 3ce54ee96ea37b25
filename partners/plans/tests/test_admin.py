"""Django admin: the operator reads every tenant's plans (through the platform alias); reviews are read-only."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from ecosystem.tenancy.context import tenant_context
from partners.plans import services
from tests.factories import UserFactory

from .support import plan_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_reads_plans_of_every_tenant_and_cannot_change_reviews(operator_client, committed_world):
    mine = plan_for(committed_world.a, goals={"registrations": "4"})
    theirs = plan_for(committed_world.b, goals={"registrations": "2"})
    with tenant_context(committed_world.a.tenant.pk):
        review = services.review_record(
            tenant=committed_world.a.tenant,
            actor=committed_world.a.owner,
            plan=mine,
            quarter="2026-Q3",
            held_on=datetime.date(2026, 9, 30),
            summary="Fine.",
        )

    listing = operator_client.get("/admin/plans/businessplan/")
    assert listing.status_code == 200
    for plan in (mine, theirs):
        assert f"/admin/plans/businessplan/{plan.pk}/change/" in listing.content.decode()
    assert operator_client.get(f"/admin/plans/businessplan/{theirs.pk}/change/").status_code == 200
    assert operator_client.get("/admin/plans/plangoal/").status_code == 200
    assert operator_client.get("/admin/plans/planinitiative/").status_code == 200
    page = operator_client.get(f"/admin/plans/planreview/{review.pk}/change/")
    assert page.status_code == 200 and 'name="summary"' not in page.content.decode()
