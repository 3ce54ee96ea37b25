"""Build (or top up) the demo: two vendor programs, dozens of partners, staff and partner users.

Idempotent: people, tenants and partners are found by email, slug and website domain, so running
it again changes nothing. Every write goes through the same services the portal uses.
"""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from ecosystem.accounts.models import Role, User
from ecosystem.accounts.services import membership_add, tenant_create
from ecosystem.audit.context import RequestContext, reset_request_context, set_request_context
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from onboarding.models import (
    AgreementVersion,
    Course,
    CourseModule,
    LearningPath,
    LearningPathCourse,
    OnboardingPlan,
    OnboardingTemplate,
    OnboardingTemplateStep,
    PartnerApplication,
    QuizChoice,
    QuizQuestion,
    SecurityQuestion,
)
from onboarding.services import application_submit, plan_create_for_partner
from onboarding.training import quiz_submit
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType
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

CAPABILITIES = ["Cloud migration", "Security", "Data and analytics", "Managed services", "Healthcare", "Financial services"]
AGREEMENT_TEXT = (
    "1. Appointment. The vendor appoints the partner as a non-exclusive partner in the program.\n"
    "2. Deal registration. Registered opportunities are protected for 90 days under the published rules of engagement.\n"
    "3. Conduct. The partner complies with anti-bribery, export control and data protection law.\n"
    "4. Term. One year, renewing automatically unless either party gives 30 days' notice."
)
NDA_TEXT = (
    "Each party keeps the other's confidential information confidential for three years and uses it only for the partnership."
)
SECURITY_QUESTIONS = [
    ("Do you enforce multi-factor authentication for all staff accounts?", 25),
    ("Is customer data encrypted at rest and in transit?", 25),
    ("Do you have a documented incident response plan tested in the last 12 months?", 15),
    ("Do you review access rights at least quarterly?", 10),
    ("Are your staff trained on security awareness every year?", 5),
]
TEMPLATE_STEPS = [
    ("agreement", "Sign the partner agreement", 7, [], "Read and sign the program agreement."),
    ("agreement", "Sign the NDA", 7, [], "Needed before we share roadmaps and pricing."),
    ("security_review", "Security questionnaire", 14, [], "Five questions about how you protect customer data."),
    ("profile", "Complete your company profile", 14, [1], "Logo, description, regions and capabilities."),
    ("custom_task", "Kickoff call with your partner manager", 21, [1, 2], "Book 30 minutes to plan your first quarter."),
]
APPLICANTS = [
    ("Skyline Cloud Partners", "skyline-cloud.example", "msp", "10_50", "Sam Skyline", "sam@skyline-cloud.example"),
    ("Harbor Data Consulting", "harbordata.example", "si", "under_10", "Hana Harbor", "hana@harbordata.example"),
    ("Quantum Resale GmbH", "quantum-resale.example", "reseller", "50_200", "Quirin Quantum", "q@quantum-resale.example"),
]

