"""Demo data for ``seed_demo`` (idempotent: once the tenant has an MDF budget, nothing is added).

This quarter's budget of 150,000 in the program currency, allocated to Northwind (40,000), Fabrikam
(25,000) and Contoso (10,000), plus 10,000 per partner of the best MDF-eligible tier when there is one.
Requests in every state:

* Northwind: *Cloud summit booth* (12,000, approved; claim of 11,500 approved and payable; two deals
  tagged with it, one won for 64,000 and one open for 90,000) and *Security webinar series* (6,000,
  partially approved for 4,000).
* Fabrikam: *Retail roadshow* (9,000, approved; claim of 8,800 paid, the campaign completed; a deal
  tagged with it won for 52,000), *Search ads* (5,000, waiting for a decision), *Partner webinar*
  (4,000; claim of 3,800 approved; a deal won for 36,000) and *Email nurture* (2,000; claim of 1,900
  approved; an open deal of 30,000).
* Contoso: *Customer golf day* (3,000, rejected: no hospitality), *Security workshop* (3,000; claim
  approved; no deal yet: Contoso is still onboarding, so it cannot register) and *MSP lunch and learn* (2,500, waiting).

Five campaigns have ended with an approved claim, so the waiting requests show a predicted return.

So the campaigns page shows spend, pipeline, revenue and ROPI straight away.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

INVOICE = b"%PDF-1.4\n% demo invoice\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from deals.registrations import registration_submit
    from deals.workflow import registration_approve, registration_update_stage
    from ecosystem.accounts.models import User
    from partners.mdf import services
    from partners.mdf.models import MdfBudget
    from partners.models import Tier

    if MdfBudget.objects.filter(tenant=tenant).exists():
        return
    northwind, fabrikam, contoso = partners["northwind.example"], partners["fabrikam.example"], partners["contoso-ms.example"]
    nora = User.objects.filter(email="admin@northwind.example").first()
    carl = User.objects.filter(email="admin@contoso-ms.example").first()
    today = timezone.localdate()
    year, quarter = services.quarter_of(today)
    budget = services.budget_create(tenant=tenant, actor=owner, year=year, quarter=quarter, amount="150000", notes="Demo")
    for partner, amount in ((northwind, "40000"), (fabrikam, "25000"), (contoso, "10000")):
        services.allocation_set(tenant=tenant, actor=owner, budget=budget, partner=partner, amount=amount)
    best_tier = Tier.objects.filter(tenant=tenant, mdf_eligible=True).order_by("-rank").first()
    if best_tier is not None:
        services.allocation_set(tenant=tenant, actor=owner, budget=budget, tier=best_tier, amount="10000")

    start = _quarter_start(today)

    def ask(partner, actor, title, activity, spend, leads, pipeline, days):
        values = {
            "activity_type": activity,
            "title": title,
            "description": f"{title} for {partner.name}'s customers and prospects.",
            "planned_spend": spend,
            "expected_leads": leads,
            "expected_pipeline": pipeline,
            "start_date": start.isoformat(),
            "end_date": (start + datetime.timedelta(days=days)).isoformat(),
        }
        return services.request_submit(tenant=tenant, actor=actor, partner_id=partner.pk, values=values)

    def decide(request, decision, amount=None, reason=""):
        return services.request_decide(
            tenant=tenant, actor=owner, request=request, decision=decision, amount=amount, reason=reason
        )

    def claim(request, actor, amount, leads, attendees):
        return services.claim_submit(
            tenant=tenant,
            actor=actor,
            partner_id=request.partner_id,
            request=request,
            values={"claimed_amount": amount, "leads_generated": leads, "attendees": attendees, "notes": "Invoices attached."},
            files=[SimpleUploadedFile("invoice.pdf", INVOICE, content_type="application/pdf")],
        )

    def tagged_deal(partner, actor, campaign, customer, domain, value, *, won: str | None = None):
        values = {
            "customer_name": customer,
            "customer_domain": domain,
            "contact_name": "Jordan Buyer",
            "contact_email": f"jordan@{domain}",
            "product_lines": ["compute"],
            "value": value,
            "currency": budget.currency,
            "expected_close_date": (today + datetime.timedelta(days=60)).isoformat(),
            "stage": "proposal",
            "mdf_request": str(campaign.public_id),
        }
        registration = registration_submit(tenant=tenant, actor=actor, partner_id=partner.pk, values=values).registration
        if won is not None:
            if registration.status != "approved":
                registration_approve(tenant=tenant, actor=owner, registration=registration, reason="MDF campaign deal.")
            registration_update_stage(
                tenant=tenant, actor=owner, registration=registration, stage="closed_won", closed_amount=won, closed_on=today
            )

    summit = decide(ask(northwind, nora, "Cloud summit booth", "event", "12000", 60, "400000", 3), "approve")
    services.claim_decide(tenant=tenant, actor=owner, claim=claim(summit, nora, "11500", 48, 320), approve=True)
    tagged_deal(northwind, nora, summit, "Globex Logistics", "globex-logistics.example", "70000", won="64000")
    tagged_deal(northwind, nora, summit, "Vandelay Industries", "vandelay.example", "90000")
    decide(
        ask(northwind, nora, "Security webinar series", "webinar", "6000", 40, "150000", 30),
        "partial",
        amount="4000",
        reason="Two sessions this quarter.",
    )

    roadshow = decide(ask(fabrikam, None, "Retail roadshow", "event", "9000", 35, "250000", 10), "approve")
    paid = services.claim_decide(tenant=tenant, actor=owner, claim=claim(roadshow, None, "8800", 31, 140), approve=True)
    services.claim_mark_paid(tenant=tenant, actor=owner, claim=paid)
    tagged_deal(fabrikam, None, roadshow, "Initrode", "initrode.example", "55000", won="52000")
    ask(fabrikam, None, "Search ads", "digital", "5000", 80, "120000", 60)
    # two more campaigns that have ended (and Contoso's workshop below), so a waiting request's predicted
    # return (scoring.mdf_return) has past campaigns to learn from
    webinar = decide(ask(fabrikam, None, "Partner webinar", "webinar", "4000", 25, "90000", 20), "approve")
    services.claim_decide(tenant=tenant, actor=owner, claim=claim(webinar, None, "3800", 21, 95), approve=True)
    tagged_deal(fabrikam, None, webinar, "Brightwave Media", "brightwave-media.example", "40000", won="36000")
    nurture = decide(ask(fabrikam, None, "Email nurture", "email", "2000", 30, "60000", 10), "approve")
    services.claim_decide(tenant=tenant, actor=owner, claim=claim(nurture, None, "1900", 18, 0), approve=True)
    tagged_deal(fabrikam, None, nurture, "Northcove Clinics", "northcove-clinics.example", "30000")

    golf = ask(contoso, carl, "Customer golf day", "event", "3000", 10, "60000", 1)
    decide(golf, "reject", reason="Outside the program's guidelines: no hospitality events.")
    workshop = decide(ask(contoso, carl, "Security workshop", "event", "3000", 12, "50000", 5), "approve")
    services.claim_decide(tenant=tenant, actor=owner, claim=claim(workshop, carl, "3000", 12, 40), approve=True)
    ask(contoso, carl, "MSP lunch and learn", "training", "2500", 15, "45000", 1)
