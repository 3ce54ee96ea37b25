"""A hand-built partner for the scorecard tests: world A's partner 1 (and a little of partner 2, which must
never count), with deals, MDF, surveys, certifications, courses, an attribution run, a health score and a
churn prediction dated in Q3 2026 (the period) and Q2 2026 (the period before).

Every row is written directly with its dates (services stamp "now"), so the expected figures below can
be worked out by hand from the definitions; each is written next to the rows it comes from.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from attribution.models import (
    AttributionRun,
    AttributionTouch,
    ChannelDimension,
    OutcomeKind,
    RunStatus,
    Touchpoint,
    TouchpointSource,
    TouchpointType,
)
from deals.models import CustomerAccount, DealRegistration, DirectOpportunity
from deals.models.currency import CurrencyRate
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_context
from onboarding.models import Certification, CourseCompletion
from partners.mdf.models import MdfBudget, MdfClaim, MdfRequest
from partners.surveys.models import Survey, SurveyQuestion, SurveyResponse
from scoring.models import ChurnPrediction, HealthScore, ScoringSettings
from tests.fixtures import training_course_for

PERIOD = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))  # Q3 2026
PREVIOUS = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))  # Q2 2026
TODAY = datetime.date(2026, 11, 30)
_numbers = itertools.count(1)


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def registration(
    tenant,
    partner,
    *,
    submitted: str,
    status: str,
    stage: str = DealStage.PROSPECTING,
    value: str = "1000",
    currency: str = "USD",
    decided: str | None = None,
    closed: str | None = None,
    amount: str | None = None,
    mdf_request=None,
) -> DealRegistration:
    n = next(_numbers)
    name = f"Customer {n}"
    account = CustomerAccount.objects.create(tenant=tenant, name=name, name_key=name.lower())
    return DealRegistration.objects.create(
        tenant=tenant,
        partner=partner,
        account=account,
        customer_name=name,
        customer_domain=f"customer{n}.example",
        contact_name="Casey Buyer",
        product_lines=["platform"],
        value=Decimal(value),
        currency=currency,
        expected_close_date=d(closed) if closed else TODAY,
        stage=stage,
        status=status,
        submitted_at=at(submitted),
        decided_at=at(decided) if decided else None,
        protected_until=TODAY,
        closed_on=d(closed) if closed else None,
        closed_amount=Decimal(amount) if amount else None,
        team_partner_ids=[partner.pk],
        mdf_request=mdf_request,
    )


def build_deals(a) -> dict:
    """Q3: 8 submitted; 6 approved and 1 rejected decided (6 ÷ 7 = 85.7 %); 4 won, 1 lost (80.0 %); revenue
    10,000 + 4,000 EUR × 1.10 + a GBP win without a rate + 2,500 = 16,900.00; days to close 30, 50, 14, 16 →
    median (16 + 30) ÷ 2 = 23; open pipeline 7,000 + 3,000 = 10,000.00. Q2: 1 submitted, approved (100.0 %),
    won 5,000.00 in 40 days."""
    t, p = a.tenant, a.partner1
    CurrencyRate.objects.create(tenant=t, currency="EUR", valid_from=d("2026-01-01"), rate=Decimal("1.10"))
    rows = {
        "r1": registration(
            t,
            p,
            submitted="2026-07-05",
            decided="2026-07-06",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-08-04",
            amount="10000",
            value="9000",
        ),
        "r2": registration(t, p, submitted="2026-07-10", decided="2026-07-11", status=RegistrationStatus.REJECTED),
        "r3": registration(
            t,
            p,
            submitted="2026-08-01",
            decided="2026-08-02",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-09-20",
            value="4000",
            currency="EUR",
        ),
        "r4": registration(
            t,
            p,
            submitted="2026-08-15",
            decided="2026-08-16",
            status=RegistrationStatus.LOST,
            stage=DealStage.CLOSED_LOST,
            closed="2026-09-01",
        ),
        "r5": registration(
            t,
            p,
            submitted="2026-09-01",
            decided="2026-09-02",
            status=RegistrationStatus.APPROVED,
            stage=DealStage.PROPOSAL,
            value="7000",
        ),
        "r6": registration(
            t, p, submitted="2026-09-10", status=RegistrationStatus.PENDING, stage=DealStage.QUALIFICATION, value="3000"
        ),
        "r9": registration(
            t,
            p,
            submitted="2026-09-01",
            decided="2026-09-01",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-09-15",
            amount="2000",
            currency="GBP",
        ),
        "r7": registration(
            t,
            p,
            submitted="2026-04-10",
            decided="2026-04-11",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-05-20",
            amount="5000",
        ),
        # direct sales worked its account first (below): won, but not sourced by partner 1
        "r11": registration(
            t,
            p,
            submitted="2026-08-20",
            decided="2026-08-21",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-09-05",
            amount="2500",
        ),
        # partner 2's wins in the period: never partner 1's (r8 it influenced, r10 it touched too long before)
        "r10": registration(
            t,
            a.partner2,
            submitted="2026-08-01",
            decided="2026-08-02",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-09-10",
            amount="3000",
        ),
        "r8": registration(
            t,
            a.partner2,
            submitted="2026-07-05",
            decided="2026-07-06",
            status=RegistrationStatus.WON,
            stage=DealStage.CLOSED_WON,
            closed="2026-08-01",
            amount="6000",
        ),
    }
    DirectOpportunity.objects.create(tenant=t, account=rows["r11"].account, name="Direct", external_id="crm-1")
    DirectOpportunity.objects.filter(account=rows["r11"].account).update(created_at=at("2026-08-01"))
    return rows


def build_mdf(a, rows: dict) -> None:
    """Q3: approved 3,000 + 1,000 = 4,000.00; claimed 2,800 + 1,200 = 4,000.00; paid 2,500.00; campaigns that
    started in Q3 spent 2,500 (the rejected claim spends nothing) and their tagged win r1 brought 10,000 →
    ROPI 4.00. Q2: approved 2,000.00, claimed 2,000.00, paid 0, ROPI 5,000 ÷ 2,000 = 2.50."""
    t, p = a.tenant, a.partner1
    budget = MdfBudget.objects.create(tenant=t, year=2026, quarter=3, amount=Decimal("50000"), currency="USD")

    def request(status, approved, decided, start, partner=p):
        row = MdfRequest.objects.create(
            tenant=t,
            partner=partner,
            budget=budget,
            activity_type="webinar",
            title=f"Campaign {next(_numbers)}",
            planned_spend=Decimal("5000"),
            currency="USD",
            start_date=d(start),
            end_date=d(start),
            status=status,
            approved_amount=Decimal(approved) if approved else None,
            decided_at=at(decided),
        )
        return row

    def claim(req, claimed, submitted, status, approved=None, paid=None, partner=p):
        row = MdfClaim.objects.create(
            tenant=t,
            partner=partner,
            request=req,
            claimed_amount=Decimal(claimed),
            status=status,
            approved_amount=Decimal(approved) if approved else None,
            paid_at=at(paid) if paid else None,
        )
        MdfClaim.objects.filter(pk=row.pk).update(submitted_at=at(submitted))  # auto_now_add: set afterwards
        return row

    campaign_a = request("approved", "3000", "2026-07-15", "2026-07-20")
    claim(campaign_a, "2800", "2026-08-10", "paid", approved="2500", paid="2026-08-20")
    campaign_b = request("partially_approved", "1000", "2026-08-01", "2026-08-05")
    claim(campaign_b, "1200", "2026-09-01", "rejected")
    request("rejected", None, "2026-07-01", "2026-07-25")
    campaign_d = request("approved", "2000", "2026-05-01", "2026-05-10")
    claim(campaign_d, "2000", "2026-06-01", "approved", approved="2000")
    other = request("approved", "9000", "2026-07-15", "2026-07-20", partner=a.partner2)
    claim(other, "9000", "2026-08-10", "paid", approved="9000", paid="2026-08-20", partner=a.partner2)
    DealRegistration.objects.filter(pk=rows["r1"].pk).update(mdf_request=campaign_a)
    DealRegistration.objects.filter(pk=rows["r7"].pk).update(mdf_request=campaign_d)


def build_surveys(a) -> None:
    """Q3: 2 responses, NPS 9 (promoter) and 6 (detractor) → 50 − 50 = 0; PSAT (4 + 5 + 3) ÷ 3 = 4.00.
    Q2: 1 response, NPS 10 → 100; PSAT 5.00. Partner 2's answer (0, 1) counts for nobody here."""
    t = a.tenant

    def survey(opens):
        s = Survey.objects.create(
            tenant=t, title=f"Survey {opens}", opens_on=d(opens), closes_on=d(opens) + datetime.timedelta(days=30)
        )
        q1 = SurveyQuestion.objects.create(tenant=t, survey=s, position=1, text="Support?")
        q2 = SurveyQuestion.objects.create(tenant=t, survey=s, position=2, text="Portal?", required=False)
        return s, q1, q2

    def answer(s, partner, user, nps, answers, submitted):
        SurveyResponse.objects.create(
            tenant=t,
            survey=s,
            partner=partner,
            respondent=user,
            nps=nps,
            answers={str(q.pk): v for q, v in answers},
            submitted_at=at(submitted),
        )

    s1, q1, q2 = survey("2026-07-01")
    answer(s1, a.partner1, a.partner1_admin, 9, [(q1, 4), (q2, 5)], "2026-07-10")
    answer(s1, a.partner1, a.partner1_rep, 6, [(q1, 3)], "2026-07-12")
    answer(s1, a.partner2, a.partner2_admin, 0, [(q1, 1)], "2026-07-12")
    s0, p1, _p2 = survey("2026-04-01")
    answer(s0, a.partner1, a.partner1_admin, 10, [(p1, 5)], "2026-04-15")


