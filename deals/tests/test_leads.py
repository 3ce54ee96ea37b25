"""Lead flows (deals.leads): create, route, offer by hand, accept, decline and re-route, the SLA sweep,
unmatched, withdraw, convert into a registration; what each partner can still read; emails after commit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from deals import leads
from deals.lead_tasks import lead_expire_task
from deals.models import CustomerAccount, DealRegistration, Lead, LeadOffer
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization

from .support import product_lines_for, rules_for


@pytest.fixture(autouse=True)
def setup(world):
    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, lead_response_hours=48)
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk__in=[world.a.partner1.pk, world.a.partner2.pk]).update(regions=["emea"])


def staff(world):
    return tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk)


def as_partner(world, partner, user):
    return tenant_context(world.a.tenant.pk, partner_id=partner.pk, user_id=user.pk)


def new_lead(world, **values) -> Lead:
    with staff(world):
        return leads.lead_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            values={
                "company_name": "Initech Inc.",
                "domain": "www.initech.example",
                "region": "emea",
                "product_lines": ["compute"],
                "estimated_value": "40000",
                "currency": "USD",
                "contact_name": "Bill Lumbergh",
                **values,
            },
        )


def offer_to(world, lead, partner) -> LeadOffer:
    with staff(world):
        return leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=partner)


def reload(world, lead) -> Lead:
    with tenant_context(world.a.tenant.pk):
        return Lead.objects.get(pk=lead.pk)


def offers(world, lead) -> list[tuple[str, str]]:
    with tenant_context(world.a.tenant.pk):
        return list(LeadOffer.objects.filter(lead=lead).order_by("id").values_list("partner__name", "status"))


def visible_to(world, partner, lead) -> bool:
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
        return Lead.objects.filter(pk=lead.pk).exists()


def test_a_new_lead_is_checked_field_by_field_and_linked_to_the_customer_account(world):
    with staff(world), pytest.raises(ApplicationError) as error:
        leads.lead_create(tenant=world.a.tenant, actor=world.a.manager, values={"company_name": "X", "region": "mars"})
    assert error.value.field == "region"
    with staff(world), pytest.raises(ApplicationError) as error:
        leads.lead_create(tenant=world.a.tenant, actor=world.a.manager, values={"company_name": "X", "capabilities": ["nope"]})
    assert error.value.field == "capabilities"

    lead = new_lead(world)

    with tenant_context(world.a.tenant.pk):
        account = CustomerAccount.objects.get()
        assert AuditEntry.objects.filter(action="deals.lead_create", object_id=str(lead.public_id)).exists()
    assert (lead.status, lead.account_id, account.root_domain) == ("new", account.pk, "initech.example")


def test_routing_offers_the_lead_records_why_and_emails_the_partners_admins_after_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    lead = new_lead(world, partner_type="msp")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, staff(world):
        offer = leads.lead_route(tenant=world.a.tenant, actor=world.a.manager, lead=lead)
        assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    lead = reload(world, lead)
    assert (lead.status, lead.offered_to_id, offer.partner_id) == ("offered", world.a.partner2.pk, world.a.partner2.pk)
    assert lead.respond_by == offer.respond_by
    assert before + datetime.timedelta(hours=48) <= offer.respond_by <= timezone.now() + datetime.timedelta(hours=48)
    assert offer.routing["widened_to"] == "same_region" and offer.routing["candidates"] == 1
    assert offer.routing["chosen"]["partner_id"] == str(world.a.partner2.public_id)
    assert [m.to for m in mailoutbox] == [[world.a.partner2_admin.email]]
    assert "Initech Inc." in mailoutbox[0].body and "/p/alpha/leads/" in mailoutbox[0].body
    assert visible_to(world, world.a.partner2, lead) and not visible_to(world, world.a.partner1, lead)


def test_a_decline_needs_a_reason_and_goes_to_the_next_partner_at_once(world):
    lead = new_lead(world)
    offer_to(world, lead, world.a.partner1)

    with as_partner(world, world.a.partner1, world.a.partner1_admin), pytest.raises(ApplicationError) as error:
        leads.lead_decline(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead, reason=" "
        )
    assert error.value.field == "reason"
    with as_partner(world, world.a.partner1, world.a.partner1_admin):
        nxt = leads.lead_decline(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            lead=lead,
            reason="Not our vertical",
        )

    assert nxt.partner_id == world.a.partner2.pk
    assert offers(world, lead) == [("Alpha Reseller", "declined"), ("Alpha MSP", "offered")]
    assert reload(world, lead).offered_to_id == world.a.partner2.pk
    assert not visible_to(world, world.a.partner1, lead)
    with tenant_context(world.a.tenant.pk):
        assert LeadOffer.objects.get(partner=world.a.partner1).decline_reason == "Not our vertical"


def test_an_unanswered_offer_is_pulled_back_by_the_sweep_and_offered_to_the_next_partner(world):
    lead = new_lead(world)
    offer_to(world, lead, world.a.partner1)
    later = timezone.now() + datetime.timedelta(hours=49)

    with tenant_context(world.a.tenant.pk):
        assert leads.lead_expire_sweep(tenant=world.a.tenant, now=timezone.now()) == 0  # not due yet
        assert leads.lead_expire_sweep(tenant=world.a.tenant, now=later) == 1
        assert leads.lead_expire_sweep(tenant=world.a.tenant, now=later) == 0  # twice is harmless

    assert offers(world, lead) == [("Alpha Reseller", "expired"), ("Alpha MSP", "offered")]
    assert not visible_to(world, world.a.partner1, lead)  # the first partner never sees it again
    assert visible_to(world, world.a.partner2, lead)
    with as_partner(world, world.a.partner1, world.a.partner1_admin):
        assert list(leads.leads_for_partner(tenant=world.a.tenant, partner_id=world.a.partner1.pk)) == []


def test_when_everyone_declined_or_expired_the_lead_is_unmatched_with_the_reason(world):
    lead = new_lead(world)
    offer_to(world, lead, world.a.partner1)
    with as_partner(world, world.a.partner1, world.a.partner1_admin):
        leads.lead_decline(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead, reason="No"
        )

    lead_expire_task.apply(args=[world.a.tenant.pk])  # not due: nothing happens
    assert reload(world, lead).offered_to_id == world.a.partner2.pk
    with tenant_context(world.a.tenant.pk):
        leads.lead_expire_sweep(tenant=world.a.tenant, now=timezone.now() + datetime.timedelta(days=3))

    lead = reload(world, lead)
    assert (lead.status, lead.offered_to_id, lead.respond_by) == ("unmatched", None, None)
    with tenant_context(world.a.tenant.pk):
        assert "declined or let this lead expire (2 did)" in leads.unmatched_reason(lead=lead)
        # a manager may not hand it back to a partner who declined
        with pytest.raises(ApplicationError) as error:
            leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=world.a.partner1)
    assert error.value.code == "partner_declined"


def test_accept_then_convert_creates_the_registration_and_the_lead_links_it(world):
    lead = new_lead(world)
    offer_to(world, lead, world.a.partner1)
    with as_partner(world, world.a.partner1, world.a.partner1_admin):
        leads.lead_accept(tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead)
        due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
        submitted = leads.lead_convert(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            lead=lead,
            values={"expected_close_date": due, "stage": "proposal", "value": "75000"},
        )

    lead = reload(world, lead)
    registration = submitted.registration
    assert (lead.status, lead.registration_id) == ("converted", registration.pk)
    assert (registration.partner_id, registration.customer_name, registration.customer_domain) == (
        world.a.partner1.pk,
        "Initech Inc.",
        "initech.example",
    )
    assert (registration.value, registration.product_lines, registration.contact_name) == (75000, ["compute"], "Bill Lumbergh")
    assert offers(world, lead) == [("Alpha Reseller", "accepted")]
    with tenant_context(world.a.tenant.pk):
        assert DealRegistration.objects.count() == 1
        assert AuditEntry.objects.filter(action="deals.lead_convert").count() == 1


def test_another_partner_cannot_answer_or_convert_and_a_late_answer_is_refused(world):
    lead = new_lead(world)
    offer = offer_to(world, lead, world.a.partner1)
    with as_partner(world, world.a.partner2, world.a.partner2_admin), pytest.raises(NotFoundError):
        leads.lead_accept(tenant=world.a.tenant, actor=world.a.partner2_admin, partner_id=world.a.partner2.pk, lead=lead)
    with tenant_context(world.a.tenant.pk):
        LeadOffer.objects.filter(pk=offer.pk).update(respond_by=timezone.now() - datetime.timedelta(minutes=1))
    with as_partner(world, world.a.partner1, world.a.partner1_admin), pytest.raises(ConflictError) as error:
        leads.lead_accept(tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead)
    assert error.value.code == "offer_expired"
    with as_partner(world, world.a.partner1, world.a.partner1_admin), pytest.raises(ConflictError):
        leads.lead_convert(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=lead, values={}
        )
    assert reload(world, lead).status == "offered"


def test_a_manual_offer_withdraws_the_open_one_and_withdrawing_the_lead_hides_it(world):
    lead = new_lead(world)
    offer_to(world, lead, world.a.partner1)
    offer = offer_to(world, lead, world.a.partner2)

    assert offer.manual and offer.routing["rule"] == "manual"
    assert offers(world, lead) == [("Alpha Reseller", "withdrawn"), ("Alpha MSP", "offered")]
    with staff(world):
        leads.lead_withdraw(tenant=world.a.tenant, actor=world.a.manager, lead=lead, reason="Customer went direct")
        with pytest.raises(ConflictError):
            leads.lead_route(tenant=world.a.tenant, actor=world.a.manager, lead=lead)
    assert offers(world, lead) == [("Alpha Reseller", "withdrawn"), ("Alpha MSP", "withdrawn")]
    assert reload(world, lead).status == "withdrawn"
    assert not visible_to(world, world.a.partner2, lead)


def test_a_partner_without_sales_access_cannot_be_offered_a_lead(world):
    from tests.fixtures import onboarding_plan_for

    onboarding_plan_for(world.a.tenant, world.a.partner1)
    lead = new_lead(world)
    with staff(world), pytest.raises(ApplicationError) as error:
        leads.lead_offer_manual(tenant=world.a.tenant, actor=world.a.manager, lead=lead, partner=world.a.partner1)
    assert error.value.code == "onboarding_incomplete"
    with staff(world):
        offer = leads.lead_route(tenant=world.a.tenant, actor=world.a.manager, lead=lead)
    assert offer.partner_id == world.a.partner2.pk


def test_retiring_a_partner_moves_its_open_and_accepted_leads_on_at_once(world):
    from partners.lifecycle import partner_retire

    offered = new_lead(world)
    accepted = new_lead(world, company_name="Globex", domain="globex.example")
    offer_to(world, offered, world.a.partner1)
    offer_to(world, accepted, world.a.partner1)
    with as_partner(world, world.a.partner1, world.a.partner1_admin):
        leads.lead_accept(tenant=world.a.tenant, actor=world.a.partner1_admin, partner_id=world.a.partner1.pk, lead=accepted)

    with staff(world):
        partner_retire(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, reason="Contract ended")

    for lead in (offered, accepted):
        assert reload(world, lead).offered_to_id == world.a.partner2.pk
        assert not visible_to(world, world.a.partner1, lead)
    assert offers(world, offered)[0][1] == "withdrawn"
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="deals.lead_release").count() == 2
