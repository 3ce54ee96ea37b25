"""Derived touchpoints: which platform rows become touches, and running the derivation twice creates nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from attribution.models import Touchpoint, TouchpointSource, TouchpointType
from attribution.touchpoints import touchpoints_derive
from deals.models import DealParticipant, Lead, LeadOffer
from deals.models.cosell import CoSellRole, ParticipantStatus
from deals.models.leads import OfferStatus
from deals.models.registrations import RegistrationStatus
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory

from .support import account, at, registration, touch

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def _platform_rows(a):
    """partner1 registers (and a rejected one), partner2 co-sells (accepted), partner3 is invited
    only, partner2 accepted a lead on the same account; another partner declined a lead."""
    partner3 = PartnerFactory(tenant=a.tenant)
    customer = account(a.tenant)
    deal = registration(a.tenant, a.partner1, customer, submitted=DAY)
    registration(a.tenant, a.partner1, account(a.tenant), submitted=DAY, status=RegistrationStatus.REJECTED)
    answered = at(DAY + datetime.timedelta(days=3))
    DealParticipant.objects.create(
        tenant=a.tenant,
        registration=deal,
        partner=a.partner2,
        role=CoSellRole.IMPLEMENTATION,
        status=ParticipantStatus.ACCEPTED,
        responded_at=answered,
    )
    DealParticipant.objects.create(
        tenant=a.tenant, registration=deal, partner=partner3, role=CoSellRole.INFLUENCING, status=ParticipantStatus.INVITED
    )
    DealParticipant.objects.create(
        tenant=a.tenant,
        registration=deal,
        partner=a.partner1,
        role=CoSellRole.SOURCING,
        status=ParticipantStatus.ACCEPTED,
        responded_at=answered,
    )
    lead = Lead.objects.create(tenant=a.tenant, company_name=customer.name, account=customer)
    LeadOffer.objects.create(
        tenant=a.tenant,
        lead=lead,
        partner=a.partner2,
        status=OfferStatus.ACCEPTED,
        respond_by=answered,
        responded_at=at(DAY + datetime.timedelta(days=5)),
    )
    LeadOffer.objects.create(
        tenant=a.tenant, lead=lead, partner=partner3, status=OfferStatus.DECLINED, respond_by=answered, responded_at=answered
    )
    return customer, deal


def test_derives_registration_cosell_and_lead_touches(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        customer, deal = _platform_rows(a)
        assert touchpoints_derive(tenant=a.tenant, actor=a.manager) == 3
        rows = list(
            Touchpoint.objects.order_by("occurred_at").values_list(
                "partner_id", "account_id", "registration_id", "touch_type", "source"
            )
        )
        assert rows == [
            (a.partner1.pk, customer.pk, deal.pk, TouchpointType.REGISTRATION, TouchpointSource.DERIVED),
            (a.partner2.pk, customer.pk, deal.pk, TouchpointType.COSELL, TouchpointSource.DERIVED),
            (a.partner2.pk, customer.pk, None, TouchpointType.LEAD_ACCEPTED, TouchpointSource.DERIVED),
        ]
        first = Touchpoint.objects.get(touch_type=TouchpointType.REGISTRATION)
        assert first.occurred_at == deal.submitted_at
        assert first.external_id == f"derived:registration:{deal.public_id}"
        assert AuditEntry.objects.filter(action="attribution.touchpoints_derive").count() == 1


def test_a_lead_an_mdf_campaign_generated_is_a_touch_of_the_campaigns_partner(world):
    from partners.mdf.tests.support import budget_for, funded, request_as

    a = world.a
    budget_for(a, allocations={a.partner1: "5000"})
    campaign = funded(a, a.partner1, a.partner1_admin)
    waiting = request_as(a, a.partner1, a.partner1_admin, title="Not decided yet", planned_spend="100")
    with tenant_context(a.tenant.pk):
        customer = account(a.tenant)
        lead = Lead.objects.create(tenant=a.tenant, company_name=customer.name, account=customer, mdf_request=campaign)
        Lead.objects.create(tenant=a.tenant, company_name="No account yet", mdf_request=campaign)  # not matched: no touch
        Lead.objects.create(tenant=a.tenant, company_name=customer.name, account=customer, mdf_request=waiting)  # not funded
        assert touchpoints_derive(tenant=a.tenant) == 1
        touch = Touchpoint.objects.get()
        assert (touch.partner_id, touch.account_id, touch.touch_type, touch.occurred_at) == (
            a.partner1.pk,
            customer.pk,
            TouchpointType.MDF_CAMPAIGN_LEAD,
            lead.created_at,
        )
        assert touch.external_id == f"derived:mdf_lead:{lead.public_id}"
        assert touchpoints_derive(tenant=a.tenant) == 0


def test_running_twice_creates_nothing_new(world, django_assert_max_num_queries):
    a = world.a
    with tenant_context(a.tenant.pk):
        _platform_rows(a)
        assert touchpoints_derive(tenant=a.tenant) == 3
        ids = set(Touchpoint.objects.values_list("id", flat=True))
        assert touchpoints_derive(tenant=a.tenant) == 0
        assert set(Touchpoint.objects.values_list("id", flat=True)) == ids
        # one query per source table plus the counts, the bulk insert and the audit row: not one per row
        with django_assert_max_num_queries(12):
            touchpoints_derive(tenant=a.tenant)


def test_external_id_is_unique_per_tenant_only(world):
    a, b = world.a, world.b
    with tenant_context(a.tenant.pk):
        customer = account(a.tenant)
        touch(a.tenant, a.partner1, customer, DAY, external_id="crm-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            touch(a.tenant, a.partner2, customer, DAY, external_id="crm-1")
        touch(a.tenant, a.partner2, customer, DAY)  # no external id: any number of them
        touch(a.tenant, a.partner2, customer, DAY)
    with tenant_context(b.tenant.pk):
        touch(b.tenant, b.partner1, account(b.tenant), DAY, external_id="crm-1")


def test_a_partner_reads_only_its_own_touchpoints(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        customer = account(a.tenant)
        mine = touch(a.tenant, a.partner1, customer, DAY)
        touch(a.tenant, a.partner2, customer, DAY)
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        assert list(Touchpoint.objects.values_list("id", flat=True)) == [mine.pk]
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            Touchpoint.objects.create(
                tenant=a.tenant,
                partner=a.partner2,
                account=customer,
                touch_type=TouchpointType.REFERRAL,
                occurred_at=timezone.now(),
                source=TouchpointSource.API,
            )
