"""Two managers approve two requests at the same moment against the last of a budget: exactly one wins.

Real PostgreSQL, one connection per manager (threads), released together by a barrier. The budget row
lock makes the second approval wait for the first's commit and then see what is left; it gets the
409 ``insufficient_funds`` and the budget is never overspent. Run ten times with a fresh budget.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from ecosystem.errors import ConflictError
from ecosystem.tenancy.context import tenant_context
from partners.mdf import services
from partners.mdf.models import MdfBudget, MdfRequest

from .support import request_as

ROUNDS = 10


def approve_together(tenant, managers, requests) -> list[tuple[str, str]]:
    """Each manager's thread approves one request; both start at once. (status, error code) per manager."""
    start = threading.Barrier(len(managers))
    results: list[tuple[str, str]] = [("", "")] * len(managers)

    def one(index: int) -> None:
        try:
            start.wait(timeout=30)
            with tenant_context(tenant.pk, user_id=managers[index].pk):
                decided = services.request_decide(
                    tenant=tenant, actor=managers[index], request=requests[index], decision="approve"
                )
            results[index] = (decided.status, "")
        except ConflictError as error:
            results[index] = ("", f"{error.status_code}:{error.code}")
        except Exception as error:  # reported by name in the assertion
            results[index] = ("", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(managers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_against_the_last_of_a_budget_never_overspend_it(committed_world):
    a = committed_world.a
    managers = [a.owner, a.manager]
    for round_number in range(ROUNDS):
        year = 2040 + round_number
        with tenant_context(a.tenant.pk, user_id=a.manager.pk):
            budget = services.budget_create(tenant=a.tenant, actor=a.manager, year=year, quarter=1, amount="1000")
            for partner in (a.partner1, a.partner2):
                services.allocation_set(tenant=a.tenant, actor=a.manager, budget=budget, partner=partner, amount="1000")
        start = f"{year}-02-01"
        requests = [
            request_as(a, a.partner1, a.partner1_admin, planned_spend="700", start_date=start, end_date=start),
            request_as(a, a.partner2, a.partner2_admin, planned_spend="700", start_date=start, end_date=start),
        ]

        results = approve_together(a.tenant, managers, requests)

        statuses = sorted(status for status, _error in results)
        errors = sorted(error for _status, error in results if error)
        assert statuses == ["", "approved"], f"round {round_number}: {results}"
        assert errors == ["409:insufficient_funds"], f"round {round_number}: {results}"
        with tenant_context(a.tenant.pk):
            budget = MdfBudget.objects.get(pk=budget.pk)
            spent = MdfRequest.objects.filter(budget=budget, status="approved").aggregate(total=Sum("approved_amount"))["total"]
            assert spent == Decimal("700.00") <= budget.amount
            assert MdfRequest.objects.filter(budget=budget, status="submitted").count() == 1
    connection.close()
