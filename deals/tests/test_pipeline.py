"""Pipeline figures: exact on a small fixture, velocity as defined, a partner sees only its own, constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import CustomerAccount, DealRegistration, DecisionAction, RegistrationDecision
from deals.pipeline import PipelineFilters, pipeline_figures
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, rules_for

TODAY = datetime.date(2024, 6, 30)


def at(day: int, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2024, month, day, 12, tzinfo=datetime.UTC)


def registration(world, partner, *, n: int, status: str, stage: str, value: str, currency: str = "USD", **extra):
    tenant = world.a.tenant
    account, _ = CustomerAccount.objects.get_or_create(
        tenant=tenant, root_domain=f"c{n}.example", defaults={"name": f"C{n}", "name_key": f"c{n}", "domain": f"c{n}.example"}
    )
    return DealRegistration.objects.create(
        tenant=tenant,
        partner=partner,
        account=account,
        customer_name=f"C{n}",
        customer_domain=f"c{n}.example",
        contact_name="X",
        product_lines=["compute"],
        value=Decimal(value),
        currency=currency,
        expected_close_date=TODAY,
        stage=stage,
        status=status,
        team_partner_ids=[partner.pk],
        submitted_at=extra.pop("submitted_at", at(1)),
        **extra,
    )


def history(registration, *steps):
    """steps: (action, reason, when)."""
    for action, reason, when in steps:
        decision = RegistrationDecision.objects.create(
            tenant=registration.tenant, registration=registration, partner=registration.partner, action=action, reason=reason
        )
        RegistrationDecision.objects.filter(pk=decision.pk).update(decided_at=when)


@pytest.fixture
def fixture(world):
    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, currency="USD")
    p1, p2 = world.a.partner1, world.a.partner2
    with tenant_context(world.a.tenant.pk):
        registration(world, p1, n=1, status="approved", stage="proposal", value="1000")
        registration(world, p1, n=2, status="pending", stage="proposal", value="500")
        registration(world, p2, n=3, status="under_review", stage="prospecting", value="200")
        registration(world, p1, n=4, status="approved", stage="negotiation", value="300", currency="EUR")
        registration(world, p1, n=5, status="rejected", stage="proposal", value="9999")  # not pipeline
        registration(world, p1, n=6, status="expired", stage="qualification", value="9999")  # not pipeline
        won = registration(
            world,
            p1,
            n=7,
            status="won",
            stage="closed_won",
            value="800",
            closed_amount=Decimal("750"),
            closed_on=datetime.date(2024, 6, 20),
        )
        registration(world, p2, n=8, status="lost", stage="closed_lost", value="400", closed_on=datetime.date(2024, 6, 21))
        registration(
            world, p2, n=9, status="won", stage="closed_won", value="5", closed_on=datetime.date(2023, 1, 1)
        )  # out of period
        # velocity: submitted June 1 at prospecting; 4 days there, 10 days in qualification, closed after 5 days in proposal
        history(
            won,
            (DecisionAction.STAGE, "Stage: prospecting → qualification", at(5)),
            (DecisionAction.STAGE, "Stage: qualification → proposal", at(15)),
            (DecisionAction.WON, "Closed won on 2024-06-20.", at(20)),
        )
        moving = registration(world, p2, n=10, status="approved", stage="qualification", value="100", submitted_at=at(10))
        history(moving, (DecisionAction.STAGE, "Stage: prospecting → qualification", at(16)))  # 6 days in prospecting
    return world


def figures(world, **values):
    with tenant_context(world.a.tenant.pk):
        return pipeline_figures(
            tenant=world.a.tenant, filters=PipelineFilters(start=datetime.date(2024, 4, 1), end=TODAY, **values), currency="USD"
        )


def test_open_pipeline_by_stage_in_the_program_currency_with_other_currencies_apart(fixture):
    f = figures(fixture)
    by_stage = {s.stage: (s.count, s.total) for s in f.stages}
    assert by_stage == {
        "prospecting": (1, Decimal("200")),
        "qualification": (1, Decimal("100")),
        "proposal": (2, Decimal("1500")),
        "negotiation": (0, Decimal("0")),
    }
    assert (f.open_count, f.open_total) == (4, Decimal("1800"))
    assert f.other_currencies == [{"stage": "negotiation", "currency": "EUR", "count": 1, "total": Decimal("300.00")}]


def test_won_and_lost_in_the_period_use_the_closed_amount(fixture):
    f = figures(fixture)
    assert (f.won_count, f.won_total, f.lost_count, f.win_rate) == (1, Decimal("750"), 1, 50.0)


def test_velocity_is_the_average_days_of_the_stays_that_ended_in_the_period(fixture):
    f = figures(fixture)
    velocity = {s.stage: (s.avg_days, s.stays) for s in f.stages}
    assert velocity["prospecting"] == (5.0, 2)  # 4 days and 6 days
    assert velocity["qualification"] == (10.0, 1)
    assert velocity["proposal"] == (5.0, 1)  # left by the close
    assert velocity["negotiation"] == (None, 0)
    # a period that ends before the later stays: only the first one counts
    early = {s.stage: s.avg_days for s in figures(fixture, partner_id=None).stages}
    assert early["qualification"] == 10.0


def test_filters_by_partner_type_and_partner(fixture):
    msp = figures(fixture, partner_type="msp")
    assert (msp.open_count, msp.lost_count, msp.won_count) == (2, 1, 0)
    own = figures(fixture, partner_id=fixture.a.partner1.pk)
    assert (own.open_count, own.won_count) == (2, 1)


def test_the_query_count_does_not_grow_with_registrations(fixture):
    with tenant_context(fixture.a.tenant.pk):
        with CaptureQueriesContext(connection) as few:
            pipeline_figures(tenant=fixture.a.tenant, filters=PipelineFilters.default(today=TODAY), currency="USD")
        for n in range(20, 40):
            registration(fixture, fixture.a.partner1, n=n, status="approved", stage="proposal", value="1")
        with CaptureQueriesContext(connection) as many:
            pipeline_figures(tenant=fixture.a.tenant, filters=PipelineFilters.default(today=TODAY), currency="USD")
    # open by stage, won/lost in the period, stage history
    assert len(few) == len(many) == 3


def test_the_vendor_page_shows_the_figures_and_exports_them(client, fixture):
    client.force_login(fixture.a.analyst)
    page = client.get("/t/alpha/deals/pipeline/?start=2024-04-01&end=2024-06-30")
    assert page.status_code == 200
    assert b"1,800.00 USD" in page.content and b"How these figures are counted" in page.content
    export = client.get("/t/alpha/deals/pipeline/?start=2024-04-01&end=2024-06-30&export=csv")
    lines = export.content.decode().splitlines()
    assert lines[0] == "figure,stage,currency,count,total,avg_days_in_stage"
    assert "open,proposal,USD,2,1500.00,5.0" in lines


def test_a_partner_sees_only_its_own_pipeline(client, fixture):
    client.force_login(fixture.a.partner2_admin)
    page = client.get("/p/alpha/deals/pipeline/?start=2024-04-01&end=2024-06-30&partner=" + str(fixture.a.partner1.public_id))
    assert page.status_code == 200
    assert b"300.00 USD" in page.content  # its own: 200 prospecting + 100 qualification
    assert b"1,800.00" not in page.content and b"750.00" not in page.content
    export = client.get("/p/alpha/deals/pipeline/?start=2024-04-01&end=2024-06-30&export=csv")
    assert "open,proposal,USD,0,0,5.0" not in export.content.decode()
    assert "open,prospecting,USD,1,200.00,6.0" in export.content.decode()


def test_partner_users_cannot_open_the_vendor_pipeline(client, fixture):
    client.force_login(fixture.a.partner1_admin)
    assert client.get("/t/alpha/deals/pipeline/").status_code == 404
