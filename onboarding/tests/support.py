"""Small builders shared by the onboarding tests: an application, an onboarding partner, a plan's steps."""

from __future__ import annotations

import itertools
import random
from typing import Any

from ecosystem.accounts.models import Role, User
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from onboarding import services
from onboarding.models import OnboardingPlan, OnboardingStep, PartnerApplication, SecurityQuestion
from partners.models import PartnerOrganization, PartnerStatus
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.fixtures import onboarding_plan_for

AGREEMENT, SECURITY_REVIEW, KICKOFF = 1, 2, 3  # positions in tests.fixtures.onboarding_plan_for's template
AGREEMENT_TITLE = "Sign the partner agreement"
SECURITY_REVIEW_TITLE = "Security questionnaire"
KICKOFF_TITLE = "Book the kickoff call"

_addresses = itertools.count(1)
_run = random.randint(0, 255)


def fresh_ip() -> str:
    """A client address no other test uses: the rate-limit counters live in a shared Redis."""
    n = next(_addresses)
    return f"10.{_run}.{n // 250}.{n % 250 + 1}"


def application_values(**overrides: Any) -> dict[str, Any]:
    """What a person types into the public application page (as the form or the service takes it)."""
    values = {
        "company_name": "Nimbus Networks",
        "website_domain": "https://www.Nimbus.example/about",
        "partner_type": "reseller",
        "regions": ["emea"],
        "country": "DE",
        "expected_deal_volume": "10_50",
        "contact_name": "Nia Novak",
        "contact_email": "Nia@Nimbus.example",
        "message": "We resell to mid-sized manufacturers.",
    }
    values.update(overrides)
    return values


def submit_application(tenant: Tenant, **overrides: Any) -> services.SubmittedApplication:
    with tenant_context(tenant.pk):
        return services.application_submit(tenant=tenant, **application_values(**overrides))


def reject(tenant: Tenant, application: PartnerApplication, *, reason: str = "Not a fit this year") -> PartnerApplication:
    with tenant_context(tenant.pk):
        return services.application_reject(tenant=tenant, actor=None, application=application, reason=reason)


def applications_of(tenant: Tenant) -> list[PartnerApplication]:
    with tenant_context(tenant.pk):
        return list(PartnerApplication.objects.order_by("id"))


def reload_application(application: PartnerApplication) -> PartnerApplication:
    with tenant_context(application.tenant_id):
        return PartnerApplication.objects.get(pk=application.pk)


def audit_actions(tenant: Tenant) -> list[str]:
    with tenant_context(tenant.pk):
        return list(
            AuditEntry.objects.exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True)
        )  # not the sign-ins


def onboarding_partner(tenant: Tenant, **kwargs: Any) -> PartnerOrganization:
    """A partner in the ``onboarding`` status with the standard plan (see tests.fixtures.onboarding_plan_for)."""
    with tenant_context(tenant.pk):
        partner = PartnerFactory(tenant=tenant, status=PartnerStatus.ONBOARDING, **kwargs)
    onboarding_plan_for(tenant, partner)
    return partner


def partner_admin_of(tenant: Tenant, partner: PartnerOrganization, *, email: str) -> User:
    with tenant_context(tenant.pk):
        user = UserFactory(email=email)
        MembershipFactory(tenant=tenant, user=user, role=Role.PARTNER_ADMIN, partner=partner)
    return user


def plan_of(tenant: Tenant, partner: PartnerOrganization) -> OnboardingPlan:
    with tenant_context(tenant.pk):
        return OnboardingPlan.objects.get(partner=partner, status="in_progress")


def step_of(tenant: Tenant, partner: PartnerOrganization, position: int) -> OnboardingStep:
    """The step at ``position`` of the partner's newest plan."""
    with tenant_context(tenant.pk):
        return (
            OnboardingStep.objects.select_related("plan", "agreement", "partner")
            .filter(partner=partner, position=position)
            .latest("id")
        )


def answers_for(tenant: Tenant, *, no: int = 0) -> dict[str, bool]:
    """Answers to the tenant's active security questions: the first ``no`` answered "no", the rest "yes"."""
    with tenant_context(tenant.pk):
        ids = [str(q.public_id) for q in SecurityQuestion.objects.filter(is_active=True)]
    return {question_id: position >= no for position, question_id in enumerate(ids)}


def statuses_of_steps(tenant: Tenant, partner: PartnerOrganization) -> list[tuple[int, str]]:
    with tenant_context(tenant.pk):
        return list(OnboardingStep.objects.filter(partner=partner).order_by("id").values_list("position", "status"))
