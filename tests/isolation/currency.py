"""Isolation matrix rows for the currency rate routes (Program > Setup > Currency rates, and the API), and
the tenant A objects they probe.

The rate table is vendor staff's configuration: no row is partner-owned, partner users get 404 everywhere.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    # vendor portal
    "currency_rates:list": Route(no_ids, ("GET", "POST")),
    "currency_rates:import": Route(no_ids, ("POST",)),
    "currency_rates:export": Route(no_ids, ("GET",)),
    "currency_rates:delete": Route(lambda o: {"rate_id": o["currency_rate"]}, ("POST",)),
    # API, staff
    "api:currency-rate-list": Route(no_ids, ("GET", "POST")),
    "api:currency-rate-detail": Route(lambda o: {"public_id": o["currency_rate"]}, ("DELETE",)),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope): one EUR rate."""
    import datetime

    from deals.currency_services import currency_rate_set

    saved = currency_rate_set(tenant=a.tenant, actor=a.owner, currency="EUR", valid_from=datetime.date(2026, 1, 1), rate="1.1")
    return {"currency_rate": saved.row.public_id, "partner1_ids": set()}
