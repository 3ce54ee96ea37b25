"""Direct sales takes a customer over only as the published rules of engagement allow."""

from __future__ import annotations

import datetime

import pytest

from deals.models import CustomerAccount, DealRegistration, RegistrationClaim, RegistrationDecision
from deals.takeover import registration_takeover
from deals.workflow import registration_approve
from ecosystem.errors import ApplicationError, ForbiddenError
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, rules_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


def approved(world, **rules):
    rules_for(world.a.tenant, **rules)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        return registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=registration)


def take(world, registration, **kwargs):
    with tenant_context(world.a.tenant.pk):
        return registration_takeover(
            tenant=world.a.tenant,
            actor=world.a.manager,
            registration=registration,
            reason=kwargs.pop("reason", "CFO asked"),
            **kwargs,
        )


def state(world, registration):
    with tenant_context(world.a.tenant.pk):
        fresh = DealRegistration.objects.get(pk=registration.pk)
        claims = RegistrationClaim.objects.filter(registration=registration, is_active=True).count()
        owner = CustomerAccount.objects.get(pk=fresh.account_id).owner_kind
    return fresh.status, claims, owner


def test_never_refuses_every_takeover_and_changes_nothing(world):
    registration = approved(world, direct_takeover="never")

    with pytest.raises(ForbiddenError) as refused:
        take(world, registration, partner_consented=True)

    assert refused.value.code == "takeover_never"
    assert state(world, registration) == ("approved", 1, "none")


def test_after_protection_waits_for_the_protection_to_end(world):
    registration = approved(world, direct_takeover="after_protection")
    with pytest.raises(ForbiddenError):
        take(world, registration)
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            protected_until=datetime.date.today() - datetime.timedelta(days=1)
        )

    take(world, registration)

    assert state(world, registration) == ("withdrawn", 0, "direct")
    with tenant_context(world.a.tenant.pk):
        decision = RegistrationDecision.objects.filter(registration=registration).latest("decided_at")
    assert decision.rule == "direct_takeover:after_protection" and "CFO asked" in decision.reason


def test_with_consent_needs_the_consent_recorded(world):
    registration = approved(world, direct_takeover="with_consent")
    with pytest.raises(ForbiddenError) as refused:
        take(world, registration)
    assert refused.value.code == "takeover_with_consent"

    take(world, registration, partner_consented=True, reason="Pat (partner admin) agreed on the phone")

    assert state(world, registration) == ("withdrawn", 0, "direct")


def test_a_reason_is_required(world):
    registration = approved(world, direct_takeover="with_consent")

    with pytest.raises(ApplicationError) as refused:
        take(world, registration, partner_consented=True, reason=" ")

    assert refused.value.field == "reason" and state(world, registration)[0] == "approved"


def test_the_portal_offers_it_only_when_allowed_and_analysts_may_not(client, world):
    registration = approved(world, direct_takeover="never")
    url = f"/t/alpha/deals/registrations/{registration.public_id}/"
    client.force_login(world.a.manager)
    assert 'data-testid="takeover"' not in client.get(url).content.decode()

    rules_for(world.a.tenant, direct_takeover="with_consent")
    assert 'data-testid="takeover"' in client.get(url).content.decode()
    client.force_login(world.a.analyst)
    refused = client.post(url + "takeover/", {"takeover-reason": "x", "takeover-partner_consented": "on"})
    client.force_login(world.a.manager)
    missing = client.post(url + "takeover/", {"takeover-reason": "Agreed by mail"})
    done = client.post(url + "takeover/", {"takeover-reason": "Agreed by mail", "takeover-partner_consented": "on"})

    assert refused.status_code == 403
    assert missing.status_code == 400 and "consent" in missing.content.decode()
    assert done.status_code == 302 and state(world, registration)[0] == "withdrawn"
