"""factory_boy factories. Tenant-owned rows must be built inside ``tenant_context`` (the managers insist)."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from ecosystem.accounts.models import Membership, Role, User
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, PartnerType


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"vendor-{n}")
    name = factory.Sequence(lambda n: f"Vendor {n}")
    require_staff_mfa = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganization

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_type = PartnerType.RESELLER
    website_domain = factory.Sequence(lambda n: f"partner{n}.example")
    country = "DE"
    status = PartnerStatus.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    """Keeps the membership in its partner's tenant when a partner is given."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PARTNER_MANAGER
    partner = None
    tenant = factory.LazyAttribute(lambda m: m.partner.tenant if m.partner else TenantFactory())