def build_enablement(a) -> None:
    """Certified people on 30 Sep: admin (c1) and rep (c2) = 2; expiring by 29 Nov (60 days after): c2 (15 Oct)
    = 1. On 30 Jun: admin only (c1, and c3 not yet revoked; c2 not issued yet) = 1, expiring 0.
    Courses first passed: Q3 two, Q2 one (a failed attempt in Q3 does not count)."""
    t, p = a.tenant, a.partner1
    courses = [training_course_for(t, title=f"Course {n}", questions=1) for n in range(1, 5)]
    with tenant_context(t.pk):

        def certification(user, course, issued, expires, revoked=None):
            Certification.objects.create(
                tenant=t,
                partner=p,
                user=user,
                course=course,
                credential_number=f"CERT-{next(_numbers)}",
                issued_at=at(issued),
                expires_on=d(expires),
                revoked_at=at(revoked) if revoked else None,
            )

        certification(a.partner1_admin, courses[0], "2026-01-10", "2027-01-10")
        certification(a.partner1_rep, courses[1], "2026-07-01", "2026-10-15")
        certification(a.partner1_admin, courses[2], "2026-02-01", "2027-02-01", revoked="2026-08-01")

        def completion(user, course, day, passed=True):
            CourseCompletion.objects.create(
                tenant=t,
                partner=p,
                user=user,
                course=course,
                passed=passed,
                completed_at=at(day) if passed else None,
                last_attempt_at=at(day),
            )

        completion(a.partner1_admin, courses[0], "2026-08-05")
        completion(a.partner1_rep, courses[1], "2026-09-09")
        completion(a.partner1_rep, courses[0], "2026-05-05")
        completion(a.partner1_admin, courses[3], "2026-09-20", passed=False)


