"""A person with records in tenant A (and, when asked, in tenant B too), built through the real services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ecosystem.accounts.models import Invitation, Role
from ecosystem.tenancy.context import tenant_context
from onboarding.models import OnboardingStep
from onboarding.services.reviews import agreement_sign
from partners.mdf.models import MdfBudget
from partners.mdf.tests.support import budget_for, request_as
from partners.services import engagement_record
from tests.factories import MembershipFactory
from tests.fixtures import onboarding_plan_for

NAME = "Rita Repsworth"
IP = "203.0.113.7"


@dataclass
class Held:
    """What tenant A holds about the person: ids of their records there."""

    mdf_request: str
    signature: str
    step: str
    events: list[int]
    invitation: str


def give_records(tenant_world, user, partner) -> Held:
    """In ``tenant_world``: the person signs the agreement step, submits an MDF request, logs in twice,
    and an invitation to their address exists."""
    plan = onboarding_plan_for(tenant_world.tenant, partner)
    with tenant_context(tenant_world.tenant.pk, partner_id=partner.pk, user_id=user.pk):
        step = OnboardingStep.objects.get(plan=plan, kind="agreement")
        signature = agreement_sign(tenant=tenant_world.tenant, actor=user, step=step, typed_name=NAME, accepted=True, ip=IP)
    with tenant_context(tenant_world.tenant.pk):
        has_budget = MdfBudget.objects.exists()
    if not has_budget:
        budget_for(tenant_world, "10000", allocations={partner: "3000"})
    mdf_request = request_as(tenant_world, partner, user, title="Rita's roadshow")
    with tenant_context(tenant_world.tenant.pk):
        logins = [
            engagement_record(
                tenant=tenant_world.tenant,
                partner_id=partner.pk,
                kind="login",
                user=user,
                at=timezone.now() - datetime.timedelta(days=d),
            ).pk
            for d in (1, 2)
        ]
        invitation = Invitation.objects.create(
            tenant=tenant_world.tenant,
            email=user.email.upper(),  # matched without regard to case
            role=Role.PARTNER_REP,
            partner=partner,
            token_hash=f"probe-{tenant_world.tenant.slug}",
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
    return Held(
        mdf_request=str(mdf_request.public_id),
        signature=str(signature.public_id),
        step=str(step.public_id),
        events=logins,
        invitation=str(invitation.public_id),
    )


def named(user, full_name: str = NAME):
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


def also_member_of(tenant_world, user, partner):
    with tenant_context(tenant_world.tenant.pk):
        return MembershipFactory(tenant=tenant_world.tenant, user=user, role=Role.PARTNER_REP, partner=partner)
