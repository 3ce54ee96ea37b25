"""Onboarding pages: the vendor's review queue and board, and the partner's checklist and step pages."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecosystem.accounts.models import Invitation
from ecosystem.tenancy.context import tenant_context
from onboarding import services
from onboarding.models import AgreementSignature, OnboardingPlan, OnboardingStep
from partners.models import PartnerOrganization, PartnerStatusChange
from tests.fixtures import onboarding_plan_for

from .support import (
    AGREEMENT,
    AGREEMENT_TITLE,
    KICKOFF,
    KICKOFF_TITLE,
    SECURITY_REVIEW,
    SECURITY_REVIEW_TITLE,
    answers_for,
    audit_actions,
    onboarding_partner,
    partner_admin_of,
    reject,
    reload_application,
    statuses_of_steps,
    step_of,
    submit_application,
)


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; turned back into characters)."""
    return html.unescape(response.content.decode())


def step_url(step) -> str:
    return f"/p/alpha/onboarding/steps/{step.public_id}/"


def answer_form(tenant, *, no: int = 0, skip: int = 0) -> dict[str, str]:
    answers = list(answers_for(tenant, no=no).items())[skip:]
    return {f"q-{question_id}": "yes" if yes else "no" for question_id, yes in answers}


def signatures_of(tenant) -> list[AgreementSignature]:
    with tenant_context(tenant.pk):
        return list(AgreementSignature.objects.all())


def sign_and_answer(tenant_world, partner, user, *, no: int = 0) -> None:
    with tenant_context(tenant_world.tenant.pk, partner_id=partner.pk):
        services.agreement_sign(
            tenant=tenant_world.tenant,
            actor=user,
            step=step_of(tenant_world.tenant, partner, AGREEMENT),
            typed_name="Pat Partner",
            accepted=True,
            ip=None,
        )
        services.security_review_submit(
            tenant=tenant_world.tenant,
            actor=user,
            step=step_of(tenant_world.tenant, partner, SECURITY_REVIEW),
            answers=answers_for(tenant_world.tenant, no=no),
        )


# --- the review queue --------------------------------------------------------------------------


def test_the_queue_lists_only_applications_waiting_for_review_by_default(client, world):
    submit_application(world.a.tenant, company_name="Waiting Co", website_domain="waiting.example")
    declined = submit_application(world.a.tenant, company_name="Declined Co", website_domain="declined.example")
    reject(world.a.tenant, declined.application)
    client.force_login(world.a.analyst)

    response = client.get("/t/alpha/applications/")

    assert response.status_code == 200
    assert "Waiting Co" in text(response) and "Declined Co" not in text(response)


def test_the_queue_filters_by_status(client, world):
    submit_application(world.a.tenant, company_name="Waiting Co", website_domain="waiting.example")
    declined = submit_application(world.a.tenant, company_name="Declined Co", website_domain="declined.example")
    reject(world.a.tenant, declined.application)
    client.force_login(world.a.manager)

    body = text(client.get("/t/alpha/applications/", {"status": "rejected"}))

    assert "Declined Co" in body and "Waiting Co" not in body


def test_the_queue_shows_every_application_when_asked_for_all(client, world):
    submit_application(world.a.tenant, company_name="Waiting Co", website_domain="waiting.example")
    declined = submit_application(world.a.tenant, company_name="Declined Co", website_domain="declined.example")
    reject(world.a.tenant, declined.application)
    client.force_login(world.a.manager)

    body = text(client.get("/t/alpha/applications/", {"status": "all"}))

    assert "Declined Co" in body and "Waiting Co" in body


def test_the_queue_shows_only_the_tenants_own_applications(client, world):
    submit_application(world.b.tenant, company_name="Beta Applicant")
    client.force_login(world.a.manager)

    body = text(client.get("/t/alpha/applications/", {"status": "all"}))

    assert "Beta Applicant" not in body


def test_the_application_page_shows_the_answers_and_the_decision_forms_to_a_manager(client, world):
    application = submit_application(world.a.tenant).application
    client.force_login(world.a.manager)

    response = client.get(f"/t/alpha/applications/{application.public_id}/")

    body = text(response)
    assert response.status_code == 200
    assert "nimbus.example" in body and "Nia Novak" in body
    assert f"/t/alpha/applications/{application.public_id}/approve/" in body
    assert f"/t/alpha/applications/{application.public_id}/reject/" in body


