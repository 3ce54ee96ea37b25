"""Fifty partners register the same new customer at the same moment: exactly one holds it, the rest are under review.

Real PostgreSQL, one connection per partner (threads), all released together by a barrier. Run
20 times with a fresh customer each time. Nobody gets a server error; every loser's answer is the
neutral "under review" and names nobody.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from deals.models import DealConflict, DealRegistration, RegistrationClaim
from deals.registrations import registration_submit
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory

from .support import product_lines_for, registration_values

PARTNERS = 50
# One customer a round, names far apart so that no round's customer looks like an earlier one's.
CUSTOMERS = (
    "aurora", "basalt", "cobalt", "dynamo", "ember", "fjord", "granite", "harbor", "indigo", "juniper",
    "kestrel", "lumen", "magnet", "nimbus", "onyx", "pylon", "quartz", "raven", "sable", "tundra",
)  # fmt: skip


@pytest.fixture
def fifty_partners(committed_world):
    tenant = committed_world.a.tenant
    product_lines_for(tenant)
    with tenant_context(tenant.pk):
        return [
            PartnerFactory(tenant=tenant, name=f"Racer {n}", website_domain=f"racer{n}.example", status="active")
            for n in range(PARTNERS)
        ]


def race(tenant, partners, customers) -> list[list[tuple[str, str]]]:
    """Each partner's thread submits once per customer; every round starts for all at once.

    Returns, per round, (status, error) per partner. Threads (and so connections) live for all
    rounds, so the rounds measure the race rather than connection set-up.
    """
    start = threading.Barrier(len(partners))
    results: list[list[tuple[str, str]]] = [[("", "")] * len(partners) for _ in customers]

    def one(index: int, partner) -> None:
        try:
            for round_number, customer in enumerate(customers):
                start.wait(timeout=60)
                try:
                    with tenant_context(tenant.pk, partner_id=partner.pk):
                        submitted = registration_submit(
                            tenant=tenant,
                            actor=None,
                            partner_id=partner.pk,
                            values=registration_values(customer_name=f"{customer} Ltd", customer_domain=f"{customer}.example"),
                        )
                    results[round_number][index] = (submitted.registration.status, "")
                except Exception as error:  # reported by name in the assertion
                    results[round_number][index] = ("", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(index, partner)) for index, partner in enumerate(partners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_registrations_of_one_customer_let_exactly_one_hold_it(committed_world, fifty_partners):
    tenant = committed_world.a.tenant

    rounds = race(tenant, fifty_partners, CUSTOMERS)

    for round_number, (customer, answers) in enumerate(zip(CUSTOMERS, rounds, strict=True)):
        errors = [error for _status, error in answers if error]
        assert errors == [], f"round {round_number}: {errors[:3]}"
        statuses = sorted(status for status, _error in answers)
        assert statuses.count("pending") == 1, f"round {round_number}: {statuses}"
        assert statuses.count("under_review") == PARTNERS - 1
        with tenant_context(tenant.pk):
            held = RegistrationClaim.objects.filter(account__root_domain=f"{customer}.example", is_active=True)
            assert held.count() == 1
            losers = DealRegistration.objects.filter(account__root_domain=f"{customer}.example", status="under_review")
            assert DealConflict.objects.filter(registration__in=losers).count() == PARTNERS - 1
    connection.close()