# (title, track, summary, modules [(title, body, video, asset)], questions [(text, [choices], index of the correct one)])
COURSES = [
    (
        "Selling Acme Cloud",
        "sales",
        "Who buys Acme Cloud, why, and how to run a first meeting that leads to a registered deal.",
        [
            (
                "The ideal customer",
                (
                    "Mid-sized companies moving their first workloads to the cloud.\n\n"
                    "Look for an IT team of 5 to 50 people and a data centre contract ending within a year."
                ),
                "https://video.acme.example/ideal-customer",
                "",
            ),
            (
                "Pricing and deal registration",
                (
                    "Acme Cloud is priced per workload per month.\n\n"
                    "Register every opportunity in the partner portal: registered deals are protected for 90 days."
                ),
                "",
                "https://files.acme.example/price-list-2026.pdf",
            ),
        ],
        [
            ("How long is a registered deal protected?", ["30 days", "90 days", "One year"], 1),
            ("How is Acme Cloud priced?", ["Per workload per month", "Per user per year", "One-off licence"], 0),
            (
                "Who is the ideal first customer?",
                ["A global bank", "A mid-sized company moving its first workloads", "A start-up of two people"],
                1,
            ),
        ],
    ),
    (
        "Deploying Acme Cloud",
        "technical",
        "Landing zones, migration waves and the hand-over checklist for technical partner staff.",
        [
            (
                "Landing zones",
                "Every customer starts with a landing zone: identity, network and logging set up before any workload moves.",
                "https://video.acme.example/landing-zones",
                "",
            ),
            (
                "Migration waves",
                (
                    "Move workloads in waves of 10 to 20, least critical first.\n\n"
                    "Use the hand-over checklist at the end of every wave."
                ),
                "",
                "https://files.acme.example/hand-over-checklist.pdf",
            ),
        ],
        [
            ("What comes before the first workload moves?", ["The invoice", "A landing zone", "A press release"], 1),
            ("Which workloads move first?", ["The least critical", "The most critical", "All at once"], 0),
            ("What closes every wave?", ["The hand-over checklist", "A new contract", "Nothing"], 0),
        ],
    ),
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
            self._onboarding(acme, owner, partners)
            self._training(acme, partners)
            self._deals(acme, owner, partners)
            self._ecosystem(acme, owner, partners)

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

    def _onboarding(self, tenant: Tenant, owner: User, partners: dict[str, PartnerOrganization]) -> None:
        """Capabilities, agreements, the questionnaire, the standard plan, plans and applications."""
        for name in CAPABILITIES:
            Capability.objects.get_or_create(tenant=tenant, slug=slugify(name), defaults={"name": name})
        if not OnboardingTemplate.objects.exists():
            agreement = AgreementVersion.objects.create(
                tenant=tenant, title="Partner Program Agreement", version="2026.1", body=AGREEMENT_TEXT
            )
            nda = AgreementVersion.objects.create(tenant=tenant, title="Mutual NDA", version="v3", body=NDA_TEXT)
            for position, (text, points) in enumerate(SECURITY_QUESTIONS, start=1):
                SecurityQuestion.objects.create(tenant=tenant, position=position, text=text, risk_points=points)
            template = OnboardingTemplate.objects.create(tenant=tenant, name="Standard onboarding")
            for position, (kind, title, due_days, depends_on, instructions) in enumerate(TEMPLATE_STEPS, start=1):
                OnboardingTemplateStep.objects.create(
                    tenant=tenant,
                    template=template,
                    position=position,
                    kind=kind,
                    title=title,
                    due_days=due_days,
                    depends_on=depends_on,
                    instructions=instructions,
                    agreement={"Sign the partner agreement": agreement, "Sign the NDA": nda}.get(title),
                )
        # Everyone still onboarding has a plan; so does Contoso, whose admin is a demo login.
        onboarding = [p for p in partners.values() if p.status == PartnerStatus.ONBOARDING] + [partners["contoso-ms.example"]]
        for partner in onboarding:
            if not OnboardingPlan.objects.filter(partner=partner).exists():
                plan_create_for_partner(tenant=tenant, actor=owner, partner=partner)
        for company, domain, partner_type, volume, contact, email in APPLICANTS:
            if not PartnerApplication.objects.filter(website_domain=domain).exists():
                application_submit(
                    tenant=tenant,
                    company_name=company,
                    website_domain=domain,
                    partner_type=partner_type,
                    expected_deal_volume=volume,
                    contact_name=contact,
                    contact_email=email,
                    capabilities=[slugify(CAPABILITIES[0]), slugify(CAPABILITIES[1])],
                    regions=["emea"],
                    country="DE",
                )

    def _training(self, tenant: Tenant, partners: dict[str, PartnerOrganization]) -> None:
        """Two published courses with their quizzes and learning paths; Northwind's rep holds the sales certification."""
        if Course.objects.exists():
            return
        courses = []
        for title, track, summary, modules, questions in COURSES:
            course = Course.objects.create(
                tenant=tenant, title=title, track=track, summary=summary, pass_mark=70, validity_months=12, is_published=True
            )
            for position, (module_title, body, video_url, asset_url) in enumerate(modules, start=1):
                CourseModule.objects.create(
                    tenant=tenant,
                    course=course,
                    position=position,
                    title=module_title,
                    body=body,
                    video_url=video_url,
                    asset_url=asset_url,
                    asset_label=asset_url.rsplit("/", 1)[-1] if asset_url else "",
                )
            for position, (text, choices, correct) in enumerate(questions, start=1):
                question = QuizQuestion.objects.create(tenant=tenant, course=course, position=position, text=text)
                for index, choice in enumerate(choices):
                    QuizChoice.objects.create(
                        tenant=tenant, question=question, position=index + 1, text=choice, is_correct=index == correct
                    )
            path = LearningPath.objects.create(tenant=tenant, track=track, title=f"{track.title()} path")
            LearningPathCourse.objects.create(tenant=tenant, path=path, course=course, position=1)
            courses.append(course)
        sales = courses[0]
        answers = {
            str(question.public_id): str(next(c for c in question.choices.all() if c.is_correct).public_id)
            for question in sales.questions.prefetch_related("choices")
        }
        rep = User.objects.get(email="rep@northwind.example")
        quiz_submit(tenant=tenant, actor=rep, partner_id=partners["northwind.example"].pk, course=sales, answers=answers)

    def _deals(self, tenant: Tenant, owner: User, partners: dict[str, PartnerOrganization]) -> None:
        """Product lines, the rules of engagement, registrations in every state, a conflict to review, a routed lead."""
        import datetime
        from decimal import Decimal

        from django.utils import timezone

        from deals.leads import lead_create, lead_route
        from deals.models import DealRegistration, EngagementRules, ProductLine
        from deals.registrations import registration_submit
        from deals.workflow import registration_approve, registration_update_stage

        for slug, name in (("compute", "Compute"), ("security", "Security"), ("data", "Data")):
            ProductLine.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name})
        EngagementRules.objects.get_or_create(
            tenant=tenant,
            defaults={"protection_days": 90, "auto_approve_below": Decimal("25000"), "currency": "USD", "approval_sla_hours": 48},
        )
        if DealRegistration.objects.exists():
            return
        northwind, fabrikam = partners["northwind.example"], partners["fabrikam.example"]
        nora = User.objects.get(email="admin@northwind.example")
        close = (timezone.localdate() + datetime.timedelta(days=75)).isoformat()

        def register(partner, actor, customer, domain, lines, value, stage="qualification"):
            values = {
                "customer_name": customer,
                "customer_domain": domain,
                "contact_name": "Jordan Buyer",
                "contact_email": f"jordan@{domain}",
                "product_lines": lines,
                "value": value,
                "currency": "USD",
                "expected_close_date": close,
                "stage": stage,
            }
            return registration_submit(tenant=tenant, actor=actor, partner_id=partner.pk, values=values).registration

        register(northwind, nora, "Soylent Foods", "soylent.example", ["compute"], "120000")
        approved = register(northwind, nora, "Tyrell Corporation", "tyrell.example", ["security", "data"], "340000", "proposal")
        registration_approve(tenant=tenant, actor=owner, registration=approved, reason="Strong sponsor at the customer.")
        won = register(fabrikam, None, "Massive Dynamic", "massivedynamic.example", ["data"], "80000", "negotiation")
        registration_approve(tenant=tenant, actor=owner, registration=won)
        registration_update_stage(
            tenant=tenant,
            actor=owner,
            registration=won,
            stage="closed_won",
            closed_amount="78500",
            closed_on=timezone.localdate(),
        )
        register(fabrikam, None, "Cyberdyne Systems", "cyberdyne.example", ["compute", "security"], "210000")
        register(northwind, nora, "Cyberdyne Systems Inc.", "cyberdyne.example", ["security"], "95000")  # under review
        register(northwind, nora, "Wayne Enterprises", "wayne.example", ["compute"], "18000")  # approved at once
        lead = lead_create(
            tenant=tenant,
            actor=owner,
            values={"company_name": "Stark Industries", "domain": "stark.example", "region": "emea", "contact_name": "Pepper"},
        )
        lead_route(tenant=tenant, actor=owner, lead=lead)

    def _ecosystem(self, tenant: Tenant, owner: User, partners: dict[str, PartnerOrganization]) -> None:
        """Joint solutions, business plans, the directory and collaborations, SLAs, account mapping, attribution,
        MDF, partner surveys, health and churn, the ideal partner profile, program economics."""
        from attribution import demo as attribution_demo
        from attribution.economics import demo as economics_demo
        from attribution.incentives import demo as incentives_demo
        from deals.mapping import demo as mapping_demo
        from deals.sla import demo as sla_demo
        from partners import demo as contact_demo
        from partners.directory import demo as directory_demo
        from partners.mdf import demo as mdf_demo
        from partners.plans import demo as plan_demo
        from partners.solutions import demo as solution_demo
        from partners.surveys import demo as survey_demo
        from scoring import demo as scoring_demo
        from scoring import fit_demo

        for area in (
            contact_demo,  # two or three contacts at every partner
            solution_demo,
            plan_demo,
            directory_demo,
            sla_demo,
            mapping_demo,
            attribution_demo,
            mdf_demo,  # after the deals demo: its campaigns tag registrations
            survey_demo,  # before the health scores, which read PSAT
            scoring_demo,
            fit_demo,
            economics_demo,
            incentives_demo,  # after economics: the renewal rebate reads its customer revenue
        ):
            area.seed(tenant=tenant, owner=owner, partners=partners)

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
