"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Sixty customer accounts with 24 months of MRR, ending with the last complete month: 36 managed by
partners (spread over the active partners), 24 direct. Half of them paid from the first month (the
retention cohort), the others started later, a few in the last complete quarter (so both CACs
show). Some expand, some contract, some churn; direct customers churn more often, partner-managed
ones expand more often, so the figures tell the story the program wants to prove. Program and
direct-sales costs for the last four complete quarters.
"""

from __future__ import annotations

import random
from decimal import Decimal

from partners.models import PartnerStatus

ADJECTIVES = (
    "Brightwater",
    "Copperleaf",
    "Evergreen",
    "Granite",
    "Harbor",
    "Ironwood",
    "Lakeside",
    "Northstar",
    "Redwood",
    "Silverline",
)
NOUNS = ("Logistics", "Clinics", "Foods", "Robotics", "Outfitters", "Analytics")
MONTHS = 24
ACCOUNTS = 60
# (partner team, MDF, incentives, tools, direct sales) per quarter, oldest first
COSTS = (
    (42_000, 18_000, 9_000, 4_000, 160_000),
    (44_000, 20_000, 11_000, 4_000, 168_000),
    (45_000, 24_000, 12_500, 4_500, 171_000),
    (47_000, 22_000, 14_000, 4_500, 176_000),
)


def _names() -> list[tuple[str, str]]:
    names = [(f"{a} {n}", f"{a.lower()}-{n.lower()}.example") for n in NOUNS for a in ADJECTIVES]
    return names[:ACCOUNTS]


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from deals.accounts import customer_account_create
    from deals.models import CustomerAccount

    from . import metrics, selectors, services
    from .models import PARTNER_COST_CATEGORIES, CostCategory, CustomerRevenue, ProgramCost

    names = _names()
    managers = (
        sorted((p for p in partners.values() if p.status in (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)), key=lambda p: p.name)[
            :8
        ]
        or sorted(partners.values(), key=lambda p: p.name)[:8]
    )
    last = selectors.default_month()
    first = metrics.months_back(last, MONTHS - 1)

    if not CustomerRevenue.objects.filter(tenant=tenant).exists():
        existing = {
            a.root_domain: a for a in CustomerAccount.objects.filter(tenant=tenant, root_domain__in=[d for _n, d in names])
        }
        accounts = [
            existing.get(domain) or customer_account_create(tenant=tenant, actor=owner, name=name, domain=domain)
            for name, domain in names
        ]
        rng = random.Random(8)  # the same demo every time
        items: list[dict] = []
        for i, account in enumerate(accounts):
            partner_managed = i % 5 in (0, 1, 2) and bool(managers)
            partner = managers[i % len(managers)] if partner_managed else None
            start = 0 if i < ACCOUNTS // 2 else 3 + (i - ACCOUNTS // 2) * 20 // (ACCOUNTS // 2)
            mrr = float(rng.choice((600, 900, 1200, 1800, 2500, 3200, 4000)))
            if partner_managed:
                growth = 0.03 if i % 3 == 0 else (-0.01 if i % 8 == 5 else 0.005)
                churn_at = start + rng.randint(7, 15) if i % 9 == 4 else None
            else:
                growth = 0.015 if i % 6 == 1 else (-0.015 if i % 4 == 2 else 0.0)
                churn_at = start + rng.randint(5, 14) if i % 4 == 3 else None
            taken_over = start + 6 if (not partner_managed and i % 10 == 8 and managers) else None
            for offset in range(start, MONTHS):
                month = metrics.months_back(first, -offset)
                if churn_at is not None and offset > churn_at:
                    break
                churned = churn_at is not None and offset == churn_at
                manager = partner if taken_over is None or offset < taken_over else managers[(i + 3) % len(managers)]
                amount = Decimal(0) if churned else Decimal(str(round(mrr * (1 + growth) ** (offset - start), 2)))
                items.append(
                    {
                        "account": account,
                        "month": month,
                        "mrr": amount,
                        "managing_partner": manager,
                        "external_id": f"demo-{i}-{offset}",
                    }
                )
        for chunk in range(0, len(items), services.MAX_API_ROWS):
            services.customer_revenue_record(
                tenant=tenant, actor=owner, items=items[chunk : chunk + services.MAX_API_ROWS], many=True
            )

    year, quarter = selectors.default_quarter()
    periods = [(year, quarter)]
    for _n in range(len(COSTS) - 1):
        periods.insert(0, metrics.previous_quarter(*periods[0]))
    stored = set(ProgramCost.objects.filter(tenant=tenant).values_list("year", "quarter"))
    categories = (*PARTNER_COST_CATEGORIES, CostCategory.DIRECT_SALES)
    for (y, q), amounts in zip(periods, COSTS, strict=True):
        if (y, q) in stored:
            continue
        for category, amount in zip(categories, amounts, strict=True):
            services.program_cost_save(tenant=tenant, actor=owner, year=y, quarter=q, category=category, amount=Decimal(amount))