def test_an_analyst_sees_the_application_without_the_decision_forms(client, world):
    application = submit_application(world.a.tenant).application
    client.force_login(world.a.analyst)

    body = text(client.get(f"/t/alpha/applications/{application.public_id}/"))

    assert "Nimbus Networks" in body
    assert "/approve/" not in body and "/reject/" not in body


def test_a_manager_approves_and_lands_on_the_new_partner(client, world, django_capture_on_commit_callbacks):
    onboarding_plan_for(world.a.tenant, world.a.partner2)  # the tenant's general template now exists
    application = submit_application(world.a.tenant).application
    client.force_login(world.a.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/alpha/applications/{application.public_id}/approve/")

    with tenant_context(world.a.tenant.pk):
        partner = PartnerOrganization.objects.get(website_domain="nimbus.example")
        assert OnboardingPlan.objects.filter(partner=partner, status="in_progress").exists()
        assert Invitation.objects.filter(partner=partner, email="nia@nimbus.example").exists()
    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/partners/{partner.public_id}/"
    assert partner.status == "onboarding"
    assert reload_application(application).status == "approved"
    assert {message.subject for message in mail.outbox} == {"You are invited to Alpha", "Your application to Alpha"}


def test_approving_an_application_whose_domain_is_taken_says_why_and_changes_nothing(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner2)
    application = submit_application(world.a.tenant, website_domain=world.a.partner1.website_domain).application
    with tenant_context(world.a.tenant.pk):
        before = (PartnerOrganization.objects.count(), OnboardingPlan.objects.count(), Invitation.objects.count())
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/applications/{application.public_id}/approve/", follow=True)

    assert response.redirect_chain[-1][0] == f"/t/alpha/applications/{application.public_id}/"
    assert "Another partner in this program already uses this website domain." in text(response)
    with tenant_context(world.a.tenant.pk):
        after = (PartnerOrganization.objects.count(), OnboardingPlan.objects.count(), Invitation.objects.count())
    assert after == before
    assert reload_application(application).status == "submitted"


def test_a_manager_declines_with_a_reason_and_the_applicant_is_told(client, world, django_capture_on_commit_callbacks):
    application = submit_application(world.a.tenant).application
    client.force_login(world.a.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/t/alpha/applications/{application.public_id}/reject/", {"reason": "We only take MSPs this year."}
        )

    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/applications/"
    application = reload_application(application)
    assert (application.status, application.decision_reason) == ("rejected", "We only take MSPs this year.")
    [message] = mail.outbox
    assert "We only take MSPs this year." in message.body


def test_declining_without_a_reason_is_refused_with_a_message(client, world):
    application = submit_application(world.a.tenant).application
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/applications/{application.public_id}/reject/", {"reason": " "}, follow=True)

    assert "Give a reason: the applicant will read it." in text(response)
    assert reload_application(application).status == "submitted"


def test_a_decided_application_cannot_be_decided_again_from_the_page(client, world):
    application = submit_application(world.a.tenant).application
    reject(world.a.tenant, application)
    before = audit_actions(world.a.tenant)
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/applications/{application.public_id}/approve/", follow=True)

    assert "This application has already been decided." in text(response)
    assert reload_application(application).status == "rejected"
    assert audit_actions(world.a.tenant) == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_an_analyst_cannot_decide_an_application_and_nothing_changes(client, world, decision):
    application = submit_application(world.a.tenant).application
    before = audit_actions(world.a.tenant)
    client.force_login(world.a.analyst)

    response = client.post(f"/t/alpha/applications/{application.public_id}/{decision}/", {"reason": "Analyst says no"})

    assert response.status_code == 403
    assert reload_application(application).status == "submitted"
    assert audit_actions(world.a.tenant) == before
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(website_domain="nimbus.example").exists()


@pytest.mark.parametrize("user", ["partner1_admin", "partner1_rep"])
@pytest.mark.parametrize("path", ["", "{id}/", "{id}/approve/", "{id}/reject/"])
def test_partner_users_get_404_on_the_vendors_application_pages(client, world, user, path):
    application = submit_application(world.a.tenant).application
    client.force_login(getattr(world.a, user))
    url = "/t/alpha/applications/" + path.format(id=application.public_id)

    response = client.post(url, {"reason": "x"}) if path.endswith(("approve/", "reject/")) else client.get(url)

    assert response.status_code == 404
    assert reload_application(application).status == "submitted"


def test_cannot_access_other_tenants_application_from_own_tenant(client, world):
    application = submit_application(world.b.tenant).application
    client.force_login(world.a.manager)

    assert client.get(f"/t/alpha/applications/{application.public_id}/").status_code == 404
    assert client.post(f"/t/alpha/applications/{application.public_id}/approve/").status_code == 404
    assert reload_application(application).status == "submitted"


# --- the vendor's onboarding board -------------------------------------------------------------


def test_the_board_lists_every_open_plan_with_its_progress_and_overdue_steps(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    onboarding_plan_for(world.a.tenant, world.a.partner2)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin)
    with tenant_context(world.a.tenant.pk):
        OnboardingStep.objects.filter(partner=world.a.partner2, position__in=[1, 2]).update(
            due_on=timezone.localdate() - timedelta(days=3)
        )
    client.force_login(world.a.analyst)

    response = client.get("/t/alpha/onboarding/")

    progress = {p.plan.partner_id: (p.done, p.total, p.overdue) for p in response.context["progress"]}
    assert progress == {world.a.partner1.pk: (2, 3, 0), world.a.partner2.pk: (0, 3, 2)}
    body = text(response)
    assert world.a.partner1.name in body and world.a.partner2.name in body
    assert "2/3" in body and "0/3" in body
    # Most overdue first: who is stuck.
    assert body.index(world.a.partner2.name) < body.index(world.a.partner1.name)


def test_the_board_leaves_out_completed_plans_and_other_tenants(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        OnboardingPlan.objects.filter(partner=world.a.partner1).update(status="completed")
    onboarding_plan_for(world.b.tenant, world.b.partner1)
    client.force_login(world.a.manager)

    response = client.get("/t/alpha/onboarding/")

    assert response.context["progress"] == []
    assert "Nobody is onboarding right now." in text(response)


def test_the_board_shows_reviews_waiting_for_a_decision_with_the_no_answers(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    client.force_login(world.a.manager)

    body = text(client.get("/t/alpha/onboarding/"))

    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    assert "Security reviews waiting for a decision" in body
    assert "No: Do you encrypt customer data at rest?" in body
    assert f"/t/alpha/onboarding/steps/{step.public_id}/approve/" in body


def test_the_board_costs_the_same_queries_for_one_and_five_plans(client, world):
    def board_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/t/alpha/onboarding/")
        assert response.status_code == 200
        return len(queries)

    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)  # a review waiting, too
    client.force_login(world.a.manager)
    one_plan = board_queries()
    for n in range(4):
        partner = onboarding_partner(world.a.tenant)
        sign_and_answer(world.a, partner, partner_admin_of(world.a.tenant, partner, email=f"admin{n}@more.example"), no=2)

    five_plans = board_queries()

    response = client.get("/t/alpha/onboarding/")
    assert (len(response.context["progress"]), len(response.context["reviews"])) == (5, 5)
    # Under the test's own transaction the scopes are savepoints. 1 session, 2 user, 3 tenant by
    # slug, 4 SAVEPOINT (tenant scope), 5 set_config (tenant), 6 membership, 7 the open plans with
    # their step counts; tenant switcher while rendering: 8 SAVEPOINT, 9 set_config (user),
    # 10 memberships in every tenant, 11 set_config (tenant again), 12 RELEASE; 13 the reviews
    # waiting with their partners, 14 their evidence documents, 15 the partners onboarded last,
    # 16 the completed plans for the median, 17 each partner's plan start and 18 its first deal
    # registration (time to first deal), 19 RELEASE, 20 set_config (outer, empty).
    assert one_plan == five_plans == 20


def test_the_board_shows_days_in_onboarding_and_how_long_finished_partners_took(client, world):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    onboarding_plan_for(world.a.tenant, world.a.partner2)
    with tenant_context(world.a.tenant.pk):
        OnboardingPlan.objects.filter(partner=world.a.partner1).update(created_at=now - datetime.timedelta(days=9, hours=1))
        OnboardingPlan.objects.filter(partner=world.a.partner2).update(
            status="completed", created_at=now - datetime.timedelta(days=20), completed_at=now - datetime.timedelta(days=14)
        )
    client.force_login(world.a.manager)

    response = client.get("/t/alpha/onboarding/")

    [open_plan] = response.context["progress"]
    [finished] = response.context["onboarded"]
    assert (open_plan.plan.partner, open_plan.days_in_onboarding) == (world.a.partner1, 9)
    assert (finished.plan.partner, finished.days) == (world.a.partner2, 6.0)
    body = text(response)
    assert "Recently onboarded" in body and "Median time to onboarded: 6.0 days over 1 partner." in body


def test_a_manager_signs_off_a_review_from_the_board(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/onboarding/steps/{step.public_id}/approve/", {"reason": "Controls checked"})

    assert response.status_code == 302
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    assert (step.status, step.result["decision_reason"]) == ("done", "Controls checked")


def test_a_manager_sends_a_review_back_from_the_board(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    client.force_login(world.a.manager)

    client.post(f"/t/alpha/onboarding/steps/{step.public_id}/return/", {"reason": "Turn on MFA first"})

    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "rejected"


def test_a_review_decision_without_a_reason_is_refused_with_a_message(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/onboarding/steps/{step.public_id}/approve/", {"reason": ""}, follow=True)

    assert "Give a reason for the record." in text(response)
    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "review"


def test_an_analyst_cannot_decide_a_review_and_nothing_changes(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    client.force_login(world.a.analyst)

    response = client.post(f"/t/alpha/onboarding/steps/{step.public_id}/approve/", {"reason": "Looks fine"})

    assert response.status_code == 403
    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "review"


def test_cannot_decide_other_tenants_review_from_own_tenant(client, world):
    onboarding_plan_for(world.b.tenant, world.b.partner1)
    sign_and_answer(world.b, world.b.partner1, world.b.partner1_admin, no=2)
    step = step_of(world.b.tenant, world.b.partner1, SECURITY_REVIEW)
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/onboarding/steps/{step.public_id}/approve/", {"reason": "Looks fine"})

    assert response.status_code == 404
    assert step_of(world.b.tenant, world.b.partner1, SECURITY_REVIEW).status == "review"


@pytest.mark.parametrize("user", ["partner1_admin", "partner1_rep"])
def test_partner_users_get_404_on_the_vendors_board(client, world, user):
    client.force_login(getattr(world.a, user))

    assert client.get("/t/alpha/onboarding/").status_code == 404


# --- the partner's checklist -------------------------------------------------------------------


def test_the_partner_sees_its_checklist_and_what_sales_access_waits_for(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_rep)

    response = client.get("/p/alpha/onboarding/")

    body = text(response)
    assert response.status_code == 200
    assert 'data-testid="gate-closed"' in body
    assert f"<li>{AGREEMENT_TITLE}</li>" in body and f"<li>{SECURITY_REVIEW_TITLE}</li>" in body
    assert f"<li>{KICKOFF_TITLE}</li>" not in body
    for position in (AGREEMENT, SECURITY_REVIEW, KICKOFF):
        assert step_url(step_of(world.a.tenant, world.a.partner1, position)) in body


def test_the_partner_dashboard_shows_what_sales_access_waits_for(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    body = text(client.get("/p/alpha/"))

    assert 'data-testid="gate-closed"' in body
    assert f"<li>{AGREEMENT_TITLE}</li>" in body and f"<li>{SECURITY_REVIEW_TITLE}</li>" in body


def test_the_partner_dashboard_says_sales_access_is_open_once_the_gating_steps_are_done(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.partner1_admin)

    body = text(client.get("/p/alpha/"))

    assert 'data-testid="gate-open"' in body and 'data-testid="gate-closed"' not in body


def test_the_partner_sees_its_open_plan_rather_than_an_earlier_completed_one(client, world):
    first = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        OnboardingStep.objects.filter(plan=first).update(status="done")
        OnboardingPlan.objects.filter(pk=first.pk).update(status="completed", completed_at=timezone.now())
    second = onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.get("/p/alpha/onboarding/")

    assert response.context["plan"].pk == second.pk


def test_a_partner_without_a_plan_is_told_so_and_has_sales_access(client, world):
    client.force_login(world.a.partner1_admin)

    body = text(client.get("/p/alpha/onboarding/"))

    assert "There is no onboarding plan for your organisation." in body
    assert 'data-testid="gate-open"' in body


def test_the_agreement_page_shows_the_exact_text_to_sign(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    body = text(client.get(step_url(step_of(world.a.tenant, world.a.partner1, AGREEMENT))))

    assert "The partner agrees to the program terms." in body
    assert 'name="typed_name"' in body and 'name="accepted"' in body


def test_signing_from_the_step_page_keeps_the_evidence_and_returns_to_the_checklist(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    step = step_of(world.a.tenant, world.a.partner1, AGREEMENT)
    client.force_login(world.a.partner1_admin)

    response = client.post(step_url(step), {"typed_name": "Pat Partner", "accepted": "on"}, REMOTE_ADDR="198.51.100.23")

    assert response.status_code == 302
    assert response["Location"] == "/p/alpha/onboarding/"
    [signature] = signatures_of(world.a.tenant)
    assert (signature.text_signed, signature.typed_name, signature.signer_id, signature.ip) == (
        "The partner agrees to the program terms.",
        "Pat Partner",
        world.a.partner1_admin.pk,
        "198.51.100.23",
    )
    assert step_of(world.a.tenant, world.a.partner1, AGREEMENT).status == "done"


def test_behind_a_proxy_the_signature_keeps_the_signers_address_not_the_proxys(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    step = step_of(world.a.tenant, world.a.partner1, AGREEMENT)
    client.force_login(world.a.partner1_admin)

    client.post(
        step_url(step),
        {"typed_name": "Pat Partner", "accepted": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23",
    )

    [signature] = signatures_of(world.a.tenant)
    assert signature.ip == "198.51.100.23"


def test_signing_without_ticking_the_box_shows_the_error_and_keeps_the_typed_name(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, AGREEMENT)), {"typed_name": "Pat Partner"})

    body = text(response)
    assert response.status_code == 400
    assert '<div class="invalid-feedback d-block">Tick the box to accept the agreement.</div>' in body
    assert re.search(r'<input type="checkbox" name="accepted"[^>]*is-invalid', body)
    assert 'value="Pat Partner"' in body
    assert signatures_of(world.a.tenant) == []


def test_signing_without_a_name_shows_the_error_next_to_the_name(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, AGREEMENT)), {"accepted": "on"})

    body = text(response)
    assert response.status_code == 400
    assert '<div class="invalid-feedback d-block">Type your full name to sign.</div>' in body
    assert re.search(r'<input[^>]*name="typed_name"[^>]*is-invalid', body)
    assert signatures_of(world.a.tenant) == []


def test_the_security_review_answered_yes_is_done(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.post(
        step_url(step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)), answer_form(world.a.tenant), follow=True
    )

    assert f"Step done: {SECURITY_REVIEW_TITLE}." in text(response)
    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "done"


def test_a_high_risk_security_review_tells_the_partner_it_waits_for_the_vendor(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.post(
        step_url(step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)), answer_form(world.a.tenant, no=2), follow=True
    )

    assert "Your answers need a review by the vendor" in text(response)
    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "review"


def test_missing_answers_are_refused_and_the_given_answers_are_kept(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)
    form = answer_form(world.a.tenant, no=2, skip=1)  # only the second question, answered "no"

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)), form)

    body = text(response)
    [(field, _)] = form.items()
    assert response.status_code == 400
    assert "Answer every question (1 left)." in body
    assert f'id="{field}-no" value="no" checked' in body
    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "todo"


def test_a_review_sent_back_shows_the_reason_and_can_be_answered_again(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin, no=2)
    with tenant_context(world.a.tenant.pk):
        services.security_review_decide(
            tenant=world.a.tenant,
            actor=world.a.manager,
            step=step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW),
            approve=False,
            reason="Turn on MFA first",
        )
    url = step_url(step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW))
    client.force_login(world.a.partner1_admin)
    assert "The vendor sent this back: Turn on MFA first" in text(client.get(url))

    client.post(url, answer_form(world.a.tenant))

    assert step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW).status == "done"


def test_a_step_before_its_dependency_names_the_step_to_finish_first(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_rep)

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, KICKOFF)))

    assert response.status_code == 400
    assert f"Finish these steps first: {AGREEMENT_TITLE}." in text(response)
    assert step_of(world.a.tenant, world.a.partner1, KICKOFF).status == "todo"


