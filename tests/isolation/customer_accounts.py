"""Isolation matrix rows for ``customer-accounts/``: one customer account of tenant A.

Accounts are the vendor's: every partner user gets 404 for every route and id; the other tenant's owner
gets 404 for A's ids.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "api:customer-account-list": Route(no_ids, ("GET", "POST")),
    "api:customer-account-detail": Route(lambda o: {"public_id": o["customer_account"]}, ("GET",)),
}


def objects(a) -> dict:
    """Tenant A's account for these rows (made inside A's tenant scope)."""
    from deals.accounts import customer_account_create

    account = customer_account_create(tenant=a.tenant, actor=a.owner, name="Probe Customer", domain="probe-customer.example")
    return {"customer_account": account.public_id}
