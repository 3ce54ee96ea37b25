"""Build (or top up) the demo: two vendor programs, dozens of partners, staff and partner users.

Idempotent: people, tenants and partners are found by email, slug and website domain, so running
it again changes nothing. Every write goes through the same services the portal uses.
"""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from ecosystem.accounts.models import Role, User
from ecosystem.accounts.services import membership_add, tenant_create
from ecosystem.audit.context import RequestContext, reset_request_context, set_request_context
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, PartnerType
from partners.services import partner_create

DEMO_PASSWORD = "partner-demo-2026"

PARTNER_NAMES = [
    ("Northwind Traders", "reseller", "northwind.example", "DE"),
    ("Contoso Managed Services", "msp", "contoso-ms.example", "US"),
    ("Fabrikam Software", "isv", "fabrikam.example", "US"),
    ("Tailspin Integrators", "si", "tailspin.example", "GB"),
    ("Globalmantics Consulting", "gsi", "globalmantics.example", "IN"),
    ("Litware Distribution", "distributor", "litware.example", "NL"),
    ("Adventure Works Referrals", "referral", "adventure-works.example", "CA"),
    ("Wide World Influence", "influencer", "wideworld.example", "AU"),
    ("Proseware Cloud", "msp", "proseware.example", "FR"),
    ("Lucerne Analytics", "isv", "lucerne.example", "CH"),
    ("Margie's Travel Tech", "reseller", "margies.example", "ES"),
    ("Coho Vineyard Systems", "si", "coho.example", "IT"),
    ("Alpine Ski House IT", "msp", "alpineski.example", "AT"),
    ("Blue Yonder Airlines Digital", "gsi", "blueyonder.example", "US"),
    ("City Power & Light Partners", "referral", "citypower.example", "US"),
    ("Consolidated Messenger", "reseller", "consolidated.example", "GB"),
    ("Datum Corporation", "isv", "adatum.example", "SE"),
    ("Fourth Coffee Solutions", "si", "fourthcoffee.example", "BR"),
    ("Graphic Design Institute", "influencer", "gdi.example", "US"),
    ("Humongous Insurance IT", "msp", "humongous.example", "DE"),
    ("Trey Research", "isv", "treyresearch.example", "US"),
    ("VanArsdel Ltd", "distributor", "vanarsdel.example", "GB"),
    ("Wingtip Toys Cloud", "reseller", "wingtip.example", "JP"),
    ("Woodgrove Advisory", "gsi", "woodgrove.example", "SG"),
    ("Relecloud Partners", "msp", "relecloud.example", "IE"),
    ("Southridge Video Tech", "referral", "southridge.example", "MX"),
    ("Nod Publishers Digital", "influencer", "nodpublishers.example", "FR"),
    ("School of Fine Art IT", "reseller", "fineart.example", "PL"),
    ("Best For You Organics Tech", "si", "bestforyou.example", "NZ"),
    ("Bellows College Labs", "isv", "bellows.example", "US"),
    ("Lamna Healthcare Systems", "si", "lamna.example", "DK"),
    ("Munson's Pickles Cloud", "msp", "munsons.example", "US"),
    ("Northridge Security", "isv", "northridge.example", "IL"),
    ("Olympic Data Partners", "distributor", "olympicdata.example", "GR"),
    ("Parnell Aerospace IT", "gsi", "parnell.example", "FR"),
    ("Ramsey Ridge Resellers", "reseller", "ramseyridge.example", "ZA"),
]

STATUS_WEIGHTS = [
    (PartnerStatus.ACTIVE, 55),
    (PartnerStatus.ONBOARDING, 15),
    (PartnerStatus.PROSPECT, 15),
    (PartnerStatus.AT_RISK, 10),
    (PartnerStatus.RETIRED, 5),
]

STAFF = [
    ("owner@acme.example", "Olivia Owner", Role.OWNER),
    ("manager@acme.example", "Manuel Manager", Role.PARTNER_MANAGER),
    ("analyst@acme.example", "Ana Analyst", Role.ANALYST),
]
PARTNER_USERS = [
    ("admin@northwind.example", "Nora Northwind", Role.PARTNER_ADMIN, "northwind.example"),
    ("rep@northwind.example", "Ray Rep", Role.PARTNER_REP, "northwind.example"),
    ("admin@contoso-ms.example", "Carl Contoso", Role.PARTNER_ADMIN, "contoso-ms.example"),
]


