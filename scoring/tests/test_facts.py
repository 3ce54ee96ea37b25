"""Per-partner facts as of a date, hand-computed, point in time: anything recorded on or after the
as-of date changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np
import pytest

from attribution.tests.support import account, at, registration
from deals.models import CurrencyRate
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_context
from onboarding.models.training import Certification
from scoring.facts import partner_facts
from tests.factories import UserFactory
from tests.fixtures import training_course_for

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


def _certify(tenant, partner, course, user, number, *, issued, expires, revoked=None):
    Certification.objects.create(
        tenant=tenant,
        partner=partner,
        user=user,
        course=course,
        credential_number=f"C-{number}",
        issued_at=at(issued),
        expires_on=expires,
        revoked_at=at(revoked) if revoked else None,
    )


def _world(a, *, future: bool):
    t, p1 = a.tenant, a.partner1
    CurrencyRate.objects.create(tenant=t, currency="EUR", valid_from=datetime.date(2025, 1, 1), rate=Decimal("1.5"))
    x = account(t)
    approved = registration(t, p1, x, submitted=AS_OF - 10 * DAY)
    approved.decided_at = at(AS_OF - 9 * DAY)
    approved.save(update_fields=["decided_at"])
    rejected = registration(t, p1, x, submitted=AS_OF - 100 * DAY, status=RegistrationStatus.REJECTED)
    rejected.decided_at = at(AS_OF - 99 * DAY)
    rejected.save(update_fields=["decided_at"])
    won = {"stage": DealStage.CLOSED_WON, "status": RegistrationStatus.WON}
    registration(t, p1, x, submitted=AS_OF - 90 * DAY, closed_on=AS_OF - 30 * DAY, closed_amount="1000", **won)
    registration(t, p1, x, submitted=AS_OF - 200 * DAY, closed_on=AS_OF - 50 * DAY, closed_amount="100", currency="EUR", **won)
    registration(t, p1, x, submitted=AS_OF - 500 * DAY, closed_on=AS_OF - 300 * DAY, closed_amount="500", **won)
    registration(t, p1, x, submitted=AS_OF - 600 * DAY, closed_on=AS_OF - 400 * DAY, closed_amount="7", **won)  # too old
    lost = {"stage": DealStage.CLOSED_LOST, "status": RegistrationStatus.LOST}
    registration(t, p1, x, submitted=AS_OF - 60 * DAY, closed_on=AS_OF - 20 * DAY, **lost)
    course = training_course_for(t, title="Selling")
    people = [UserFactory() for _ in range(5)]
    _certify(t, p1, course, people[0], 1, issued=AS_OF - 300 * DAY, expires=AS_OF + 100 * DAY)  # valid
    _certify(t, p1, course, people[1], 2, issued=AS_OF - 300 * DAY, expires=AS_OF + 30 * DAY)  # valid, expiring
    _certify(t, p1, course, people[2], 3, issued=AS_OF - 400 * DAY, expires=AS_OF - 10 * DAY)  # lapsed
    _certify(t, p1, course, people[3], 4, issued=AS_OF - 300 * DAY, expires=AS_OF + 100 * DAY, revoked=AS_OF - 5 * DAY)
    if future:  # recorded on or after the as-of date: must change nothing
        registration(t, p1, x, submitted=AS_OF, closed_on=AS_OF + 3 * DAY, closed_amount="9999", **won)
        _certify(t, p1, course, people[4], 5, issued=AS_OF, expires=AS_OF + 300 * DAY)
        renewal = training_course_for(t, title="Selling, again")
        _certify(t, p1, renewal, people[2], 6, issued=AS_OF + DAY, expires=AS_OF + 300 * DAY)


@pytest.mark.parametrize("future", [False, True])
def test_facts_by_hand_and_blind_to_the_future(world, future, django_assert_num_queries):
    a = world.a
    with tenant_context(a.tenant.pk):
        _world(a, future=future)
        # partners, registrations, closed deals, program currency, rates, certifications, security steps
        with django_assert_num_queries(7):
            facts = partner_facts(as_of=AS_OF)
    i = list(facts["partner_ids"]).index(a.partner1.pk)
    j = list(facts["partner_ids"]).index(a.partner2.pk)
    got = {name: float(values[i]) for name, values in facts.items() if name != "partner_ids"}
    # submitted in the 90 days before: the approved one (10 days), the win submitted 90 days before, the lost one (60)
    assert got["registrations_90d"] == 3
    # decided in the 365 days before (the test helper dates the decision of won ones on submission, and
    # leaves lost ones undecided): approved = the approved one (9) and the wins submitted 90 and 200 days
    # before; rejected = the rejected one (99)
    assert got["registrations_approved"] == 3 and got["registrations_rejected"] == 1
    assert got["days_since_registration"] == 10
    assert got["deals_won"] == 3 and got["deals_lost"] == 1  # closed in the 365 days before
    assert got["days_to_close"] == 150  # median of 60, 150 and 200 days
    assert got["revenue_recent"] == 1000 + 100 * 1.5  # closed in the 180 days before; EUR at the close-date rate
    assert got["revenue_previous"] == 500  # closed 181–365 days before
    assert (got["certified_people"], got["certifications_expiring"], got["lapsed_90d"]) == (2, 1, 1)
    assert got["open_security_items"] == 0
    assert facts["registrations_90d"][j] == 0 and np.isnan(facts["days_since_registration"][j])