def build_attribution(a, rows: dict) -> AttributionRun:
    """Sourced (the rules of attribution/selectors.py): Q3 r1 10,000 + r3 4,400 = 14,400.00 (r9 has no rate, r11 was
    worked by direct sales first); Q2 r7 5,000.00. Influenced: partner 1 touched r8's account on 20 Jul, 12 days
    before its close → 6,000.00; its touch on r10's account (1 May) is more than 90 days before 10 Sep: none.

    Latest run (linear), the partner's attributed revenue: r1 (won 4 Aug, 10,000) with 2 of its 3 touches →
    ⅔ × 10,000 = 6,666.67; r8 (won 1 Aug, 6,000) with 1 of 2 touches → 3,000; r4 lost: nothing. Q3: 9,666.67.
    Q2: r7 (5,000, its only touch) → 5,000.00."""
    t = a.tenant
    run = AttributionRun.objects.create(
        tenant=t,
        period_start=d("2026-01-01"),
        period_end=d("2026-09-30"),
        model_names=["linear", "first_touch"],
        dimension=ChannelDimension.PARTNER,
        status=RunStatus.SUCCEEDED,
        finished_at=at("2026-10-01"),
        details_kept=True,
    )

    def touch(reg, partner, position, length, outcome, outcome_on, value, share):
        AttributionTouch.objects.create(
            tenant=t,
            run=run,
            registration_id=reg.pk,
            touchpoint_id=next(_numbers),
            partner=partner,
            position=position,
            length=length,
            channel=0,
            touch_on=d(outcome_on) - datetime.timedelta(days=10),
            days=10.0,
            outcome=outcome,
            outcome_on=d(outcome_on),
            conv=1.0 if outcome == OutcomeKind.WON else 0.0,
            value=value,
            rate=1.0,
            first_touch=1.0 if position == 0 else 0.0,
            last_touch=0.0,
            linear=share,
            position_based=share,
            time_decay=share,
            shapley_counts=share,
        )

    for reg, day in ((rows["r8"], "2026-07-20"), (rows["r10"], "2026-05-01")):
        Touchpoint.objects.create(
            tenant=t,
            partner=a.partner1,
            account=reg.account,
            touch_type=TouchpointType.REFERRAL,
            occurred_at=at(day),
            source=TouchpointSource.IMPORTED,
        )
    touch(rows["r1"], a.partner1, 0, 3, OutcomeKind.WON, "2026-08-04", 10000.0, 1 / 3)
    touch(rows["r1"], a.partner1, 1, 3, OutcomeKind.WON, "2026-08-04", 10000.0, 1 / 3)
    touch(rows["r1"], a.partner2, 2, 3, OutcomeKind.WON, "2026-08-04", 10000.0, 1 / 3)
    touch(rows["r8"], a.partner1, 0, 2, OutcomeKind.WON, "2026-08-01", 6000.0, 0.5)
    touch(rows["r8"], a.partner2, 1, 2, OutcomeKind.WON, "2026-08-01", 6000.0, 0.5)
    touch(rows["r4"], a.partner1, 0, 1, OutcomeKind.LOST, "2026-09-01", 0.0, 1.0)
    touch(rows["r7"], a.partner1, 0, 1, OutcomeKind.WON, "2026-05-20", 5000.0, 1.0)
    return run


