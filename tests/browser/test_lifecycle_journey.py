"""The partner lifecycle in a real browser: apply, get approved, join, onboard, train, and the gate opens.

One journey across three people on the demo data that `make run` seeds: an anonymous visitor applies
on the public page, the partner manager approves, and the invited partner admin signs up, accepts
the invitation, signs the agreements, answers the security questionnaire and passes a course quiz.
Emails are read from Django's locmem outbox (the live server runs in this process). Screenshots go
to test-output/screenshots/lifecycle-*.png; the user documentation in docs/ uses some of them.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.portal.management.commands.seed_demo import DEMO_PASSWORD
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from onboarding.models import (
    AgreementSignature,
    ApplicationStatus,
    Certification,
    Course,
    OnboardingStep,
    PartnerApplication,
    QuizChoice,
    StepStatus,
)
from partners.models import PartnerOrganization, PartnerStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "Lighthouse Cloud Services"
DOMAIN = "lighthouse-cloud.example"
ADMIN_EMAIL = "lena@lighthouse-cloud.example"
ADMIN_NAME = "Lena Lighthouse"
ADMIN_PASSWORD = "lighthouse-Keeper-2026"
COURSE = "Selling Acme Cloud"
GATING_STEPS = ["Sign the partner agreement", "Sign the NDA", "Security questionnaire"]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    """The demo tenant, seeded exactly as `make run` seeds it (committed: the live server must see it)."""
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_out(page) -> None:
    """A different person at the same browser: drop the session cookie."""
    page.context.clear_cookies()


def email_to(address: str, contains: str) -> mail.EmailMessage:
    found = [m for m in mail.outbox if address in m.to and contains in m.body]
    assert found, f"no email to {address} containing {contains!r}: {[m.subject for m in mail.outbox]}"
    return found[-1]


def link_in(message: mail.EmailMessage, pattern: str) -> str:
    """The path of the first link in the email that matches ``pattern`` (absolute links lose their host)."""
    match = re.search(rf"https?://[^\s/]+({pattern}\S*)", message.body)
    assert match, message.body
    return match[1]


def step_link(page, title: str):
    return page.locator("a.list-group-item", has_text=title)


def sign_agreement(page, step_title: str, agreement_title: str) -> None:
    step_link(page, step_title).click()
    expect(page.locator("h2", has_text=agreement_title)).to_be_visible()
    expect(page.locator(".agreement-text")).not_to_be_empty()
    page.fill("#id_typed_name", ADMIN_NAME)
    page.check("#id_accepted")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url("**/p/acme/onboarding/")
    expect(page.get_by_role("alert").filter(has_text=f"Step done: {step_title}.")).to_be_visible()
    expect(step_link(page, step_title).locator(".badge")).to_have_text("Done")


def test_partner_lifecycle_from_application_to_open_gate(page, acme, screenshot) -> None:
    # 1. An anonymous visitor applies on the program's public page.
    page.goto("/apply/acme/")
    expect(page.locator("h1")).to_have_text("Become a Acme Cloud partner")
    page.fill("#id_company_name", COMPANY)
    page.fill("#id_website_domain", f"https://www.{DOMAIN}/")
    page.select_option("#id_partner_type", "msp")
    page.select_option("#id_country", "NL")
    page.select_option("#id_expected_deal_volume", "10_50")
    page.fill("#id_contact_name", ADMIN_NAME)
    page.fill("#id_contact_email", ADMIN_EMAIL)
    page.fill("#id_message", "We migrate mid-sized companies to the cloud.")
    screenshot(page, "lifecycle-01-apply", full_page=True)
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("h1")).to_have_text("Thank you for applying")
    expect(page.get_by_role("link", name="Check the status now")).to_be_visible()
    screenshot(page, "lifecycle-02-apply-thanks")
    email_to(ADMIN_EMAIL, "/apply/acme/status/")  # the applicant's copy of the status link

    # 2. The partner manager finds it in the queue and approves.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/applications/")
    row = page.locator("tbody tr", has_text=COMPANY)
    expect(row).to_contain_text(DOMAIN)  # normalised from the URL the applicant typed
    expect(row).to_contain_text("Waiting for review")
    screenshot(page, "lifecycle-03-applications-queue")
    row.get_by_role("link", name=COMPANY).click()
    expect(page.locator("h1")).to_contain_text(COMPANY)
    expect(page.locator("h1 .badge")).to_have_text("Waiting for review")
    expect(page.locator("dd", has_text=f"{ADMIN_NAME} <{ADMIN_EMAIL}>")).to_be_visible()
    screenshot(page, "lifecycle-04-application-detail")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r"/t/acme/partners/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_have_text(COMPANY)
    expect(page.get_by_role("alert").filter(has_text=f"{COMPANY} is approved")).to_be_visible()
    screenshot(page, "lifecycle-05-approved-partner")
    sign_out(page)

    # 3. The invited partner admin creates an account, verifies the address and accepts.
    invitation = email_to(ADMIN_EMAIL, "/invitations/acme/")
    accept_path = link_in(invitation, "/invitations/acme/")
    assert invitation.body.count(settings.SITE_URL.rstrip("/") + accept_path) == 1
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password1]", ADMIN_PASSWORD)
    page.fill("input[name=password2]", ADMIN_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    confirm_path = link_in(email_to(ADMIN_EMAIL, "/accounts/confirm-email/"), "/accounts/confirm-email/")
    page.goto(confirm_path)  # a GET only shows the form: the confirmation is a POST
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/confirm-email/" not in url)
    sign_out(page)

    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(accept_path)
    expect(page.locator("h1")).to_have_text("Join Acme Cloud")
    expect(page.locator("main")).to_contain_text(f"for {COMPANY}")
    screenshot(page, "lifecycle-06-invitation")
    page.get_by_role("button", name="Accept invitation").click()
    page.wait_for_url("**/p/acme/")

    # 4. The partner home: sales access is closed until the agreements and the questionnaire are done.
    expect(page.locator("h1")).to_have_text(f"Welcome, {COMPANY}")
    expect(page.get_by_role("alert").filter(has_text="Welcome to Acme Cloud.")).to_be_visible()
    gate = page.get_by_test_id("gate-closed")
    expect(gate).to_contain_text("Sales access opens when these steps are done:")
    expect(gate.locator("li")).to_have_text(GATING_STEPS)
    expect(page.locator(".stat-card", has_text="Partner status")).to_contain_text("Onboarding")
    screenshot(page, "lifecycle-07-gate-closed")

    # 5. The onboarding checklist: sign both agreements, answer the questionnaire.
    page.locator("nav.navbar").get_by_role("link", name="Onboarding").click()
    page.wait_for_url("**/p/acme/onboarding/")
    expect(page.locator("a.list-group-item")).to_have_count(5)
    expect(page.locator("a.list-group-item .badge")).to_have_text(["To do"] * 5)
    screenshot(page, "lifecycle-08-onboarding-checklist")

    step_link(page, "Sign the partner agreement").click()
    page.get_by_role("button", name="Sign", exact=True).click()  # neither typed nor ticked: refused, nothing signed
    expect(page.locator(".invalid-feedback")).to_have_text(
        ["This field is required.", "Tick the box to accept the agreement."]  # the typed name, then the box
    )
    page.fill("#id_typed_name", ADMIN_NAME)
    page.check("#id_accepted")
    screenshot(page, "lifecycle-09-sign-agreement", full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url("**/p/acme/onboarding/")
    expect(page.get_by_role("alert").filter(has_text="Step done: Sign the partner agreement.")).to_be_visible()
    expect(step_link(page, "Sign the partner agreement").locator(".badge")).to_have_text("Done")

    sign_agreement(page, "Sign the NDA", "Mutual NDA")

    step_link(page, "Security questionnaire").click()
    questions = page.locator("fieldset")
    expect(questions).to_have_count(5)
    for index in range(questions.count()):
        questions.nth(index).get_by_label("Yes").check()
    screenshot(page, "lifecycle-10-questionnaire", full_page=True)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/p/acme/onboarding/")
    expect(page.get_by_role("alert").filter(has_text="Step done: Security questionnaire.")).to_be_visible()  # low risk
    expect(page.get_by_test_id("gate-open")).to_be_visible()
    expect(step_link(page, "Complete your company profile").locator(".badge")).to_have_text("To do")

    # 6. Training: pass the sales course's quiz with the right answers.
    with tenant_context(acme.pk):
        course = Course.objects.get(tenant=acme, title=COURSE)
        correct = {
            str(choice.question.public_id): str(choice.public_id)
            for choice in QuizChoice.objects.filter(tenant=acme, question__course=course, is_correct=True).select_related(
                "question"
            )
        }
    assert len(correct) == 3
    page.locator("nav.navbar").get_by_role("link", name="Training").click()
    page.wait_for_url("**/p/acme/training/")
    card = page.locator("a.list-group-item", has_text=COURSE)
    expect(card.locator(".badge")).to_have_text("Not started")
    card.click()
    expect(page.locator("h1")).to_contain_text(COURSE)
    for question_id, choice_id in correct.items():
        page.check(f"input[name='q-{question_id}'][value='{choice_id}']")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("alert").filter(has_text="You passed with 100%")).to_be_visible()
    result = page.get_by_test_id("quiz-result")
    expect(result).to_contain_text("Passed.")
    expect(result).to_contain_text("Credential number")
    screenshot(page, "lifecycle-11-quiz-passed")
    page.goto("/p/acme/training/")
    expect(page.locator("a.list-group-item", has_text=COURSE).locator(".badge")).to_contain_text("Certified until")

    # 7. Home again: the gate is open.
    page.locator("nav.navbar").get_by_role("link", name="Home").click()
    page.wait_for_url("**/p/acme/")
    expect(page.get_by_test_id("gate-open")).to_contain_text("Your sales access is open")
    expect(page.get_by_test_id("gate-closed")).to_have_count(0)
    screenshot(page, "lifecycle-12-gate-open")

    # And in the database.
    with tenant_context(acme.pk):
        application = PartnerApplication.objects.get(tenant=acme, website_domain=DOMAIN)
        partner = PartnerOrganization.objects.get(tenant=acme, website_domain=DOMAIN)
        assert application.status == ApplicationStatus.APPROVED
        assert application.partner_id == partner.pk
        assert partner.status == PartnerStatus.ONBOARDING  # the profile and the kickoff call are still to do
        signatures = AgreementSignature.objects.filter(tenant=acme, partner=partner).select_related("agreement", "signer")
        assert sorted(s.agreement.title for s in signatures) == ["Mutual NDA", "Partner Program Agreement"]
        assert {s.typed_name for s in signatures} == {ADMIN_NAME}
        assert {s.signer.email for s in signatures} == {ADMIN_EMAIL}
        assert all(s.text_signed == s.agreement.body for s in signatures)
        steps = dict(OnboardingStep.objects.filter(tenant=acme, partner=partner).values_list("title", "status"))
        assert [steps[title] for title in GATING_STEPS] == [StepStatus.DONE] * 3
        review = OnboardingStep.objects.get(tenant=acme, partner=partner, title="Security questionnaire")
        assert (review.result["rating"], review.result["risk_points"]) == ("low", 0)
        certification = Certification.objects.get(tenant=acme, partner=partner, course=course)
        assert certification.user.email == ADMIN_EMAIL
        assert certification.is_current and certification.revoked_at is None
