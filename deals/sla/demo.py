"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Eleven weeks of history measured by the SLAs: registrations decided quickly and late, a few still
waiting past the target, lead offers answered, expired and unanswered, co-sell invitations
answered and open. Rows are made through the services (so claims, teams and the audit are right)
and then dated back: the services stamp "now", and an SLA is about how long things took.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from deals.cosell import cosell_invite, cosell_respond
from deals.leads import lead_create, lead_offer_manual
from deals.models import (
    DealParticipant,
    DealRegistration,
    DecisionAction,
    Lead,
    LeadOffer,
    RegistrationDecision,
)
from deals.registrations import registration_submit
from deals.workflow import registration_approve, registration_reject
from ecosystem.errors import ApplicationError

from .services import sla_definitions_ensure

MARK = "-slahistory.example"  # the customers' domains end with it: the history is there already
HOUR = datetime.timedelta(hours=1)
COSELL_JOURNEY_PARTNERS = ("northwind.example", "fabrikam.example")
PARTNERS = ("northwind.example", "fabrikam.example", "tailspin.example", "contoso-ms.example", "globalmantics.example")
# hours a manager took to decide: most within 48 h, some late
DECISION_HOURS = (3, 6, 11, 19, 26, 31, 40, 44, 47, 52, 61, 75, 9, 22, 35, 90)
CUSTOMERS = (
    "Acme Freight", "Bluebird Health", "Cobalt Mining", "Delta Dairy", "Evergreen Schools", "Falcon Air",
    "Granite Bank", "Harbor Logistics", "Ion Energy", "Juniper Retail", "Kestrel Insurance", "Lumen Media",
    "Maple Foods", "Nimbus Telecom", "Orchid Pharma", "Pioneer Steel", "Quartz Labs", "Redwood Realty",
    "Summit Hotels", "Titan Motors",
)  # fmt: skip


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    sla_definitions_ensure(tenant=tenant)
    if DealRegistration.objects.filter(tenant=tenant, customer_domain__endswith=MARK).exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rng = random.Random(5)
    cast = [partners[domain] for domain in PARTNERS if domain in partners]
    decided = _registrations(tenant=tenant, owner=owner, cast=cast, now=now, rng=rng)
    _leads(tenant=tenant, owner=owner, cast=cast, now=now, rng=rng)
    _cosell(tenant=tenant, cast=cast, decided=decided, now=now)


def _backdate_registration(registration: DealRegistration, *, submitted_at, decided_at=None) -> None:
    DealRegistration.objects.filter(pk=registration.pk).update(submitted_at=submitted_at, decided_at=decided_at)
    decisions = RegistrationDecision.objects.filter(registration=registration)
    decisions.filter(action=DecisionAction.SUBMITTED).update(decided_at=submitted_at)
    if decided_at is not None:
        decisions.exclude(action=DecisionAction.SUBMITTED).update(decided_at=decided_at)


def _submit(*, tenant, partner, customer: str, n: int, value: int) -> DealRegistration | None:
    values = {
        "customer_name": customer,
        "customer_domain": f"{customer.lower().replace(' ', '-')}-{n}{MARK}",
        "contact_name": "Sam Buyer",
        "product_lines": ["compute"],
        "value": str(Decimal(value)),
        "currency": "USD",
        "expected_close_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "stage": "qualification",
    }
    try:
        with transaction.atomic():
            return registration_submit(tenant=tenant, actor=None, partner_id=partner.pk, values=values).registration
    except ApplicationError:  # this partner's sales access is not open yet: leave it out
        return None


