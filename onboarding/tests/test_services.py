"""The partner lifecycle's writes: applications, approval, plans, steps, security reviews and the sales-access gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ecosystem.accounts.models import Invitation, Role
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding import services
from onboarding.models import (
    AgreementSignature,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    PartnerApplication,
)
from partners.models import EngagementEvent, PartnerOrganization, PartnerStatusChange
from tests.fixtures import onboarding_plan_for

from .support import (
    AGREEMENT,
    AGREEMENT_TITLE,
    KICKOFF,
    SECURITY_REVIEW,
    SECURITY_REVIEW_TITLE,
    answers_for,
    applications_of,
    audit_actions,
    onboarding_partner,
    partner_admin_of,
    reload_application,
    statuses_of_steps,
    step_of,
    submit_application,
)


def as_partner(tenant_world, partner):
    """The scope a partner user's request runs in: the tenant, narrowed to their organisation."""
    return tenant_context(tenant_world.tenant.pk, partner_id=partner.pk)


def make_template(tenant, *, name: str, partner_type: str = "", steps=(("custom_task", "Kickoff", 5),)) -> OnboardingTemplate:
    with tenant_context(tenant.pk):
        template = OnboardingTemplate.objects.create(tenant=tenant, name=name, partner_type=partner_type)
        for position, (kind, title, due_days) in enumerate(steps, start=1):
            OnboardingTemplateStep.objects.create(
                tenant=tenant, template=template, position=position, kind=kind, title=title, due_days=due_days
            )
    return template


def approve(tenant_world, application) -> PartnerOrganization:
    with tenant_context(tenant_world.tenant.pk):
        return services.application_approve(tenant=tenant_world.tenant, actor=tenant_world.manager, application=application)


def sign(tenant_world, partner, user, *, typed_name="Pat Partner", accepted=True, ip="192.0.2.10") -> AgreementSignature:
    with as_partner(tenant_world, partner):
        return services.agreement_sign(
            tenant=tenant_world.tenant,
            actor=user,
            step=step_of(tenant_world.tenant, partner, AGREEMENT),
            typed_name=typed_name,
            accepted=accepted,
            ip=ip,
        )


def answer(tenant_world, partner, user, *, no: int = 0) -> OnboardingStep:
    with as_partner(tenant_world, partner):
        return services.security_review_submit(
            tenant=tenant_world.tenant,
            actor=user,
            step=step_of(tenant_world.tenant, partner, SECURITY_REVIEW),
            answers=answers_for(tenant_world.tenant, no=no),
        )


def decide_review(tenant_world, partner, *, approve: bool, reason="Compensating controls checked") -> OnboardingStep:
    with tenant_context(tenant_world.tenant.pk):
        return services.security_review_decide(
            tenant=tenant_world.tenant,
            actor=tenant_world.manager,
            step=step_of(tenant_world.tenant, partner, SECURITY_REVIEW),
            approve=approve,
            reason=reason,
        )


def complete_kickoff(tenant_world, partner, user) -> OnboardingStep:
    with as_partner(tenant_world, partner):
        return services.step_complete(tenant=tenant_world.tenant, actor=user, step=step_of(tenant_world.tenant, partner, KICKOFF))


def gate_of(tenant_world, partner) -> services.AccessGate:
    with tenant_context(tenant_world.tenant.pk):
        return services.partner_access_gate(tenant=tenant_world.tenant, partner_id=partner.pk)


# --- applications ------------------------------------------------------------------------------


def test_an_application_is_stored_with_a_normalised_domain_and_contact_email(world):
    submitted = submit_application(world.a.tenant)

    [application] = applications_of(world.a.tenant)
    assert submitted.merged is False
    assert (application.website_domain, application.contact_email, application.status, application.submissions) == (
        "nimbus.example",
        "nia@nimbus.example",
        "submitted",
        1,
    )
    assert audit_actions(world.a.tenant) == ["application.submit"]


def test_a_second_application_for_the_same_domain_updates_the_open_one(world):
    submit_application(world.a.tenant)

    second = submit_application(world.a.tenant, website_domain="nimbus.example", contact_name="Noor Nimbus")

    [application] = applications_of(world.a.tenant)
    assert second.merged is True
    assert (application.submissions, application.contact_name) == (2, "Noor Nimbus")
    assert audit_actions(world.a.tenant) == ["application.submit", "application.merge"]


