"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

* Published directory profiles for a handful of acme partners (those in the program: the demo's
  statuses are random), Northwind's and Contoso's among them, so both demo partner logins find
  each other and others in the directory.
* Collaborations: Northwind asked Contoso to implement its approved Wayne Enterprises deal and
  Contoso accepted (so Contoso is on that deal's co-sell team and the ecosystem map links them;
  Tyrell is left alone for the co-sell browser journey, which builds its team from scratch); Contoso
  and Fabrikam agreed to map accounts; Fabrikam's request to Northwind for a joint webinar waits
  for Nora's answer.
"""

from __future__ import annotations

from django.utils.text import slugify

PROFILES = {
    "northwind.example": (
        "Cloud resale and licensing across the DACH region",
        (
            "We resell Acme Cloud to mid-sized companies in Germany, Austria and Switzerland, with local billing and "
            "first-line support in German."
        ),
        ["Cloud migration", "Financial services"],
        ["emea"],
        ["Manufacturing", "Retail"],
    ),
    "contoso-ms.example": (
        "24x7 managed cloud and security operations",
        (
            "Contoso runs Acme Cloud estates for customers who would rather not: monitoring, patching, backup and a "
            "security operations centre, with a 15-minute response commitment."
        ),
        ["Managed services", "Security"],
        ["na", "emea"],
        ["Financial services", "Healthcare"],
    ),
    "fabrikam.example": (
        "Retail analytics suite, native on Acme Cloud",
        "Fabrikam Retail Suite: point of sale, inventory and store analytics. We look for integrators to roll it out.",
        ["Data and analytics"],
        ["na", "emea"],
        ["Retail", "Consumer goods"],
    ),
    "tailspin.example": (
        "Migration factory for regulated industries",
        "Tailspin moves workloads in waves, with landing zones and hand-over checklists built for auditors.",
        ["Cloud migration", "Security", "Healthcare"],
        ["emea"],
        ["Healthcare", "Public sector"],
    ),
    "globalmantics.example": (
        "Global transformation programmes",
        "Strategy to run: Globalmantics leads multi-partner programmes for enterprises on four continents.",
        ["Cloud migration", "Data and analytics", "Financial services"],
        ["na", "emea", "apac"],
        ["Banking", "Insurance"],
    ),
    "litware.example": (
        "Distribution and marketplace fulfilment in Benelux",
        "Licences, hardware bundles and marketplace private offers, delivered through 400 resellers.",
        ["Managed services"],
        ["emea"],
        ["Retail"],
    ),
    "lucerne.example": (
        "Healthcare data platform",
        "Lucerne Analytics turns clinical and operational data into dashboards hospitals trust.",
        ["Data and analytics", "Healthcare"],
        ["emea"],
        ["Healthcare"],
    ),
    "proseware.example": (
        "French-speaking managed cloud",
        "Proseware operates Acme Cloud for customers in France and Belgium, in French, around the clock.",
        ["Managed services", "Cloud migration"],
        ["emea"],
        ["Public sector", "Retail"],
    ),
}


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from partners.directory.models import CollaborationRequest, DirectoryProfile
    from partners.directory.selectors import LISTED_STATUSES
    from partners.models import Capability

    known = set(Capability.objects.filter(tenant=tenant).values_list("slug", flat=True))
    for domain, (headline, description, capabilities, regions, industries) in PROFILES.items():
        partner = partners.get(domain)
        if partner is None or partner.status not in LISTED_STATUSES:
            continue
        if DirectoryProfile.objects.filter(tenant=tenant, partner=partner).exists():
            continue
        DirectoryProfile.objects.create(
            tenant=tenant,
            partner=partner,
            is_published=True,
            headline=headline,
            description=description,
            capabilities=[slugify(name) for name in capabilities if slugify(name) in known],
            regions=regions,
            industries=industries,
            contact_email=f"partners@{domain}",
            show_certifications=True,
            updated_by=owner,
        )
    if not CollaborationRequest.objects.filter(tenant=tenant).exists():
        _collaborations(tenant=tenant, partners=partners)


def _collaborations(*, tenant, partners: dict) -> None:
    from deals.models import DealRegistration, RegistrationStatus
    from ecosystem.accounts.models import User
    from ecosystem.errors import ApplicationError
    from partners.directory import services

    northwind, contoso, fabrikam = partners["northwind.example"], partners["contoso-ms.example"], partners["fabrikam.example"]
    nora = User.objects.filter(email="admin@northwind.example").first()
    carl = User.objects.filter(email="admin@contoso-ms.example").first()
    wayne = DealRegistration.objects.filter(
        tenant=tenant, partner=northwind, customer_name="Wayne Enterprises", status=RegistrationStatus.APPROVED
    ).first()
    try:
        if wayne is not None:
            implement = services.collaboration_request(
                tenant=tenant,
                actor=nora,
                from_partner=northwind,
                to_partner=contoso,
                subject_kind="deal",
                subject=wayne,
                cosell_role="implementation",
                message="Wayne wants a managed landing zone after go-live. Can you take the implementation?",
            )
            services.collaboration_answer(
                tenant=tenant, actor=carl, partner_id=contoso.pk, collaboration=implement, accept=True, note="Happy to."
            )
        mapping = services.collaboration_request(
            tenant=tenant,
            actor=carl,
            from_partner=contoso,
            to_partner=fabrikam,
            subject_kind="account_mapping",
            message="We think a dozen of our managed customers run your retail suite. Map accounts?",
        )
        services.collaboration_answer(tenant=tenant, actor=None, partner_id=fabrikam.pk, collaboration=mapping, accept=True)
        services.collaboration_request(
            tenant=tenant,
            actor=None,
            from_partner=fabrikam,
            to_partner=northwind,
            subject_kind="general",
            message="Joint webinar for DACH retailers in the spring?",
        )
    except ApplicationError:
        # A partner the demo made inactive (statuses are random beyond the first three) cannot be asked:
        # the demo goes on without that request rather than failing the whole seed.
        return