def test_the_last_step_from_the_portal_completes_onboarding_and_activates_the_partner(client, world):
    partner = onboarding_partner(world.a.tenant)
    admin = partner_admin_of(world.a.tenant, partner, email="admin@new-partner.example")
    sign_and_answer(world.a, partner, admin)
    client.force_login(admin)

    response = client.post(step_url(step_of(world.a.tenant, partner, KICKOFF)))

    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert OnboardingPlan.objects.get(partner=partner).status == "completed"
        assert PartnerOrganization.objects.get(pk=partner.pk).status == "active"
        change = PartnerStatusChange.objects.filter(partner=partner).latest("id")
    assert (change.to_status, change.reason, change.changed_by_id) == ("active", "Onboarding completed", admin.pk)


# --- isolation between partners ----------------------------------------------------------------


@pytest.mark.parametrize("position", [AGREEMENT, SECURITY_REVIEW, KICKOFF])
def test_cannot_open_other_partners_step(client, world, position):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner2_admin)

    response = client.get(step_url(step_of(world.a.tenant, world.a.partner1, position)))

    assert response.status_code == 404


def test_cannot_sign_other_partners_agreement(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner2_admin)

    response = client.post(
        step_url(step_of(world.a.tenant, world.a.partner1, AGREEMENT)), {"typed_name": "Mallory", "accepted": "on"}
    )

    assert response.status_code == 404
    assert signatures_of(world.a.tenant) == []
    assert statuses_of_steps(world.a.tenant, world.a.partner1) == [(1, "todo"), (2, "todo"), (3, "todo")]