def test_an_application_after_a_decision_opens_a_new_one(world):
    first = submit_application(world.a.tenant).application
    with tenant_context(world.a.tenant.pk):
        services.application_reject(tenant=world.a.tenant, actor=world.a.manager, application=first, reason="Not now")

    again = submit_application(world.a.tenant)

    assert again.merged is False
    assert [(a.status, a.submissions) for a in applications_of(world.a.tenant)] == [("rejected", 1), ("submitted", 1)]


def test_the_same_domain_may_apply_to_two_tenants_without_merging(world):
    submit_application(world.a.tenant)

    in_b = submit_application(world.b.tenant)

    assert in_b.merged is False
    assert len(applications_of(world.a.tenant)) == len(applications_of(world.b.tenant)) == 1


def test_an_unknown_capability_is_refused_and_nothing_is_stored(world):
    with pytest.raises(ApplicationError) as error:
        submit_application(world.a.tenant, capabilities=["time-travel"])

    assert (error.value.code, error.value.field) == ("invalid_choice", "capabilities")
    assert applications_of(world.a.tenant) == []


def test_the_applicant_is_emailed_an_absolute_status_link_after_commit(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://partners.example.com/"

    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit_application(world.a.tenant)

    [message] = mail.outbox
    assert message.to == ["nia@nimbus.example"]
    assert f"https://partners.example.com{submitted.status_url}" in message.body


# --- approval and rejection --------------------------------------------------------------------


def test_approving_creates_the_partner_in_onboarding_with_its_status_history(world):
    application = submit_application(world.a.tenant).application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        history = list(PartnerStatusChange.objects.filter(partner=partner).values_list("from_status", "to_status"))
    assert (partner.name, partner.website_domain, partner.partner_type, partner.status) == (
        "Nimbus Networks",
        "nimbus.example",
        "reseller",
        "onboarding",
    )
    assert history == [("", "onboarding")]
    application = reload_application(application)
    assert (application.status, application.partner_id, application.decided_by_id) == (
        "approved",
        partner.pk,
        world.a.manager.pk,
    )


def test_approving_invites_the_contact_as_the_partners_admin(world):
    application = submit_application(world.a.tenant).application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        invitations = list(Invitation.objects.filter(partner=partner).values_list("email", "role"))
    assert invitations == [("nia@nimbus.example", Role.PARTNER_ADMIN)]


def test_approving_copies_the_template_into_the_partners_plan_with_due_dates(world):
    make_template(
        world.a.tenant, name="Standard", steps=(("custom_task", "Kickoff", 3), ("security_review", "Questionnaire", 10))
    )
    application = submit_application(world.a.tenant).application

    partner = approve(world.a, application)

    today = timezone.localdate()
    with tenant_context(world.a.tenant.pk):
        plan = OnboardingPlan.objects.get(partner=partner)
        steps = list(plan.steps.values_list("position", "kind", "title", "due_on", "status"))
    assert plan.status == "in_progress"
    assert steps == [
        (1, "custom_task", "Kickoff", today + timedelta(days=3), "todo"),
        (2, "security_review", "Questionnaire", today + timedelta(days=10), "todo"),
    ]


def test_approving_writes_one_audit_row_per_change(world):
    make_template(world.a.tenant, name="Standard")
    application = submit_application(world.a.tenant).application

    approve(world.a, application)

    assert audit_actions(world.a.tenant) == [
        "application.submit",
        "partner.create",
        "invitation.create",
        "onboarding.plan_create",
        "application.approve",
    ]


def test_approving_emails_the_applicant_and_the_invitation_after_commit(world, django_capture_on_commit_callbacks):
    application = submit_application(world.a.tenant).application

    with django_capture_on_commit_callbacks(execute=True):
        approve(world.a, application)

    subjects = sorted(message.subject for message in mail.outbox if message.to == ["nia@nimbus.example"])
    assert subjects == ["You are invited to Alpha", "Your application to Alpha"]
    [welcome] = [message for message in mail.outbox if message.subject == "Your application to Alpha"]
    assert "Welcome to the Alpha partner program" in welcome.body


def test_approving_a_domain_that_already_has_a_partner_fails_and_changes_nothing(world, django_capture_on_commit_callbacks):
    make_template(world.a.tenant, name="Standard")
    application = submit_application(world.a.tenant, website_domain=world.a.partner1.website_domain).application
    before = audit_actions(world.a.tenant)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as error:
        approve(world.a, application)

    assert error.value.code == "duplicate_domain"
    assert error.value.message == "Another partner in this program already uses this website domain."
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.exists()
        assert not OnboardingPlan.objects.exists()
        assert PartnerOrganization.objects.count() == 2
    assert reload_application(application).status == "submitted"
    assert audit_actions(world.a.tenant) == before
    assert mail.outbox == []


def test_approving_is_all_or_nothing_when_the_invitation_is_refused(world):
    # The contact already works here (partner2's admin), so the invitation step refuses after the partner was created.
    make_template(world.a.tenant, name="Standard")
    application = submit_application(world.a.tenant, contact_email=world.a.partner2_admin.email).application

    with pytest.raises(ApplicationError) as error:
        approve(world.a, application)

    assert error.value.code == "already_member"
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(website_domain="nimbus.example").exists()
        assert not OnboardingPlan.objects.exists()
        assert not PartnerStatusChange.objects.filter(to_status="onboarding").exists()
    assert reload_application(application).status == "submitted"


def test_rejecting_needs_a_reason(world):
    application = submit_application(world.a.tenant).application

    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.application_reject(tenant=world.a.tenant, actor=world.a.manager, application=application, reason="   ")

    assert (error.value.code, error.value.field) == ("required", "reason")
    assert reload_application(application).status == "submitted"


def test_rejecting_stores_the_reason_and_emails_it_to_the_applicant(world, django_capture_on_commit_callbacks):
    application = submit_application(world.a.tenant).application

    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        services.application_reject(
            tenant=world.a.tenant, actor=world.a.manager, application=application, reason=" We only take MSPs this year. "
        )

    application = reload_application(application)
    assert (application.status, application.decision_reason, application.decided_by_id) == (
        "rejected",
        "We only take MSPs this year.",
        world.a.manager.pk,
    )
    [message] = mail.outbox
    assert message.to == ["nia@nimbus.example"]
    assert "Reason: We only take MSPs this year." in message.body
    assert audit_actions(world.a.tenant)[-1] == "application.reject"


@pytest.mark.parametrize("second_decision", ["approve", "reject"])
def test_a_decided_application_cannot_be_decided_again(world, second_decision):
    application = submit_application(world.a.tenant).application
    approve(world.a, application)
    before = (audit_actions(world.a.tenant), reload_application(application).decided_at)

    decide = {
        "approve": lambda: services.application_approve(tenant=world.a.tenant, actor=world.a.owner, application=application),
        "reject": lambda: services.application_reject(
            tenant=world.a.tenant, actor=world.a.owner, application=application, reason="Changed mind"
        ),
    }[second_decision]

    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        decide()

    assert error.value.code == "already_decided"
    assert (audit_actions(world.a.tenant), reload_application(application).decided_at) == before
    assert reload_application(application).status == "approved"


# --- plans from templates ----------------------------------------------------------------------


def test_the_template_for_the_partner_type_wins_over_the_general_one(world):
    make_template(world.a.tenant, name="General")
    msp = make_template(world.a.tenant, name="MSP onboarding", partner_type="msp", steps=(("profile", "MSP profile", 7),))
    application = submit_application(world.a.tenant, partner_type="msp").application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        plan = OnboardingPlan.objects.get(partner=partner)
        titles = list(plan.steps.values_list("title", flat=True))
    assert (plan.template_id, titles) == (msp.pk, ["MSP profile"])


def test_the_general_template_serves_a_partner_type_without_its_own(world):
    general = make_template(world.a.tenant, name="General")
    make_template(world.a.tenant, name="MSP onboarding", partner_type="msp")
    application = submit_application(world.a.tenant, partner_type="isv").application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        assert OnboardingPlan.objects.get(partner=partner).template_id == general.pk


def test_an_inactive_template_is_not_used(world):
    make_template(world.a.tenant, name="General")
    with tenant_context(world.a.tenant.pk):
        OnboardingTemplate.objects.filter(name="General").update(is_active=False)
    application = submit_application(world.a.tenant).application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        assert not OnboardingPlan.objects.filter(partner=partner).exists()


def test_without_any_template_approval_works_and_the_partner_has_no_plan_and_an_open_gate(world):
    application = submit_application(world.a.tenant).application

    partner = approve(world.a, application)

    with tenant_context(world.a.tenant.pk):
        assert not OnboardingPlan.objects.filter(partner=partner).exists()
    assert reload_application(application).status == "approved"
    assert gate_of(world.a, partner) == services.AccessGate(is_open=True, missing=())


# --- steps -------------------------------------------------------------------------------------


def test_a_step_cannot_be_done_before_the_step_it_depends_on(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    with pytest.raises(ApplicationError) as error:
        complete_kickoff(world.a, partner, world.a.partner1_admin)

    assert error.value.code == "step_blocked"
    assert AGREEMENT_TITLE in error.value.message
    assert statuses_of_steps(world.a.tenant, partner) == [(1, "todo"), (2, "todo"), (3, "todo")]


def test_a_step_can_be_done_once_the_step_it_depends_on_is_done(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)

    step = complete_kickoff(world.a, partner, world.a.partner1_rep)

    assert (step.status, step.completed_by_id) == ("done", world.a.partner1_rep.pk)


def test_an_agreement_cannot_be_ticked_off_like_a_task(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    with as_partner(world.a, partner), pytest.raises(ApplicationError) as error:
        services.step_complete(
            tenant=world.a.tenant, actor=world.a.partner1_admin, step=step_of(world.a.tenant, partner, AGREEMENT)
        )

    assert error.value.code == "wrong_step_kind"
    assert statuses_of_steps(world.a.tenant, partner)[0] == (1, "todo")


def test_signing_keeps_the_exact_text_the_signer_the_typed_name_and_the_address(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    signature = sign(world.a, partner, world.a.partner1_admin, typed_name="  Pat Partner ", ip="203.0.113.9")

    with tenant_context(world.a.tenant.pk):
        stored = AgreementSignature.objects.select_related("agreement").get(pk=signature.pk)
    assert (stored.text_signed, stored.typed_name, stored.signer_id, stored.ip, stored.partner_id) == (
        "The partner agrees to the program terms.",
        "Pat Partner",
        world.a.partner1_admin.pk,
        "203.0.113.9",
        partner.pk,
    )
    assert (stored.agreement.title, stored.agreement.version) == ("Partner agreement", "2026-1")
    assert step_of(world.a.tenant, partner, AGREEMENT).status == "done"


@pytest.mark.parametrize(
    ("typed_name", "accepted", "field"),
    [("Pat Partner", False, "accepted"), ("", True, "typed_name"), ("P", True, "typed_name")],
)
def test_signing_without_the_tick_or_a_full_name_is_refused_and_nothing_is_stored(world, typed_name, accepted, field):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    with pytest.raises(ApplicationError) as error:
        sign(world.a, partner, world.a.partner1_admin, typed_name=typed_name, accepted=accepted)

    assert error.value.field == field
    with tenant_context(world.a.tenant.pk):
        assert not AgreementSignature.objects.exists()
    assert step_of(world.a.tenant, partner, AGREEMENT).status == "todo"


def test_a_signed_agreement_cannot_be_signed_again(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)

    with pytest.raises(ApplicationError) as error:
        sign(world.a, partner, world.a.partner1_rep)

    assert error.value.code == "step_done"
    with tenant_context(world.a.tenant.pk):
        assert AgreementSignature.objects.count() == 1


def test_a_security_review_answered_all_yes_is_done_at_low_risk(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    step = answer(world.a, partner, world.a.partner1_admin, no=0)

    assert (step.status, step.result["rating"], step.result["risk_points"]) == ("done", "low", 0)


def test_a_medium_risk_security_review_passes_without_a_manager(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    step = answer(world.a, partner, world.a.partner1_admin, no=1)

    assert (step.status, step.result["rating"], step.result["risk_points"]) == ("done", "medium", 30)


def test_a_high_risk_security_review_waits_for_a_manager(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    step = answer(world.a, partner, world.a.partner1_admin, no=2)

    assert (step.status, step.result["rating"], step.result["risk_points"]) == ("review", "high", 60)
    assert step.completed_at is None


@pytest.mark.parametrize(("points", "rating"), [(0, "low"), (19, "low"), (20, "medium"), (49, "medium"), (50, "high")])
def test_risk_points_map_to_the_bands(points, rating):
    assert services.risk_rating(points) == rating


def test_a_security_review_with_missing_answers_is_refused(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    one_answer = dict(list(answers_for(world.a.tenant).items())[:1])

    with as_partner(world.a, partner), pytest.raises(ApplicationError) as error:
        services.security_review_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            step=step_of(world.a.tenant, partner, SECURITY_REVIEW),
            answers=one_answer,
        )

    assert (error.value.code, error.value.field) == ("incomplete_answers", "answers")
    assert step_of(world.a.tenant, partner, SECURITY_REVIEW).status == "todo"


def test_answers_waiting_for_review_cannot_be_replaced(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    answer(world.a, partner, world.a.partner1_admin, no=2)

    with pytest.raises(ApplicationError) as error:
        answer(world.a, partner, world.a.partner1_admin, no=0)

    assert error.value.code == "step_in_review"
    assert step_of(world.a.tenant, partner, SECURITY_REVIEW).status == "review"


def test_a_manager_signs_off_a_high_risk_review_with_a_reason(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    answer(world.a, partner, world.a.partner1_admin, no=2)

    step = decide_review(world.a, partner, approve=True, reason="MFA rollout due next month, accepted")

    assert step.status == "done"
    assert (step.result["decision"], step.result["decision_reason"]) == ("approved", "MFA rollout due next month, accepted")
    assert audit_actions(world.a.tenant)[-1] == "onboarding.step_done"


def test_a_manager_sends_a_review_back_and_the_partner_answers_again(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    answer(world.a, partner, world.a.partner1_admin, no=2)
    returned = decide_review(world.a, partner, approve=False, reason="Turn on MFA first")
    assert (returned.status, returned.result["decision_reason"]) == ("rejected", "Turn on MFA first")

    step = answer(world.a, partner, world.a.partner1_admin, no=0)

    assert step.status == "done"


def test_a_review_decision_needs_a_reason(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    answer(world.a, partner, world.a.partner1_admin, no=2)

    with pytest.raises(ApplicationError) as error:
        decide_review(world.a, partner, approve=True, reason=" ")

    assert (error.value.code, error.value.field) == ("required", "reason")
    assert step_of(world.a.tenant, partner, SECURITY_REVIEW).status == "review"


def test_a_review_that_is_not_waiting_cannot_be_decided(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    with pytest.raises(ApplicationError) as error:
        decide_review(world.a, partner, approve=True)

    assert error.value.code == "not_in_review"
    assert step_of(world.a.tenant, partner, SECURITY_REVIEW).status == "todo"


def test_finishing_every_step_completes_the_plan_and_makes_the_partner_active(world):
    partner = onboarding_partner(world.a.tenant)
    admin = partner_admin_of(world.a.tenant, partner, email="admin@new-partner.example")
    sign(world.a, partner, admin)
    answer(world.a, partner, admin)

    complete_kickoff(world.a, partner, admin)

    with tenant_context(world.a.tenant.pk):
        plan = OnboardingPlan.objects.get(partner=partner)
        partner.refresh_from_db()
        last_change = PartnerStatusChange.objects.filter(partner=partner).latest("id")
    assert (plan.status, plan.completed_at is not None) == ("completed", True)
    assert partner.status == "active"
    assert (last_change.from_status, last_change.to_status, last_change.reason) == (
        "onboarding",
        "active",
        "Onboarding completed",
    )
    assert audit_actions(world.a.tenant)[-3:] == ["onboarding.step_done", "onboarding.plan_complete", "partner.update"]


def test_a_plan_with_steps_left_stays_in_progress_and_the_partner_stays_onboarding(world):
    partner = onboarding_partner(world.a.tenant)
    admin = partner_admin_of(world.a.tenant, partner, email="admin@new-partner.example")
    sign(world.a, partner, admin)

    complete_kickoff(world.a, partner, admin)

    with tenant_context(world.a.tenant.pk):
        assert OnboardingPlan.objects.get(partner=partner).status == "in_progress"
        assert PartnerOrganization.objects.get(pk=partner.pk).status == "onboarding"


def test_completing_the_plan_of_an_already_active_partner_keeps_its_status(world):
    partner = world.a.partner1  # active, onboarding again
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)
    answer(world.a, partner, world.a.partner1_admin)

    complete_kickoff(world.a, partner, world.a.partner1_admin)

    with tenant_context(world.a.tenant.pk):
        assert OnboardingPlan.objects.get(partner=partner).status == "completed"
        assert PartnerOrganization.objects.get(pk=partner.pk).status == "active"
        assert not PartnerStatusChange.objects.filter(partner=partner, reason="Onboarding completed").exists()


def test_every_finished_step_is_recorded_as_an_engagement_event(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    sign(world.a, partner, world.a.partner1_admin)
    answer(world.a, partner, world.a.partner1_rep)

    with tenant_context(world.a.tenant.pk):
        events = list(
            EngagementEvent.objects.filter(partner=partner, kind="onboarding_step_completed")
            .order_by("id")
            .values_list("user_id", "data")
        )
    assert events == [
        (world.a.partner1_admin.pk, {"step": AGREEMENT_TITLE, "kind": "agreement"}),
        (world.a.partner1_rep.pk, {"step": SECURITY_REVIEW_TITLE, "kind": "security_review"}),
    ]


def test_a_completed_plan_refuses_further_changes(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)
    answer(world.a, partner, world.a.partner1_admin)
    complete_kickoff(world.a, partner, world.a.partner1_admin)

    with pytest.raises(ApplicationError) as error:
        complete_kickoff(world.a, partner, world.a.partner1_admin)

    assert error.value.code == "plan_closed"


# --- the gate ----------------------------------------------------------------------------------


def test_the_gate_is_closed_and_lists_the_open_agreement_and_security_review(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    gate = gate_of(world.a, partner)

    assert gate == services.AccessGate(is_open=False, missing=(AGREEMENT_TITLE, SECURITY_REVIEW_TITLE))


def test_the_gate_lists_only_what_is_still_missing(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)

    assert gate_of(world.a, partner).missing == (SECURITY_REVIEW_TITLE,)


def test_the_gate_stays_closed_while_a_high_risk_review_waits_for_a_manager(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)
    answer(world.a, partner, world.a.partner1_admin, no=2)

    assert gate_of(world.a, partner) == services.AccessGate(is_open=False, missing=(SECURITY_REVIEW_TITLE,))


def test_sales_actions_are_refused_while_onboarding_is_incomplete(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)

    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.require_sales_access(tenant=world.a.tenant, partner_id=partner.pk)

    assert error.value.code == "onboarding_incomplete"
    assert AGREEMENT_TITLE in error.value.message and SECURITY_REVIEW_TITLE in error.value.message


def test_the_gate_opens_once_the_agreement_and_security_review_are_done(world):
    partner = world.a.partner1
    onboarding_plan_for(world.a.tenant, partner)
    sign(world.a, partner, world.a.partner1_admin)

    answer(world.a, partner, world.a.partner1_admin)

    # The kickoff call (a plain task) is still open: it does not hold sales access back.
    assert step_of(world.a.tenant, partner, KICKOFF).status == "todo"
    assert gate_of(world.a, partner) == services.AccessGate(is_open=True, missing=())
    with tenant_context(world.a.tenant.pk):
        services.require_sales_access(tenant=world.a.tenant, partner_id=partner.pk)


def test_one_partners_open_steps_do_not_close_another_partners_gate(world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)

    assert gate_of(world.a, world.a.partner2).is_open is True


def test_applications_stay_in_their_tenant(world):
    submit_application(world.a.tenant)

    with tenant_context(world.b.tenant.pk):
        assert not PartnerApplication.objects.exists()
