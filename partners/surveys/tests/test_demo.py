"""The demo surveys: two closed a quarter apart with answers (some partners falling) and one open; idempotent."""

from __future__ import annotations

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from partners.surveys import demo, selectors
from partners.surveys.models import Survey, SurveyResponse, SurveyStatus
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_demo_plants_history_with_falling_partners_once(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        for n in range(6):
            PartnerFactory(tenant=a.tenant, name=f"Demo partner {n}", website_domain=f"demo{n}.example")
        partners = {p.website_domain: p for p in PartnerOrganization.objects.all()}
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)  # twice: nothing more
        surveys = {s.title: s for s in Survey.objects.all()}
        responses = SurveyResponse.objects.count()
        falling = selectors.falling_partners(tenant=a.tenant)
    assert [surveys[t].status for t in (demo.FIRST, demo.SECOND, demo.CURRENT)] == [
        SurveyStatus.CLOSED,
        SurveyStatus.CLOSED,
        SurveyStatus.OPEN,
    ]
    assert (surveys[demo.SECOND].opens_on - surveys[demo.FIRST].opens_on).days == 91  # a quarter apart
    assert responses >= 2 * 8  # eight active partners answered both closed surveys
    assert falling and all(row["change"] <= -1.5 or row["latest_category"] != row["previous_category"] for row in falling)
    assert all(s.open_notified_at is not None for s in surveys.values())  # seeding never emails