def test_cannot_answer_other_partners_security_review(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner2_admin)

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)), answer_form(world.a.tenant))

    assert response.status_code == 404
    step = step_of(world.a.tenant, world.a.partner1, SECURITY_REVIEW)
    assert (step.status, step.result) == ("todo", {})


def test_cannot_complete_other_partners_task(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    sign_and_answer(world.a, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.partner2_admin)

    response = client.post(step_url(step_of(world.a.tenant, world.a.partner1, KICKOFF)))

    assert response.status_code == 404
    assert step_of(world.a.tenant, world.a.partner1, KICKOFF).status == "todo"


def test_cannot_open_other_tenants_step_from_own_tenant(client, world):
    onboarding_plan_for(world.b.tenant, world.b.partner1)
    client.force_login(world.a.partner1_admin)

    response = client.get(step_url(step_of(world.b.tenant, world.b.partner1, AGREEMENT)))

    assert response.status_code == 404


def test_a_partner_user_sees_only_their_own_plan(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    onboarding_plan_for(world.a.tenant, world.a.partner2)
    sign_and_answer(world.a, world.a.partner2, world.a.partner2_admin)
    client.force_login(world.a.partner1_rep)

    response = client.get("/p/alpha/onboarding/")

    body = text(response)
    assert response.context["plan"].partner_id == world.a.partner1.pk
    assert response.context["gate"].is_open is False  # partner2's finished steps do not count here
    for position in (AGREEMENT, SECURITY_REVIEW, KICKOFF):
        assert step_url(step_of(world.a.tenant, world.a.partner2, position)) not in body


@pytest.mark.parametrize("user", ["owner", "manager", "analyst"])
def test_vendor_staff_get_404_on_the_partner_checklist(client, world, user):
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(getattr(world.a, user))

    assert client.get("/p/alpha/onboarding/").status_code == 404
    assert client.get(step_url(step_of(world.a.tenant, world.a.partner1, AGREEMENT))).status_code == 404
