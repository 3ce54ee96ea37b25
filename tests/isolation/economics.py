"""Isolation matrix rows for the economics routes, and the tenant A objects they probe.

Customer revenue and program costs are vendor staff's: partner users get 404 on every route, and the
other tenant's staff get 404 too. The probe rows: an account-month managed by partner 1 and a
program cost; the CLTV drill-down takes partner 1's public id.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    # vendor portal (staff only)
    "economics:overview": Route(no_ids, ("GET",)),
    "economics:revenue": Route(no_ids, ("GET",)),
    "economics:revenue_import": Route(no_ids, ("GET", "POST")),
    "economics:costs": Route(no_ids, ("GET", "POST")),
    "economics:cltv": Route(lambda o: {"partner_id": o["economics_partner"]}, ("GET",), partner_owned=True),
    # API (staff only)
    "api:customer-revenue-list": Route(no_ids, ("GET", "POST")),
    "api:program-cost-list": Route(no_ids, ("GET", "POST")),
    "api:economics-metrics": Route(no_ids, ("GET",)),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus ``partner1_ids``: the ids partner 2's users must never see.
    """
    import datetime
    from decimal import Decimal

    from attribution.economics import services
    from deals.accounts import customer_account_create

    customer = customer_account_create(
        tenant=a.tenant, actor=a.owner, name="Probe Revenue Customer", domain="revenue.alpha.example"
    )
    last_month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    [row], _created, _replaced = services.customer_revenue_record(
        tenant=a.tenant,
        actor=a.owner,
        items=[{"account": customer, "month": last_month, "mrr": Decimal("1234.00"), "managing_partner": a.partner1}],
    )
    cost, _ = services.program_cost_save(tenant=a.tenant, actor=a.owner, year=2026, quarter=1, category="mdf", amount="777")
    return {
        "economics_partner": a.partner1.public_id,
        "partner1_ids": {str(row.public_id), str(customer.public_id), str(cost.public_id)},
    }