class Command(BaseCommand):
    help = "Create or top up the demo tenants, partners and logins (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--logins-file", help="Also write the demo logins to this file (make run prints it).")

    def handle(self, *args, **options) -> None:
        token = set_request_context(RequestContext(request_id="seed_demo", via="seed"))
        try:
            self._seed(**options)
        finally:
            reset_request_context(token)

    def _seed(self, **options) -> None:
        operator = self._person("operator@platform.example", "Pat Operator", is_staff=True, is_superuser=True)
        owner = self._person(*STAFF[0][:2])
        acme = self._tenant("acme", "Acme Cloud", owner)
        globex_owner = self._person("owner@globex.example", "Gloria Globex")
        globex = self._tenant("globex", "Globex Software", globex_owner)

        with tenant_context(acme.pk):
            for email, name, role in STAFF:
                self._member(acme, self._person(email, name), role)
            rng = random.Random(7)
            partners = {}
            for index, (name, partner_type, domain, country) in enumerate(PARTNER_NAMES):
                status = rng.choices([s for s, _w in STATUS_WEIGHTS], [w for _s, w in STATUS_WEIGHTS])[0]
                if index < 3:
                    status = PartnerStatus.ACTIVE  # the partners the demo logins belong to
                partners[domain] = self._partner(acme, owner, name, partner_type, domain, country, status)
            for email, name, role, domain in PARTNER_USERS:
                self._member(acme, self._person(email, name), role, partners[domain])

        with tenant_context(globex.pk):
            northwind = self._partner(
                globex, globex_owner, "Northwind Traders", PartnerType.RESELLER, "northwind.example", "DE", PartnerStatus.ACTIVE
            )
            for name, partner_type, domain, country in PARTNER_NAMES[10:22]:
                self._partner(globex, globex_owner, name, partner_type, domain, country, PartnerStatus.ACTIVE)
            # Nora works with two vendors: the tenant switcher shows both programs.
            self._member(globex, self._person("admin@northwind.example", "Nora Northwind"), Role.PARTNER_ADMIN, northwind)

        lines = [f"  Demo logins (password for all: {DEMO_PASSWORD})"]
        for email, _name, role in STAFF:
            lines.append(f"    {email:28} {Role(role).label:16} Acme Cloud vendor portal  /t/acme/")
        for email, _name, role, domain in PARTNER_USERS:
            lines.append(f"    {email:28} {Role(role).label:16} {partners[domain].name:25} /p/acme/")
        lines.append(f"    {operator.email:28} {'Platform operator':16} {'Django admin':25} /admin/")
        text = "\n".join(lines) + "\n"
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write(text)
        if options.get("logins_file"):
            with open(options["logins_file"], "w") as handle:
                handle.write(text)

    def _person(self, email: str, full_name: str, *, is_staff: bool = False, is_superuser: bool = False) -> User:
        with transaction.atomic():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, full_name=full_name, is_staff=is_staff, is_superuser=is_superuser
                )
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _tenant(self, slug: str, name: str, owner: User) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = tenant_create(name=name, slug=slug, owner=owner, actor=None)
            # The demo lets staff in without an authenticator app; real programs require one.
            Tenant.objects.filter(pk=tenant.pk).update(require_staff_mfa=False)
            tenant.refresh_from_db()
        return tenant

    def _member(self, tenant: Tenant, user: User, role: str, partner: PartnerOrganization | None = None) -> None:
        membership_add(tenant=tenant, actor=None, user=user, role=role, partner=partner)

    def _partner(self, tenant, actor, name, partner_type, domain, country, status) -> PartnerOrganization:
        existing = PartnerOrganization.objects.filter(website_domain=domain).first()
        if existing is not None:
            return existing
        return partner_create(
            tenant=tenant,
            actor=actor,
            name=name,
            partner_type=partner_type,
            website_domain=domain,
            country=country,
            status=status,
        )
