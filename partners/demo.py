"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing): two or three contacts at
every demo partner, written through :mod:`partners.contacts` like any other (one audit row each)."""

from __future__ import annotations

from partners.models import ContactRole, PartnerContact

PEOPLE = [
    ("Maria Schulz", "maria", ContactRole.PRIMARY, "Alliance manager", "+49 30 5550100"),
    ("David Chen", "david", ContactRole.TECHNICAL, "Solutions architect", ""),
    ("Priya Nair", "priya", ContactRole.SALES, "Sales director", "+1 415 555 0142"),
]


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from partners.contacts import partner_contact_create

    if PartnerContact.objects.filter(tenant=tenant).exists():
        return
    for index, (domain, partner) in enumerate(sorted(partners.items())):
        for name, local, role, title, phone in PEOPLE[: 2 + index % 2]:
            partner_contact_create(
                tenant=tenant,
                actor=owner,
                partner=partner,
                name=name,
                email=f"{local}@{domain}",
                phone=phone,
                job_title=title,
                role=role,
            )
