"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Two active rebate programs over the last complete quarter, computed:

* **Renewal rebate** — renewal revenue (the economics demo's partner-managed MRR of accounts that
  already paid twelve months before), whole amount: 0 → 2 %, 15,000 → 3 %, 25,000 → 4 %.
* **Growth rebate** — closed-won revenue of registered deals, marginal: 0 → 2 %, 100,000 → 4 %.

Runs after the economics demo (it reads its customer revenue).
"""

from __future__ import annotations

PROGRAMS = (
    {
        "name": "Renewal rebate",
        "description": "Back-end rebate on the renewals of the customers you manage.",
        "measure": "renewal_revenue",
        "rate_mode": "whole_amount",
        "status": "active",
        "rates": [("0", "2"), ("15000", "3"), ("25000", "4")],
    },
    {
        "name": "Growth rebate",
        "description": "Back-end rebate on registered deals closed won in the quarter.",
        "measure": "closed_won_revenue",
        "rate_mode": "marginal",
        "status": "active",
        "rates": [("0", "2"), ("100000", "4")],
    },
)


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from attribution.economics.selectors import default_quarter

    from . import services
    from .models import RebateProgram, RebateStatement

    year, quarter = default_quarter()
    for values in PROGRAMS:
        program = RebateProgram.objects.filter(tenant=tenant, name=values["name"]).first()
        if program is None:
            program = services.program_create(tenant=tenant, actor=owner, values=values)
        if not RebateStatement.objects.filter(tenant=tenant, program=program, year=year, quarter=quarter).exists():
            services.accruals_compute(tenant=tenant, program=program, year=year, quarter=quarter, actor=owner)
