"""SLA figures measured from seeded timestamps equal the ones worked out by hand (deals.sla.selectors)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.sla.models import SlaDefinition, SlaKind
from deals.sla.selectors import SlaPeriod, sla_breaches, sla_report
from deals.sla.services import sla_definitions_ensure
from deals.tests.support import rules_for
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, appeal, extension, invitation, lead_offer, registration

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def report(world, now, **kwargs):
    with tenant_context(world.a.tenant.pk):
        return sla_report(tenant=world.a.tenant, now=now, **kwargs)


def program(result, kind):
    return next(f for f in result.program if f.kind == kind)


def test_the_defaults_follow_the_rules_of_engagement_and_the_side_follows_the_interaction(world):
    rules_for(world.a.tenant, approval_sla_hours=36, lead_response_hours=12)
    with tenant_context(world.a.tenant.pk):
        found = {d.kind: (d.owed_by, d.target_hours, d.is_active) for d in sla_definitions_ensure(tenant=world.a.tenant)}
    assert found == {
        "registration_decision": ("vendor", 36, True),
        "lead_answer": ("partner", 12, True),
        "cosell_answer": ("partner", 72, True),
        "extension_decision": ("vendor", 48, True),
        "appeal_decision": ("vendor", 72, True),
    }


def test_without_rules_the_registration_sla_is_48_hours_and_the_lead_sla_24(world):
    with tenant_context(world.a.tenant.pk):
        found = {d.kind: d.target_hours for d in sla_definitions_ensure(tenant=world.a.tenant)}
    assert (found["registration_decision"], found["lead_answer"], found["cosell_answer"]) == (48, 24, 72)


def test_a_rule_changed_on_the_rules_page_is_the_sla_target_at_once(world):
    with tenant_context(world.a.tenant.pk):
        sla_definitions_ensure(tenant=world.a.tenant)
    rules_for(world.a.tenant, approval_sla_hours=10)
    with tenant_context(world.a.tenant.pk):
        sla_definitions_ensure(tenant=world.a.tenant)
        assert SlaDefinition.objects.get(kind="registration_decision").target_hours == 10


def test_registration_decisions_met_breached_open_and_the_boundaries(world, now):
    a = world.a
    registration(a.tenant, a.partner1, submitted_at=now - 100 * HOUR, decided=("approved", now - 52 * HOUR))  # 48 h: met
    registration(a.tenant, a.partner1, submitted_at=now - 100 * HOUR, decided=("rejected", now - 52 * HOUR + SECOND))  # late
    registration(a.tenant, a.partner1, submitted_at=now - 48 * HOUR)  # due exactly now: still within
    registration(a.tenant, a.partner2, submitted_at=now - 48 * HOUR - SECOND)  # one second overdue
    registration(a.tenant, a.partner2, submitted_at=now - 2 * HOUR)  # open, within
    registration(a.tenant, a.partner2, submitted_at=now - 90 * HOUR, decided=("auto_approved", now - 90 * HOUR))  # not measured
    registration(a.tenant, a.partner2, submitted_at=now - 90 * HOUR, status="withdrawn")  # withdrawn undecided: not measured
    info = registration(a.tenant, a.partner2, submitted_at=now - 60 * HOUR, status="info_requested")  # the clock does not stop
    assert info.status == "info_requested"

    figures = program(report(world, now), SlaKind.REGISTRATION_DECISION)

    assert (figures.count, figures.met, figures.breached, figures.open_within, figures.open_overdue) == (6, 1, 1, 2, 2)
    assert figures.breaches == 3
    assert figures.attainment == 25.0  # 1 met of 4 decided or overdue
    assert figures.median_hours == 48.0  # 48 h and 48 h + 1 s, answered only
    assert figures.owed_by == "vendor" and figures.target_hours == 48


def test_lead_answers_median_and_p90_and_an_expired_offer_is_a_breach(world, now):
    a = world.a
    start = now - 80 * HOUR
    for hours in (2, 10, 30):
        lead_offer(a.tenant, a.partner1, offered_at=start, status="accepted", responded_at=start + hours * HOUR)
    lead_offer(a.tenant, a.partner1, offered_at=start, status="expired", responded_at=start + 24 * HOUR)
    lead_offer(a.tenant, a.partner1, offered_at=now - 25 * HOUR)  # open, overdue
    lead_offer(a.tenant, a.partner1, offered_at=now - 24 * HOUR)  # open, exactly at the target: within
    lead_offer(a.tenant, a.partner1, offered_at=start, status="withdrawn", responded_at=start + HOUR)  # not measured

    figures = program(report(world, now), SlaKind.LEAD_ANSWER)

    assert (figures.count, figures.met, figures.breached, figures.open_within, figures.open_overdue) == (6, 2, 2, 1, 1)
    assert figures.attainment == 40.0  # 2 of 5
    assert figures.median_hours == 10.0
    assert figures.p90_hours == 26.0  # percentile_cont: 10 + 0.8 × (30 − 10)


def test_cosell_invitations_count_the_invited_partner_only_when_it_was_asked(world, now):
    a = world.a
    deal = registration(a.tenant, a.partner1, submitted_at=now - 200 * HOUR, decided=("approved", now - 199 * HOUR))
    invitation(
        a.tenant, deal, a.partner2, invited_at=now - 100 * HOUR, status="accepted", responded_at=now - 28 * HOUR
    )  # 72 h: met
    other = registration(a.tenant, a.partner1, submitted_at=now - 200 * HOUR, decided=("approved", now - 199 * HOUR))
    invitation(a.tenant, other, a.partner2, invited_at=now - 80 * HOUR)  # open, overdue
    third = registration(a.tenant, a.partner1, submitted_at=now - 200 * HOUR, decided=("approved", now - 199 * HOUR))
    invitation(a.tenant, third, a.partner2, invited_at=now - 5 * HOUR, status="accepted", responded_at=now - 5 * HOUR)  # assigned
    invitation(
        a.tenant, third, a.partner1, invited_at=now - 5 * HOUR, status="accepted", role="sourcing", responded_at=now - 6 * HOUR
    )

    result = report(world, now)
    figures = program(result, SlaKind.COSELL_ANSWER)

    assert (figures.count, figures.met, figures.open_overdue) == (2, 1, 1)
    by_partner = {(f.partner_id, f.kind): f for f in result.by_partner}
    assert by_partner[(a.partner2.pk, "cosell_answer")].count == 2
    assert (a.partner1.pk, "cosell_answer") not in by_partner


def test_extensions_and_appeals_are_attributed_to_the_partner_that_waited(world, now):
    a = world.a
    deal = registration(a.tenant, a.partner2, submitted_at=now - 300 * HOUR, decided=("approved", now - 299 * HOUR))
    extension(a.tenant, deal, requested_at=now - 50 * HOUR, status="granted", decided_at=now - 49 * HOUR)  # met
    rejected = registration(a.tenant, a.partner2, submitted_at=now - 300 * HOUR, decided=("rejected", now - 299 * HOUR))
    appeal(a.tenant, rejected, submitted_at=now - 100 * HOUR)  # 100 h open against 72: overdue

    result = report(world, now)

    assert (program(result, "extension_decision").met, program(result, "appeal_decision").open_overdue) == (1, 1)
    owed = {(f.partner_id, f.kind): f.breaches for f in result.by_partner}
    assert owed[(a.partner2.pk, "appeal_decision")] == 1
    assert owed[(a.partner2.pk, "registration_decision")] == 0  # both decided 1 h after submission


def test_the_period_selects_by_the_start_and_inactive_slas_are_not_measured(world, now):
    a = world.a
    registration(a.tenant, a.partner1, submitted_at=now - 24 * 95 * HOUR)  # 95 days ago: outside the default period
    lead_offer(a.tenant, a.partner1, offered_at=now - 30 * HOUR)
    with tenant_context(a.tenant.pk):
        sla_definitions_ensure(tenant=a.tenant)
        SlaDefinition.objects.filter(kind="lead_answer").update(is_active=False)

    result = report(world, now)

    assert program(result, "registration_decision").count == 0
    assert "lead_answer" not in {f.kind for f in result.program}
    longer = report(
        world, now, period=SlaPeriod(start=timezone.localdate() - datetime.timedelta(days=120), end=timezone.localdate())
    )
    assert program(longer, "registration_decision").open_overdue == 1


def test_one_partner_reads_only_its_own_figures_and_breaches(world, now):
    a = world.a
    registration(a.tenant, a.partner1, submitted_at=now - 60 * HOUR)
    registration(a.tenant, a.partner2, submitted_at=now - 60 * HOUR)
    lead_offer(a.tenant, a.partner1, offered_at=now - 30 * HOUR)

    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        mine = sla_report(tenant=a.tenant, partner_id=a.partner2.pk, now=now)
        breaches = list(sla_breaches(tenant=a.tenant, partner_id=a.partner2.pk, now=now))

    assert {f.partner_id for f in mine.by_partner} == {a.partner2.pk}
    assert program(mine, "registration_decision").open_overdue == 1
    assert program(mine, "lead_answer").count == 0
    assert [b.partner_id for b in breaches] == [a.partner2.pk]


def test_the_breaches_list_pages_filters_and_links_the_item(world, now):
    a = world.a
    late = registration(a.tenant, a.partner1, submitted_at=now - 60 * HOUR)
    offer = lead_offer(a.tenant, a.partner2, offered_at=now - 30 * HOUR)
    registration(a.tenant, a.partner1, submitted_at=now - 2 * HOUR)  # within: not a breach

    with tenant_context(a.tenant.pk):
        everything = sla_breaches(tenant=a.tenant, now=now)
        assert everything.count() == 2
        first, second = everything[0:2]
        leads_only = list(sla_breaches(tenant=a.tenant, kind="lead_answer", now=now))
        lead = offer.lead

    assert (first.kind, first.lead_id, first.subject, first.status) == (
        "lead_answer",
        lead.public_id,
        lead.company_name,
        "open_overdue",
    )
    assert (second.registration_id, second.partner_name, second.waited_hours) == (late.public_id, a.partner1.name, 60.0)
    assert [b.item_id for b in leads_only] == [offer.public_id]


def test_the_figures_are_one_query_whatever_the_number_of_rows(world, now):
    a = world.a
    with tenant_context(a.tenant.pk):
        sla_definitions_ensure(tenant=a.tenant)

    def count() -> int:
        with tenant_context(a.tenant.pk), CaptureQueriesContext(connection) as queries:
            sla_report(tenant=a.tenant, now=now)
        return len(queries)

    one = count()
    for n in range(10):
        registration(a.tenant, a.partner1 if n % 2 else a.partner2, submitted_at=now - (n + 1) * 10 * HOUR)
        lead_offer(a.tenant, a.partner1, offered_at=now - n * HOUR)
    # 1. the SLAs, 2. the rules of engagement, 3. every figure (one statement)
    assert one == count() == 3
