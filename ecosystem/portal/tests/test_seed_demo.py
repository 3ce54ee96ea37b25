from io import StringIO

import pytest
from django.core.management import call_command

from ecosystem.accounts.models import Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization


def demo_counts() -> dict:
    counts = {}
    for tenant in Tenant.objects.all():
        with tenant_context(tenant.pk):
            counts[tenant.slug] = (
                PartnerOrganization.objects.count(),
                Membership.objects.exclude(user__email__startswith="psat@").count(),
                AuditEntry.objects.count(),
                sorted(set(PartnerOrganization.objects.values_list("partner_type", flat=True))),
            )
    return counts


@pytest.mark.django_db
def test_the_demo_seed_builds_a_realistic_program_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = demo_counts()
    call_command("seed_demo", stdout=StringIO())

    assert demo_counts() == first
    partners, members, _audit, types = first["acme"]
    assert partners >= 30
    assert len(types) == 8  # every partner type appears
    assert members == 6  # the demo logins; the survey demo adds a respondent (psat@…) to partners without one
    assert "manager@acme.example" in out.getvalue()
    assert "partner-demo-2026" in out.getvalue()
