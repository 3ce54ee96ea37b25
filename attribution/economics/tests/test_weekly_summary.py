"""The weekly program summary: figures of the last 7 days against the 7 before on hand-built data, who
receives it, once per tenant and week, and tenant B's figures never in tenant A's mail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from attribution.economics import summary as weekly
from attribution.economics import tasks
from attribution.economics.models import WeeklySummarySent
from deals.models import DealRegistration, RegistrationDecision
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from onboarding.models import PartnerApplication
from onboarding.services import application_submit
from partners.mdf.tests.support import budget_for, claim_as, funded, request_as
from partners.models import PartnerOrganization
from partners.surveys.tests.support import move, plant, schedule
from scoring.models import ChurnAlert
from tests.factories import PartnerFactory

WEEK = weekly.week_of(timezone.localdate())


def at(days_before_monday: float) -> datetime.datetime:
    """A moment ``days_before_monday`` days before this week's Monday 00:00 (local)."""
    _before, _start, end = WEEK.bounds()
    return end - datetime.timedelta(days=days_before_monday)


THIS_WEEK, WEEK_BEFORE, EARLIER = at(3), at(10), at(20)  # in the last 7 days, in the 7 before, before both


def _registration(a, name: str, *, submitted_at, **changes) -> DealRegistration:
    registration = submit_as(
        a.tenant, a.partner1, a.partner1_admin, customer_name=name, customer_domain=f"{name.lower()}.example"
    ).registration
    with tenant_context(a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(submitted_at=submitted_at, **changes)
    return registration


@pytest.fixture
def program(world):
    """Tenant A's hand-built week. Expected figures (this week, the week before):

    new partners 2, 1 (partner 1 and a third partner this week, partner 2 the week before);
    applications 1, 0 (another one three weeks ago); registrations submitted 2, 1 (+ one earlier);
    approvals 1, 2; closed-won revenue 1,200.50 and 800.00 USD (a EUR win of 999 this week is not
    counted); MDF requests waiting 2, claims waiting 1; open churn alerts 1 (a closed one not counted);
    PSAT answers 3, 1; NPS of the latest survey: answers 10, 9, 3 → 2/3 promoters − 1/3 detractors = 33.
    """
    cache.clear()
    a = world.a
    product_lines_for(a.tenant)
    with tenant_context(a.tenant.pk):
        third = PartnerFactory(tenant=a.tenant, name="Alpha Third", website_domain="third.alpha.example")
        PartnerOrganization.objects.filter(pk__in=[a.partner1.pk, third.pk]).update(created_at=THIS_WEEK)
        PartnerOrganization.objects.filter(pk=a.partner2.pk).update(created_at=WEEK_BEFORE)
    for n, when in enumerate((THIS_WEEK, EARLIER)):
        with tenant_context(a.tenant.pk):
            application_submit(
                tenant=a.tenant,
                company_name=f"Applicant {n}",
                website_domain=f"applicant{n}.example",
                partner_type="msp",
                expected_deal_volume="10_50",
                contact_name="Ann Applicant",
                contact_email=f"ann{n}@applicant.example",
            )
            PartnerApplication.objects.filter(company_name=f"Applicant {n}").update(submitted_at=when)
    won_now = _registration(
        a, "Wonnow", submitted_at=THIS_WEEK, status="won", closed_amount=Decimal("1200.50"), closed_on=THIS_WEEK.date()
    )
    _registration(a, "Opennow", submitted_at=THIS_WEEK)
    won_before = _registration(
        a, "Wonbefore", submitted_at=WEEK_BEFORE, status="won", closed_amount=Decimal("800"), closed_on=WEEK_BEFORE.date()
    )
    _registration(
        a, "Euro", submitted_at=EARLIER, status="won", currency="EUR", closed_amount=Decimal("999"), closed_on=THIS_WEEK.date()
    )
    with tenant_context(a.tenant.pk):
        RegistrationDecision.objects.filter(tenant=a.tenant).update(decided_at=EARLIER)
        for registration, when in ((won_now, THIS_WEEK), (won_before, WEEK_BEFORE), (won_before, WEEK_BEFORE)):
            decision = RegistrationDecision.objects.create(
                tenant=a.tenant,
                registration=registration,
                partner=a.partner1,
                action="approved",
                from_status="pending",
                to_status="approved",
            )
            RegistrationDecision.objects.filter(pk=decision.pk).update(decided_at=when)
    budget_for(a, "10000", allocations={a.partner1: "5000"})
    request_as(a, a.partner1, a.partner1_admin, planned_spend="100", title="Waiting one")
    request_as(a, a.partner1, a.partner1_admin, planned_spend="100", title="Waiting two")
    claim_as(a, a.partner1, a.partner1_admin, funded(a, a.partner1, a.partner1_admin, spend="500"), amount="400")
    with tenant_context(a.tenant.pk):
        for status in ("open", "closed"):
            ChurnAlert.objects.create(
                tenant=a.tenant, partner=a.partner2, raised_on=THIS_WEEK.date(), probability=0.7, method="rules", status=status
            )
    survey = schedule(a, title="PSAT autumn")
    for nps, user, partner, when in (
        (10, a.partner1_admin, a.partner1, THIS_WEEK),
        (9, a.partner1_rep, a.partner1, THIS_WEEK),
        (3, a.partner2_admin, a.partner2, THIS_WEEK),
    ):
        plant(a, survey, partner=partner, user=user, nps=nps, answers={}, submitted_at=when)
    older = move(a, schedule(a, title="PSAT spring"), opens_on=EARLIER.date(), closes_on=WEEK_BEFORE.date())
    plant(a, older, partner=a.partner1, user=a.partner1_admin, nps=0, answers={}, submitted_at=WEEK_BEFORE)
    return a


def figures(a) -> dict:
    with tenant_context(a.tenant.pk):
        summary = weekly.weekly_figures(tenant=a.tenant, week=WEEK)
    return {line.key: (line.now, line.before) for line in summary.lines}


def test_the_figures_of_the_last_seven_days_against_the_seven_before(program):
    assert figures(program) == {
        "partners": (2, 1),
        "applications": (1, 0),
        "registrations_submitted": (2, 1),
        "registrations_approved": (1, 2),
        "won_revenue": (Decimal("1200.50"), Decimal("800.00")),
        "mdf_requests_waiting": (2, None),
        "mdf_claims_waiting": (1, None),
        "churn_alerts": (1, None),
        "psat_answers": (3, 1),
        "nps": (33, None),
    }


def test_the_figures_cost_a_fixed_number_of_queries(program, django_assert_num_queries):
    with tenant_context(program.tenant.pk), django_assert_num_queries(weekly.FIGURE_QUERIES):
        weekly.weekly_figures(tenant=program.tenant, week=WEEK)


def test_the_mail_goes_to_owners_and_partner_managers_in_text_and_html_with_links(program, django_capture_on_commit_callbacks):
    a = program
    with tenant_context(a.tenant.pk), django_capture_on_commit_callbacks(execute=True):
        sent = weekly.weekly_summary_send(tenant=a.tenant)
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["owner-alpha@example.com", "partner_manager-alpha@example.com"]
    message = mail.outbox[0]
    assert "Closed-won partner revenue (USD): 1,200.50 (the week before: 800.00, +400.50)" in message.body
    assert "New partners: 2 (the week before: 1, +1)" in message.body
    assert "Current NPS: 33" in message.body
    assert "/t/alpha/deals/registrations/" in message.body and "/t/alpha/economics/weekly-summary/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and 'data-line="won_revenue">1,200.50<' in html


def test_a_second_run_the_same_week_sends_nothing(program, django_capture_on_commit_callbacks):
    a = program
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.weekly_summary_send(a.tenant.pk) == 2
        assert tasks.weekly_summary_send(a.tenant.pk) == 0
    assert len(mail.outbox) == 2
    with tenant_context(a.tenant.pk):
        assert list(WeeklySummarySent.objects.values_list("week_start", "recipients")) == [(WEEK.week_start, 2)]
    # next week's run sends again
    with django_capture_on_commit_callbacks(execute=True):
        next_monday = (WEEK.week_start + datetime.timedelta(days=7)).isoformat()
        assert tasks.weekly_summary_send(a.tenant.pk, today=next_monday) == 2


def test_opted_out_people_and_a_tenant_that_turned_it_off_get_nothing(program, django_capture_on_commit_callbacks):
    a = program
    with tenant_context(a.tenant.pk):
        weekly.summary_settings_save(tenant=a.tenant, actor=a.owner, enabled=True, recipients=[a.owner.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert weekly.weekly_summary_send(tenant=a.tenant) == 1
    assert [m.to for m in mail.outbox] == [["owner-alpha@example.com"]]
    with tenant_context(a.tenant.pk):
        WeeklySummarySent.objects.all().delete()
        weekly.summary_settings_save(tenant=a.tenant, actor=a.owner, enabled=False, recipients=[a.owner.pk])
        assert weekly.weekly_summary_send(tenant=a.tenant) == 0
        assert not WeeklySummarySent.objects.exists()


def test_the_fan_out_sends_one_task_per_active_tenant(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.weekly_summary_send, "delay", lambda tenant_id, **kw: sent.append(tenant_id))
    assert tasks.weekly_summary_all_tenants() == 2
    assert sorted(sent) == sorted([world.a.tenant.pk, world.b.tenant.pk])


def test_tenant_bs_figures_never_reach_tenant_as_mail(program, world, django_capture_on_commit_callbacks):
    b = world.b
    product_lines_for(b.tenant)
    with tenant_context(b.tenant.pk):
        PartnerOrganization.objects.filter(tenant=b.tenant).update(created_at=THIS_WEEK)
    registration = submit_as(
        b.tenant, b.partner1, b.partner1_admin, customer_name="Betawin", customer_domain="betawin.example"
    ).registration
    with tenant_context(b.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            submitted_at=THIS_WEEK, status="won", closed_amount=Decimal("77777"), closed_on=THIS_WEEK.date()
        )
    assert figures(program)["won_revenue"] == (Decimal("1200.50"), Decimal("800.00"))
    assert figures(program)["partners"] == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.weekly_summary_send(program.tenant.pk)
        tasks.weekly_summary_send(b.tenant.pk)
    alpha = [m for m in mail.outbox if m.to[0].endswith("-alpha@example.com")]
    beta = [m for m in mail.outbox if m.to[0].endswith("-beta@example.com")]
    assert len(alpha) == 2 and len(beta) == 2
    assert all("77,777" not in m.body and "/t/beta/" not in m.body for m in alpha)
    assert all("1,200.50" not in m.body and "/t/alpha/" not in m.body for m in beta)
    assert "Closed-won partner revenue (USD): 77,777.00" in beta[0].body


# --- the settings page -------------------------------------------------------------------------


def page_url(slug="alpha") -> str:
    return reverse("economics:summary_settings", kwargs={"tenant_slug": slug})


def test_an_owner_turns_the_summary_off_and_chooses_recipients(client, world):
    a = world.a
    client.force_login(a.owner)
    page = client.get(page_url())
    assert page.status_code == 200 and "partner_manager-alpha@example.com" in page.content.decode()
    assert 'data-testid="summary-preview"' in page.content.decode()
    response = client.post(page_url(), {"recipients": [str(a.owner.pk)]})
    assert response.status_code == 302
    with tenant_context(a.tenant.pk):
        row = weekly.summary_settings(tenant=a.tenant)
        assert (row.enabled, row.opted_out) == (False, [a.manager.pk])
        assert weekly.summary_recipients(tenant=a.tenant, settings_row=row) == []


def test_a_recipient_who_is_not_a_manager_keeps_the_form_with_the_error(client, world):
    a = world.a
    client.force_login(a.manager)
    response = client.post(page_url(), {"recipients": [str(a.owner.pk), str(a.analyst.pk)]})
    body = response.content.decode()
    assert response.status_code == 400 and "invalid-feedback" in body
    # what was ticked stays ticked, what was not stays unticked
    assert f'value="{a.owner.pk}" checked' in body and f'value="{a.manager.pk}" >' in body
    assert 'id="id_enabled" class="form-check-input" >' in body
    with tenant_context(a.tenant.pk):
        assert not weekly.WeeklySummarySettings.objects.exists()


def test_an_analyst_reads_the_page_but_cannot_change_it(client, world):
    client.force_login(world.a.analyst)
    assert client.get(page_url()).status_code == 200
    assert client.post(page_url(), {"enabled": "on"}).status_code == 403


def test_partner_users_and_the_other_tenant_get_404(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get(page_url()).status_code == 404
    client.force_login(world.b.owner)
    assert client.get(page_url()).status_code == 404


def test_beat_schedules_the_summary_on_mondays_at_seven_and_the_worker_knows_the_task(settings):
    from celery.schedules import crontab

    from ecosystem.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-summary-all-tenants"]
    assert entry["task"] == "attribution.economics.tasks.weekly_summary_all_tenants" and entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute=0, hour=7, day_of_week=1)


def test_an_api_key_saves_the_settings_without_naming_a_person(program):
    """An API key is no user: the row names nobody and the audit row names the key (it was a 500)."""
    from ecosystem.api.services import api_key_create
    from ecosystem.audit.models import AuditEntry

    a = program
    with tenant_context(a.tenant.pk):
        key = api_key_create(tenant=a.tenant, actor=a.owner, name="automation", scope="write").api_key
        row = weekly.summary_settings_save(tenant=a.tenant, actor=key, enabled=True, recipients=[a.owner.pk])
        entry = AuditEntry.objects.get(action="economics.weekly_summary_settings")
    assert row.updated_by is None and row.enabled
    assert entry.actor_id is None and "automation" in entry.actor_label
