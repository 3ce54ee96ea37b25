"""Every test gets two tenants and the personas: owner, partner manager, analyst, partner admins and
a rep of two partner organisations, a revoked member, the other tenant's owner, and an outsider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ecosystem.accounts.models import Membership, Role, User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .factories import MembershipFactory, PartnerFactory, TenantFactory, UserFactory


@dataclass
class TenantWorld:
    tenant: Tenant
    owner: User
    manager: User
    analyst: User
    partner1: PartnerOrganization
    partner2: PartnerOrganization
    partner1_admin: User
    partner1_rep: User
    partner2_admin: User
    revoked: User


@dataclass
class World:
    a: TenantWorld
    b: TenantWorld
    outsider: User


def build_tenant(slug: str) -> TenantWorld:
    tenant = TenantFactory(slug=slug, name=slug.title())
    with tenant_context(tenant.pk):
        partner1 = PartnerFactory(tenant=tenant, name=f"{slug.title()} Reseller", website_domain=f"reseller.{slug}.example")
        partner2 = PartnerFactory(
            tenant=tenant, name=f"{slug.title()} MSP", partner_type="msp", website_domain=f"msp.{slug}.example"
        )

        def member(role: str, partner=None, **kwargs) -> User:
            user = UserFactory(email=f"{role}-{kwargs.pop('tag', '')}{slug}@example.com".replace("--", "-"))
            MembershipFactory(tenant=tenant, user=user, role=role, partner=partner, **kwargs)
            return user

        return TenantWorld(
            tenant=tenant,
            owner=member(Role.OWNER),
            manager=member(Role.PARTNER_MANAGER),
            analyst=member(Role.ANALYST),
            partner1=partner1,
            partner2=partner2,
            partner1_admin=member(Role.PARTNER_ADMIN, partner1, tag="p1-"),
            partner1_rep=member(Role.PARTNER_REP, partner1, tag="p1-"),
            partner2_admin=member(Role.PARTNER_ADMIN, partner2, tag="p2-"),
            revoked=member(Role.PARTNER_MANAGER, is_active=False, tag="revoked-"),
        )


@pytest.fixture
def world(db) -> World:
    return World(a=build_tenant("alpha"), b=build_tenant("beta"), outsider=UserFactory(email="outsider@example.com"))


@pytest.fixture
def committed_world(transactional_db) -> World:
    """The same world, committed: for tests with a live server or a real worker."""
    return World(a=build_tenant("alpha"), b=build_tenant("beta"), outsider=UserFactory(email="outsider@example.com"))


@pytest.fixture
def in_tenant():
    """``with in_tenant(world.a): ...`` runs the block inside that tenant's scope."""

    def enter(tenant_world: TenantWorld, partner: PartnerOrganization | None = None):
        return tenant_context(tenant_world.tenant.pk, partner_id=partner.pk if partner else None)

    return enter


def membership_of(user: User, tenant: Tenant) -> Membership:
    with tenant_context(tenant.pk):
        return Membership.objects.select_related("partner").get(user=user)


def onboarding_plan_for(tenant: Tenant, partner: PartnerOrganization):
    """A standard plan for ``partner``: 1 agreement, 2 security review, 3 custom task (depends on 1)."""
    from onboarding.models import AgreementVersion, OnboardingTemplate, OnboardingTemplateStep, SecurityQuestion
    from onboarding.services import plan_create_for_partner

    with tenant_context(tenant.pk):
        template = OnboardingTemplate.objects.filter(partner_type="", is_active=True).first()
        if template is None:
            agreement = AgreementVersion.objects.create(
                tenant=tenant, title="Partner agreement", version="2026-1", body="The partner agrees to the program terms."
            )
            template = OnboardingTemplate.objects.create(tenant=tenant, name="Standard onboarding")
            for position, kind, title, extra in (
                (1, "agreement", "Sign the partner agreement", {"agreement": agreement}),
                (2, "security_review", "Security questionnaire", {}),
                (3, "custom_task", "Book the kickoff call", {"depends_on": [1]}),
            ):
                OnboardingTemplateStep.objects.create(
                    tenant=tenant, template=template, position=position, kind=kind, title=title, **extra
                )
            SecurityQuestion.objects.create(
                tenant=tenant, position=1, text="Do you encrypt customer data at rest?", risk_points=30
            )
            SecurityQuestion.objects.create(tenant=tenant, position=2, text="Do you enforce MFA for all staff?", risk_points=30)
        return plan_create_for_partner(tenant=tenant, actor=None, partner=partner)


def training_course_for(
    tenant: Tenant,
    *,
    title: str = "Selling the platform",
    track: str = "sales",
    pass_mark: int = 80,
    validity_months: int = 12,
    questions: int = 3,
    is_published: bool = True,
):
    """A course with two modules and ``questions`` questions of three choices each; the first choice is correct."""
    from onboarding.models import Course, CourseModule, QuizChoice, QuizQuestion

    with tenant_context(tenant.pk):
        course = Course.objects.create(
            tenant=tenant,
            title=title,
            summary="What the product does and for whom.",
            track=track,
            pass_mark=pass_mark,
            validity_months=validity_months,
            is_published=is_published,
        )
        CourseModule.objects.create(
            tenant=tenant,
            course=course,
            position=1,
            title="The pitch",
            body="Who buys.\n\nWhy they buy.",
            video_url="https://video.example/pitch",
        )
        CourseModule.objects.create(
            tenant=tenant,
            course=course,
            position=2,
            title="Pricing",
            body="Per seat, per year.",
            asset_url="https://files.example/pricing.pdf",
            asset_label="Price list",
        )
        for position in range(1, questions + 1):
            question = QuizQuestion.objects.create(tenant=tenant, course=course, position=position, text=f"Question {position}?")
            for choice in range(1, 4):
                QuizChoice.objects.create(
                    tenant=tenant, question=question, position=choice, text=f"Answer {position}.{choice}", is_correct=choice == 1
                )
    return course


def quiz_answers(course, *, correct: int) -> dict[str, str]:
    """Answers to ``course``'s quiz (built by training_course_for): the first ``correct`` questions right."""
    with tenant_context(course.tenant_id):
        answers = {}
        for index, question in enumerate(course.questions.order_by("position").prefetch_related("choices")):
            choices = sorted(question.choices.all(), key=lambda c: c.position)
            answers[str(question.public_id)] = str((choices[0] if index < correct else choices[1]).public_id)
    return answers
