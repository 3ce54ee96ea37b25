"""The dashboard's figures on a small program computed by hand (Q1 2026, looked at on 2026-06-01).

Partner 1 (reseller) and partner 2 (made an MSP) of tenant A; amounts in USD, the program currency,
with EUR at 1.1 from 2026-01-01.

- R1: partner 1, account X, submitted 01-05, won, protected to 04-01, closed won 02-10 for 5,000.
  Partner 2 touched X on 01-20.  → sourced by 1, influenced by 2.
- R2: partner 2, account Y, submitted 01-10, won, protected to 01-31, closed won 03-01 for 800.
  Partner 1 touched Y on 02-15.  → closed after its protection: no source; influenced by 1.
- R3: partner 1, submitted 02-01, lost, closed lost 03-10.
- R4: partner 2, account W, EUR, submitted 02-20, approved, protected to 06-30, closed won 03-15 for
  1,000 EUR = 1,100.  → sourced by 2, no touch.
- R6: partner 2, submitted 03-20, rejected, value 300.
- R7: partner 1, submitted 2025-12-01, approved, still in proposal, value 2,500 (open pipeline).
- R5 (tenant B): won in the quarter for 9,999: never in A's figures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attribution.insights import selectors
from attribution.insights.selectors import ActiveRule, Period, Slice
from attribution.tests.support import account, at, registration, touch
from deals.models import CurrencyRate
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind, PartnerOrganization, PartnerStatus, PartnerStatusChange
from partners.services import engagement_record
from scoring.models import ChurnPrediction

pytestmark = pytest.mark.django_db
Q1 = Period(2026, 1)
TODAY = datetime.date(2026, 6, 1)
D = datetime.date


def _program(world):
    a, b = world.a, world.b
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.filter(pk=a.partner2.pk).update(partner_type="msp")
        PartnerStatusChange.objects.filter(partner__in=[a.partner1, a.partner2]).delete()
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(created_at=at(D(2025, 12, 1)))
        PartnerOrganization.objects.filter(pk=a.partner2.pk).update(created_at=at(D(2026, 1, 1)))
        change = PartnerStatusChange.objects.create(
            tenant=a.tenant, partner=a.partner1, from_status="onboarding", to_status="active"
        )
        PartnerStatusChange.objects.filter(pk=change.pk).update(changed_at=at(D(2026, 1, 1)))
        CurrencyRate.objects.create(tenant=a.tenant, currency="EUR", valid_from=D(2026, 1, 1), rate=Decimal("1.1"))
        x, y, z, w, v = (account(a.tenant) for _ in range(5))
        won, lost = DealStage.CLOSED_WON, DealStage.CLOSED_LOST
        registration(
            a.tenant,
            a.partner1,
            x,
            submitted=D(2026, 1, 5),
            stage=won,
            status=RegistrationStatus.WON,
            protected_until=D(2026, 4, 1),
            closed_on=D(2026, 2, 10),
            closed_amount="5000",
        )
        touch(a.tenant, a.partner2, x, D(2026, 1, 20))
        registration(
            a.tenant,
            a.partner2,
            y,
            submitted=D(2026, 1, 10),
            stage=won,
            status=RegistrationStatus.WON,
            protected_until=D(2026, 1, 31),
            closed_on=D(2026, 3, 1),
            closed_amount="800",
        )
        touch(a.tenant, a.partner1, y, D(2026, 2, 15))
        registration(
            a.tenant, a.partner1, z, submitted=D(2026, 2, 1), stage=lost, status=RegistrationStatus.LOST, closed_on=D(2026, 3, 10)
        )
        registration(
            a.tenant,
            a.partner2,
            w,
            submitted=D(2026, 2, 20),
            stage=won,
            status=RegistrationStatus.APPROVED,
            protected_until=D(2026, 6, 30),
            closed_on=D(2026, 3, 15),
            closed_amount="1000",
            currency="EUR",
        )
        registration(a.tenant, a.partner2, v, submitted=D(2026, 3, 20), status=RegistrationStatus.REJECTED, value="300")
        registration(a.tenant, a.partner1, v, submitted=D(2025, 12, 1), stage=DealStage.PROPOSAL, value="2500")
        for kind, day in (
            (EngagementKind.LOGIN, D(2026, 3, 30)),
            (EngagementKind.REGISTRATION_SUBMITTED, D(2026, 2, 1)),
            (EngagementKind.COURSE_COMPLETED, D(2026, 3, 1)),
        ):
            engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=kind, at=at(day))
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 31)))
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 4, 1)))  # after
        for partner, day, probability in (
            (a.partner1, D(2026, 5, 1), 0.8),
            (a.partner1, D(2026, 5, 2), 0.3),
            (a.partner2, D(2026, 5, 2), 0.7),
        ):
            ChurnPrediction.objects.create(
                tenant=a.tenant, partner=partner, as_of=day, probability=probability, method="rules", computed_at=at(day)
            )
    with tenant_context(b.tenant.pk):
        registration(
            b.tenant,
            b.partner1,
            account(b.tenant),
            submitted=D(2026, 1, 5),
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            protected_until=D(2026, 4, 1),
            closed_on=D(2026, 2, 1),
            closed_amount="9999",
        )


def _figures(world, chosen=None, rule=None):
    with tenant_context(world.a.tenant.pk):
        return selectors.dashboard(
            tenant=world.a.tenant, period=Q1, chosen=chosen or Slice(), rule=rule or ActiveRule(), today=TODAY
        )


def test_revenue_by_hand(world):
    _program(world)
    q1 = _figures(world).current
    assert (q1.won, q1.won_deals) == (6900.0, 3)  # 5,000 + 800 + 1,100; tenant B's 9,999 never
    assert (q1.sourced, q1.sourced_deals) == (6100.0, 2)  # R1 and R4; R2 closed after its protection
    assert (q1.influenced, q1.influenced_deals) == (5800.0, 2)  # R1 (partner 2) and R2 (partner 1)
    assert (q1.touched, q1.touched_deals) == (6900.0, 3)
    assert q1.missing_rates == 0


def test_a_slice_narrows_the_partner_side(world):
    _program(world)
    q1 = _figures(world, chosen=Slice(partner_type="msp")).current  # partner 2 only
    assert q1.sourced == 1100.0  # R4; R1's source is partner 1
    assert q1.influenced == 5000.0  # partner 2 touched R1; R2 was touched by partner 1 only
    assert q1.touched == 6100.0
    assert q1.won == 6900.0  # all closed-won stays the program's


def test_a_deal_without_a_rate_is_left_out_and_counted(world):
    _program(world)
    with tenant_context(world.a.tenant.pk):
        CurrencyRate.objects.all().delete()
    q1 = _figures(world).current
    assert (q1.won, q1.missing_rates, q1.sourced) == (5800.0, 1, 5000.0)


def test_pipeline_velocity_and_time_to_value_by_hand(world):
    _program(world)
    f = _figures(world)
    assert (f.submitted, f.decided, f.approved) == (5, 5, 4)  # R1–R4, R6; R6 rejected
    assert f.approval_rate == 0.8
    assert (f.won, f.lost, f.win_rate) == (3, 1, 0.75)
    assert f.velocity_days == 36.0  # median of 36 (R1), 50 (R2), 23 (R4)
    assert f.pipeline_created == pytest.approx(1000 + 1000 + 1000 + 1100 + 300)  # EUR at the rate of 03-31
    assert f.open_pipeline == 2500.0  # R7
    # Partner 1 became active 01-01 but registered R7 on 2025-12-01 (its start), first won 02-10: 71 days;
    # partner 2 was created 01-01 (no activation; first registration 01-10), first won 03-01: 59.
    assert (f.time_to_value_days, f.time_to_value_partners) == (65.0, 2)


def test_active_partners_by_the_chosen_rule(world):
    _program(world)
    assert (_figures(world).active, _figures(world).in_program) == (1, 2)  # partner 2: a login only
    logins = _figures(world, rule=ActiveRule(signals=("login",), days=90))
    assert logins.active == 2 and logins.active_share == 1.0
    # A one-day window ending 03-31 holds partner 2's login of that day, not partner 1's of 03-30.
    assert _figures(world, rule=ActiveRule(signals=("login",), days=1)).active == 1


def test_at_risk_reads_each_partners_latest_prediction(world):
    _program(world)
    risk = _figures(world).at_risk
    assert risk["predicted"] == 1 and [r["partner_id"] for r in risk["top"]] == [world.a.partner2.pk]
    assert risk["alerts"] == 0 and risk["marked"] == 0
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(status=PartnerStatus.AT_RISK)
    assert _figures(world).at_risk["marked"] == 1


def test_tiers_count_the_program_partners(world):
    _program(world)
    tiers = _figures(world).tiers
    assert sum(t["partners"] for t in tiers) == 2
    assert tiers[-1]["tier_id"] is None


def test_the_number_of_queries_does_not_grow_with_the_data(world, django_assert_num_queries):
    _program(world)
    with tenant_context(world.a.tenant.pk):
        with django_assert_num_queries(QUERIES):
            selectors.dashboard(tenant=world.a.tenant, period=Q1, chosen=Slice(), rule=ActiveRule(), today=TODAY)
        # a slice reads its partner ids for the survey answers (and for the customer months, when there are any)
        with django_assert_num_queries(QUERIES + 1):
            selectors.dashboard(
                tenant=world.a.tenant, period=Q1, chosen=Slice(partner_type="msp"), rule=ActiveRule(), today=TODAY
            )


QUERIES = 20  # the rate table is read by the revenue and the pipeline groups, each cached on its own


def test_psat_and_nps_of_the_answers_in_the_period(world):
    from partners.surveys.models import QuestionKind
    from partners.surveys.tests.support import move, plant, schedule

    a = world.a
    _program(world)
    survey = move(a, schedule(a), opens_on=D(2026, 1, 1), closes_on=D(2026, 6, 30))
    with tenant_context(a.tenant.pk):
        scale = [str(q.pk) for q in survey.questions.filter(kind=QuestionKind.SCALE_1_5).order_by("position")]
    plant(
        a,
        survey,
        partner=a.partner1,
        user=a.partner1_admin,
        nps=10,
        answers={scale[0]: 5, scale[1]: 3},
        submitted_at=at(D(2026, 2, 1)),
    )
    plant(a, survey, partner=a.partner2, user=a.partner2_admin, nps=6, answers={scale[0]: 2}, submitted_at=at(D(2026, 3, 1)))
    plant(a, survey, partner=a.partner1, user=a.manager, nps=0, answers={scale[0]: 1}, submitted_at=at(D(2026, 4, 2)))  # Q2
    q1 = _figures(world).psat
    # One promoter (10), one detractor (6): 50 % − 50 % = 0. PSAT = (5 + 3 + 2) / 3.
    assert (q1["responses"], q1["nps"], q1["psat"]) == (2, 0.0, pytest.approx(10 / 3))
    assert [t["label"] for t in q1["trend"]] == ["Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026"]
    msp = _figures(world, chosen=Slice(partner_type="msp")).psat  # partner 2 only
    assert (msp["responses"], msp["nps"], msp["psat"]) == (1, -100.0, 2.0)


def test_mdf_spend_and_return_of_the_campaigns_starting_in_the_period(world):
    from partners.mdf.tests.support import budget_for, claim_as, claim_decide, funded

    a = world.a
    budget_for(a, allocations={a.partner1: "5000"})
    campaign = funded(a, a.partner1, a.partner1_admin, spend="600")
    claim_decide(a, claim_as(a, a.partner1, a.partner1_admin, campaign, amount="500"))
    with tenant_context(a.tenant.pk):
        today = datetime.date.today()
        registration(
            a.tenant,
            a.partner1,
            account(a.tenant),
            submitted=today,
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            closed_on=today,
            closed_amount="2000",
            mdf_request=campaign,
        )
        figures = selectors.dashboard(tenant=a.tenant, period=Period.of(today), chosen=Slice(), rule=ActiveRule())
    # 600 approved, 500 claimed and approved, 2,000 won on a tagged deal: ROPI 2,000 ÷ 500 = 4.
    assert figures.mdf == {"approved": 600.0, "spend": 500.0, "pipeline": 0.0, "revenue": 2000.0, "campaigns": 1, "ropi": 4.0}
    with tenant_context(a.tenant.pk):
        other = selectors.dashboard(tenant=a.tenant, period=Period.of(today), chosen=Slice(partner_type="msp"), rule=ActiveRule())
    assert other.mdf["campaigns"] == 0 and other.mdf["ropi"] is None
