"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Acme's own list and Northwind's list overlap: 12 of Acme's prospects are Northwind customers, a few
customers are mutual and three open opportunities are on both lists. Acme and Northwind compare
lists (active pair, matched); Northwind shares its overlapping customers, Acme its overlapping open
opportunities; everything else stays at counts. Fabrikam has invited Northwind to compare too.
"""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context

from .lists import ListRow, account_list_replace, own_counts
from .matching import partnership_match
from .models import MappingPartnership
from .services import partnership_accept, partnership_invite

COMPANIES = [
    "Aurora Foods",
    "Bluebird Logistics",
    "Cobalt Mining",
    "Dunmore Retail",
    "Elmwood Health",
    "Fjord Shipping",
    "Granite Bank",
    "Harbor Insurance",
    "Ironclad Security",
    "Juniper Hotels",
    "Kestrel Aviation",
    "Lumen Energy",
    "Maple Pharma",
    "Nimbus Media",
    "Orchid Telecom",
    "Pioneer Steel",
    "Quartz Labs",
    "Redwood Farms",
    "Sapphire Travel",
    "Tundra Outdoor",
    "Umbra Fashion",
    "Vertex Motors",
    "Willow Education",
    "Xenon Chemicals",
    "Yarrow Biotech",
    "Zephyr Airlines",
    "Atlas Freight",
    "Beacon Utilities",
    "Cedar Construction",
    "Delta Textiles",
    "Ember Gaming",
    "Falcon Robotics",
    "Garnet Jewelry",
    "Helix Genomics",
    "Indigo Publishing",
    "Jade Cosmetics",
    "Keystone Legal",
    "Lotus Wellness",
    "Meridian Maritime",
    "Nova Semiconductors",
]


def _domain(name: str) -> str:
    return name.lower().replace(" ", "-") + ".example"


def _rows(spec: list[tuple[str, str]], *, suffix: str = "") -> list[ListRow]:
    return [ListRow(population, _domain(name), name + suffix, f"{_domain(name)}") for population, name in spec]


# Acme: 8 customers, 20 prospects, 6 open opportunities. Northwind: 12 of Acme's prospects and 3 of
# its customers as customers, 3 shared open opportunities, plus accounts of its own.
ACME = (
    [("customer", n) for n in COMPANIES[0:8]]
    + [("prospect", n) for n in COMPANIES[8:28]]
    + [("open_opportunity", n) for n in COMPANIES[28:34]]
)
NORTHWIND = (
    [("customer", n) for n in COMPANIES[8:20]]  # 12 of Acme's prospects
    + [("customer", n) for n in COMPANIES[0:3]]  # 3 mutual customers
    + [("open_opportunity", n) for n in COMPANIES[28:31]]  # 3 shared open opportunities
    + [("customer", n) for n in COMPANIES[34:40]]  # Northwind's own
)
FABRIKAM = [("customer", n) for n in COMPANIES[20:26]] + [("prospect", n) for n in COMPANIES[0:4]]


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    northwind, fabrikam = partners["northwind.example"], partners["fabrikam.example"]
    if sum(own_counts(tenant=tenant, partner_id=None).values()) == 0:
        account_list_replace(tenant=tenant, actor=owner, partner_id=None, rows=_rows(ACME), source="demo")
    with tenant_context(tenant.pk, partner_id=northwind.pk):
        if sum(own_counts(tenant=tenant, partner_id=northwind.pk).values()) == 0:
            account_list_replace(
                tenant=tenant, actor=None, partner_id=northwind.pk, rows=_rows(NORTHWIND, suffix=" (NW)"), source="demo"
            )
    with tenant_context(tenant.pk, partner_id=fabrikam.pk):
        if sum(own_counts(tenant=tenant, partner_id=fabrikam.pk).values()) == 0:
            account_list_replace(tenant=tenant, actor=None, partner_id=fabrikam.pk, rows=_rows(FABRIKAM), source="demo")
    if not MappingPartnership.objects.filter(tenant=tenant, partner_a__isnull=True, partner_b=northwind).exists():
        pair = partnership_invite(
            tenant=tenant,
            actor=owner,
            partner_id=None,
            counterpart=northwind,
            message="Let's find the accounts we can work together.",
            sharing={"open_opportunity": "overlaps"},
        )
        with tenant_context(tenant.pk, partner_id=northwind.pk):
            partnership_accept(
                tenant=tenant, actor=None, partner_id=northwind.pk, partnership=pair, sharing={"customer": "overlaps"}
            )
        partnership_match(tenant=tenant, partnership_id=pair.pk)
    low, high = sorted([northwind.pk, fabrikam.pk])
    if not MappingPartnership.objects.filter(tenant=tenant, partner_a_id=low, partner_b_id=high).exists():
        with tenant_context(tenant.pk, partner_id=fabrikam.pk):
            partnership_invite(
                tenant=tenant,
                actor=None,
                partner_id=fabrikam.pk,
                counterpart=northwind,
                message="Shall we compare customer lists?",
            )