def _registrations(*, tenant, owner, cast, now, rng) -> list[DealRegistration]:
    """Decided registrations over the last 80 days, and four still waiting (three of them past 48 h)."""
    decided = []
    for n, hours in enumerate(DECISION_HOURS):
        partner = cast[n % len(cast)]
        registration = _submit(tenant=tenant, partner=partner, customer=CUSTOMERS[n], n=n, value=30000 + 5000 * n)
        if registration is None:
            continue
        try:
            with transaction.atomic():
                if n % 5 == 4:
                    registration_reject(
                        tenant=tenant, actor=owner, registration=registration, reason="Existing direct engagement."
                    )
                else:
                    registration_approve(tenant=tenant, actor=owner, registration=registration)
                    decided.append(registration)
        except ApplicationError:  # a conflict with another demo deal: leave it waiting, undated
            continue
        submitted = now - datetime.timedelta(days=rng.randint(6, 80), hours=rng.randint(0, 12))
        _backdate_registration(registration, submitted_at=submitted, decided_at=submitted + hours * HOUR)
    for n, waited in enumerate((70, 100, 130, 10), start=len(DECISION_HOURS)):
        registration = _submit(tenant=tenant, partner=cast[n % len(cast)], customer=CUSTOMERS[n], n=n, value=40000)
        if registration is not None:
            _backdate_registration(registration, submitted_at=now - waited * HOUR)
    return decided


def _leads(*, tenant, owner, cast, now, rng) -> None:
    """Offers answered in 2-40 hours against 24, one expired unanswered, one still waiting past its target."""
    answers = ((4, "accepted"), (9, "accepted"), (20, "declined"), (30, "accepted"), (2, "accepted"), (40, "declined"))
    plan = [*answers, (None, "expired"), (None, "offered")]
    for n, (hours, status) in enumerate(plan):
        partner = cast[(n + 1) % len(cast)]
        lead = lead_create(
            tenant=tenant,
            actor=owner,
            values={"company_name": f"{CUSTOMERS[-n - 1]} Group", "region": "emea", "contact_name": "Alex Prospect"},
        )
        try:
            with transaction.atomic():
                offer = lead_offer_manual(tenant=tenant, actor=owner, lead=lead, partner=partner)
        except ApplicationError:
            continue
        offered = now - (30 * HOUR if status == "offered" else datetime.timedelta(days=rng.randint(3, 70)))
        responded = offered + (hours * HOUR if hours is not None else 24 * HOUR) if status != "offered" else None
        LeadOffer.objects.filter(pk=offer.pk).update(
            offered_at=offered, respond_by=offered + 24 * HOUR, status=status, responded_at=responded
        )
        if status == "offered":
            Lead.objects.filter(pk=lead.pk).update(respond_by=offered + 24 * HOUR)
        elif status == "accepted":
            Lead.objects.filter(pk=lead.pk).update(status="accepted", respond_by=None)
        else:  # declined or expired: nobody left to offer it to in the demo
            Lead.objects.filter(pk=lead.pk).update(status="unmatched", offered_to=None, respond_by=None)


def _cosell(*, tenant, cast, decided, now) -> None:
    """Invitations on approved registrations: answered in 10 h, 50 h and 100 h (late), and one open for 96 h."""
    plan = ((10, True), (50, False), (100, True), (None, None))
    for registration, (hours, accept) in zip(decided, plan, strict=False):
        # Never Northwind or Fabrikam: the co-sell browser journey starts from their empty co-sell pages.
        invitee = next(
            (p for p in cast if p.pk != registration.partner_id and p.website_domain not in COSELL_JOURNEY_PARTNERS), None
        )
        if invitee is None:
            return
        try:
            with transaction.atomic():
                participant = cosell_invite(
                    tenant=tenant,
                    actor=None,
                    partner_id=registration.partner_id,
                    registration=registration,
                    invitee=invitee,
                    role="implementation",
                )
                if accept is not None:
                    participant = cosell_respond(
                        tenant=tenant, actor=None, partner_id=invitee.pk, participant=participant, accept=accept
                    )
        except ApplicationError:
            continue
        if hours is None:
            invited = now - 96 * HOUR
        else:  # after the approval, and answered before now
            approved = DealRegistration.objects.filter(pk=registration.pk).values_list("decided_at", flat=True).first()
            invited = min(approved + 6 * HOUR, now - (hours + 1) * HOUR)
        DealParticipant.objects.filter(pk=participant.pk).update(
            invited_at=invited, responded_at=invited + hours * HOUR if hours is not None else None
        )
