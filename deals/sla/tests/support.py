"""Rows with chosen timestamps, for measuring SLAs against hand-computed figures.

The rows are written directly (staff scope) with the timestamps a test needs: the services stamp
"now", and an SLA is about how long ago things happened. Each helper returns the row it made.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from deals.models import (
    CustomerAccount,
    DealParticipant,
    DealRegistration,
    DecisionAction,
    Lead,
    LeadOffer,
    RegistrationAppeal,
    RegistrationDecision,
    RegistrationExtension,
)
from ecosystem.tenancy.context import tenant_context

_numbers = itertools.count(1)
HOUR = datetime.timedelta(hours=1)


def registration(
    tenant, partner, *, submitted_at, decided: tuple[str, datetime.datetime] | None = None, status: str = ""
) -> DealRegistration:
    """A registration submitted at ``submitted_at``; ``decided``: (action, when) of its decision."""
    n = next(_numbers)
    with tenant_context(tenant.pk):
        account = CustomerAccount.objects.create(
            tenant=tenant, name=f"Customer {n}", name_key=f"customer {n}", domain=f"c{n}.example"
        )
        action, when = decided if decided else (None, None)
        final = status or {None: "pending", "approved": "approved", "auto_approved": "approved", "rejected": "rejected"}[action]
        row = DealRegistration.objects.create(
            tenant=tenant,
            partner=partner,
            account=account,
            customer_name=f"Customer {n}",
            customer_domain=f"c{n}.example",
            contact_name="Pat",
            product_lines=["compute"],
            value=Decimal("10000"),
            currency="USD",
            expected_close_date=timezone.localdate() + datetime.timedelta(days=60),
            status=final,
            team_partner_ids=[partner.pk],
            submitted_at=submitted_at,
            decided_at=when,
        )
        RegistrationDecision.objects.create(tenant=tenant, registration=row, partner=partner, action=DecisionAction.SUBMITTED)
        if action:
            decision = RegistrationDecision.objects.create(tenant=tenant, registration=row, partner=partner, action=action)
            RegistrationDecision.objects.filter(pk=decision.pk).update(decided_at=when)
        return row


def lead_offer(tenant, partner, *, offered_at, status: str = "offered", responded_at=None) -> LeadOffer:
    n = next(_numbers)
    with tenant_context(tenant.pk):
        lead = Lead.objects.create(
            tenant=tenant,
            company_name=f"Prospect {n}",
            status="offered" if status == "offered" else "accepted",
            offered_to=partner,
        )
        offer = LeadOffer.objects.create(
            tenant=tenant, lead=lead, partner=partner, status=status, respond_by=offered_at + 24 * HOUR, responded_at=responded_at
        )
        LeadOffer.objects.filter(pk=offer.pk).update(offered_at=offered_at)
        offer.refresh_from_db()
        return offer


def invitation(
    tenant, on: DealRegistration, partner, *, invited_at, status: str = "invited", responded_at=None, role: str = "implementation"
) -> DealParticipant:
    with tenant_context(tenant.pk):
        row = DealParticipant.objects.create(
            tenant=tenant,
            registration=on,
            partner=partner,
            role=role,
            status=status,
            team_partner_ids=[on.partner_id, partner.pk],
            responded_at=responded_at,
        )
        DealParticipant.objects.filter(pk=row.pk).update(invited_at=invited_at)
        row.refresh_from_db()
        return row


def extension(tenant, on: DealRegistration, *, requested_at, status: str = "requested", decided_at=None) -> RegistrationExtension:
    with tenant_context(tenant.pk):
        row = RegistrationExtension.objects.create(
            tenant=tenant, registration=on, partner_id=on.partner_id, reason="More time", status=status, decided_at=decided_at
        )
        RegistrationExtension.objects.filter(pk=row.pk).update(requested_at=requested_at)
        return row


def appeal(tenant, on: DealRegistration, *, submitted_at, status: str = "open", decided_at=None) -> RegistrationAppeal:
    with tenant_context(tenant.pk):
        row = RegistrationAppeal.objects.create(
            tenant=tenant,
            registration=on,
            partner_id=on.partner_id,
            reason="Please look again",
            status=status,
            decided_at=decided_at,
        )
        RegistrationAppeal.objects.filter(pk=row.pk).update(submitted_at=submitted_at)
        return row
