"""Set-up shared by the directory tests: capabilities, published profiles, a third partner."""

from __future__ import annotations

from django.utils.text import slugify

from ecosystem.tenancy.context import tenant_context
from partners.directory.models import DirectoryProfile
from partners.models import Capability
from tests.factories import MembershipFactory, PartnerFactory, UserFactory


def capabilities_for(tenant) -> None:
    with tenant_context(tenant.pk):
        for slug, name in (("security", "Security"), ("cloud-migration", "Cloud migration"), ("healthcare", "Healthcare")):
            Capability.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name})


def profile_for(partner, *, published: bool = True, **values) -> DirectoryProfile:
    """A profile written directly (tests of reads); the services' own tests go through the services."""
    defaults = {
        "headline": f"{partner.name} headline",
        "description": "We do good work.",
        "capabilities": ["security"],
        "regions": ["emea"],
        "industries": ["Banking"],
        "contact_email": "hello@partner.example",
    }
    defaults.update(values)
    with tenant_context(partner.tenant_id):
        profile, _ = DirectoryProfile.objects.update_or_create(
            tenant_id=partner.tenant_id, partner=partner, defaults={"is_published": published, **defaults}
        )
    return profile


def third_partner(tenant_world, *, name: str = "Alpha Integrator", partner_type: str = "si", with_admin: bool = True):
    """A third active partner in the tenant, with a partner admin (returned as ``(partner, admin)``)."""
    slug = tenant_world.tenant.slug
    with tenant_context(tenant_world.tenant.pk):
        partner = PartnerFactory(
            tenant=tenant_world.tenant, name=name, partner_type=partner_type, website_domain=f"{slugify(name)}.{slug}.example"
        )
        admin = None
        if with_admin:
            admin = UserFactory(email=f"admin-{slugify(name)}-{slug}@example.com")
            MembershipFactory(tenant=tenant_world.tenant, user=admin, role="partner_admin", partner=partner)
    return partner, admin