def build_standing(a, *, partners_see_churn: bool = True) -> None:
    t, p = a.tenant, a.partner1
    HealthScore.objects.create(
        tenant=t, partner=p, as_of=d("2026-11-28"), computed_at=at("2026-11-28"), total=60.0, components={}, engine_version="1"
    )
    HealthScore.objects.create(
        tenant=t,
        partner=p,
        as_of=d("2026-11-29"),
        computed_at=at("2026-11-29"),
        total=72.5,
        components={"engagement": {"score": 80.0, "points": 20.0}, "pipeline": {"score": 50.0, "points": 10.0}},
        moved=[{"component": "pipeline", "points": 3.5}],
        actions=[{"action": "certify", "sentence": "Certify one more person.", "gain": 4.2}],
        engine_version="1",
    )
    HealthScore.objects.create(
        tenant=t,
        partner=a.partner2,
        as_of=d("2026-11-30"),
        computed_at=at("2026-11-30"),
        total=11.0,
        components={},
        engine_version="1",
    )
    ScoringSettings.objects.update_or_create(tenant=t, defaults={"partners_see_churn": partners_see_churn})
    ChurnPrediction.objects.create(
        tenant=t,
        partner=p,
        as_of=d("2026-11-29"),
        probability=0.31,
        method="rules",
        drivers=[{"feature": "days_since_login", "sentence": "No login for 40 days.", "contribution": 0.2}],
        computed_at=at("2026-11-29"),
    )


def build_partner(a, *, partners_see_churn: bool = True) -> dict:
    """Everything above, in tenant A's staff scope."""
    with tenant_context(a.tenant.pk):
        rows = build_deals(a)
        build_mdf(a, rows)
        build_surveys(a)
        build_attribution(a, rows)
        build_standing(a, partners_see_churn=partners_see_churn)
    build_enablement(a)
    return rows


# The figures of partner 1, (Q3 2026, Q2 2026), from the docstrings above.
EXPECTED = {
    "registrations_submitted": (8, 1),
    "registrations_approved": (6, 1),
    "approval_rate": (85.7, 100.0),
    "deals_won": (4, 1),
    "revenue_won": (Decimal("16900.00"), Decimal("5000.00")),
    "win_rate": (80.0, 100.0),
    "velocity_days": (23.0, 40.0),
    "sourced_revenue": (Decimal("14400.00"), Decimal("5000.00")),
    "influenced_revenue": (Decimal("6000.00"), Decimal("0.00")),
    "credited_revenue": (Decimal("9666.67"), Decimal("5000.00")),
    "psat_mean": (4.0, 5.0),
    "nps": (0.0, 100.0),
    "survey_responses": (2, 1),
    "mdf_approved": (Decimal("4000.00"), Decimal("2000.00")),
    "mdf_claimed": (Decimal("4000.00"), Decimal("2000.00")),
    "mdf_paid": (Decimal("2500.00"), Decimal("0")),
    "mdf_ropi": (Decimal("4.00"), Decimal("2.50")),
    "certified_people": (2, 1),
    "certifications_expiring": (1, 0),
    "courses_completed": (2, 1),
}
