"""The registration workflow after submission: decisions, stages, withdrawal, appeals, extensions, expiry, release.

Each test checks what a manager or partner relies on: the status, the rule the decision cites,
the audit row, the claims (who holds the customer), and the emails, sent only after commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from deals import workflow
from deals.models import DealRegistration, RegistrationAppeal, RegistrationClaim, RegistrationDecision
from deals.registrations import claims_release
from ecosystem.accounts.models import Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.lifecycle import partner_retire

from .support import product_lines_for, rules_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, protection_days=90, extension_days=30, expiry_reminder_days=14)


def fresh(world, registration) -> DealRegistration:
    with tenant_context(world.a.tenant.pk):
        return DealRegistration.objects.get(pk=registration.pk)


def active_claims(world, registration) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return list(
            RegistrationClaim.objects.filter(registration=registration, is_active=True).values_list("product_line", flat=True)
        )


def last_decision(world, registration) -> RegistrationDecision:
    with tenant_context(world.a.tenant.pk):
        return RegistrationDecision.objects.filter(registration=registration).order_by("-decided_at", "-id").first()


def audits(world, action: str) -> list[AuditEntry]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action))


def as_staff(world, fn, **kwargs):
    with tenant_context(world.a.tenant.pk):
        return fn(tenant=world.a.tenant, **kwargs)


def as_partner(world, partner, user, fn, **kwargs):
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk, user_id=user.pk):
        return fn(tenant=world.a.tenant, actor=user, partner_id=partner.pk, **kwargs)


def pending(world):
    return submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep).registration


def conflicting(world):
    first = pending(world)
    second = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration
    assert second.status == "under_review"
    return first, second


def rejected(world, by):
    registration = pending(world)
    as_staff(world, workflow.registration_reject, actor=by, registration=registration, reason="Not a fit.")
    return registration


# --- submit -----------------------------------------------------------------------------------------


def test_submitting_emails_the_programs_managers_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pending(world)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    [email] = mail.outbox
    assert set(email.to) == {world.a.owner.email, world.a.manager.email}
    assert "Initech" in email.subject and world.a.analyst.email not in email.to


# --- approve ----------------------------------------------------------------------------------------


def test_approving_sets_protection_cites_the_rule_audits_and_tells_the_partner_after_commit(
    world, django_capture_on_commit_callbacks
):
    registration = pending(world)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=registration, reason="Welcome.")

    registration = fresh(world, registration)
    assert registration.status == "approved"
    assert registration.protected_until == timezone.localdate() + datetime.timedelta(days=90)
    decision = last_decision(world, registration)
    assert (decision.action, decision.rule, decision.decided_by) == (
        "approved",
        "manager_approval+program_protection_days",
        world.a.manager,
    )
    assert active_claims(world, registration) == ["compute"]
    assert len(audits(world, "deals.registration_approve")) == 1
    [email] = mail.outbox
    assert set(email.to) == {world.a.partner1_admin.email, world.a.partner1_rep.email}
    assert "Approved" in email.body and "protected" in email.body.lower()


def test_an_approval_that_rolls_back_emails_nobody(world, django_capture_on_commit_callbacks):
    registration = pending(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=registration)
    # queued for the commit, not sent: the email, the partner's health score refresh (scoring) and
    # the program metrics' cache version (insights)
    assert mail.outbox == [] and len(callbacks) == 3


def test_approving_an_under_review_registration_takes_its_claims_once_the_first_has_ended(world):
    first, second = conflicting(world)
    as_staff(world, workflow.registration_reject, actor=world.a.manager, registration=first, reason="Duplicate of direct deal.")

    as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=second)

    assert fresh(world, second).status == "approved"
    assert active_claims(world, second) == ["compute"] and active_claims(world, first) == []


def test_approving_an_under_review_registration_whose_customer_is_held_fails_naming_nobody(world):
    _first, second = conflicting(world)

    with pytest.raises(ConflictError) as raised:
        as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=second)

    assert raised.value.code == "claim_taken"
    assert world.a.partner1.name not in raised.value.message and "Reseller" not in raised.value.message
    assert fresh(world, second).status == "under_review" and active_claims(world, second) == []
    assert audits(world, "deals.registration_approve") == []


def test_a_decided_registration_cannot_be_approved_again(world):
    registration = rejected(world, world.a.manager)
    with pytest.raises(ApplicationError) as raised:
        as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=registration)
    assert raised.value.code == "invalid_status"


# --- reject -----------------------------------------------------------------------------------------


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(world):
    registration = pending(world)
    with pytest.raises(ApplicationError) as raised:
        as_staff(world, workflow.registration_reject, actor=world.a.manager, registration=registration, reason="  ")
    assert (raised.value.code, raised.value.field) == ("required", "reason")
    assert fresh(world, registration).status == "pending" and active_claims(world, registration) == ["compute"]


def test_rejecting_releases_the_claims_cites_the_rule_and_tells_the_partner(world, django_capture_on_commit_callbacks):
    registration = pending(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        as_staff(world, workflow.registration_reject, actor=world.a.manager, registration=registration, reason="Not a fit.")

    assert fresh(world, registration).status == "rejected" and active_claims(world, registration) == []
    decision = last_decision(world, registration)
    assert (decision.rule, decision.reason, decision.from_status) == ("manager_rejection", "Not a fit.", "pending")
    assert audits(world, "deals.registration_reject")[0].changes["claims_released"] == 1
    [email] = mail.outbox
    assert "Not a fit." in email.body and world.a.partner1_admin.email in email.to


def test_rejecting_a_conflicting_registration_cites_the_conflict_rule(world):
    _first, second = conflicting(world)
    as_staff(world, workflow.registration_reject, actor=world.a.manager, registration=second, reason="Another partner was first.")
    assert last_decision(world, second).rule == "conflict_lost"


# --- information --------------------------------------------------------------------------------------


def test_asking_for_information_and_the_answer_put_the_registration_back_where_it_was(world, django_capture_on_commit_callbacks):
    _first, second = conflicting(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        as_staff(
            world, workflow.registration_request_info, actor=world.a.manager, registration=second, question="Who is the buyer?"
        )

    assert fresh(world, second).status == "info_requested"
    assert last_decision(world, second).rule == "manager_info_request"
    [email] = mail.outbox
    assert "Who is the buyer?" in email.body and email.to == [world.a.partner2_admin.email]

    as_partner(
        world,
        world.a.partner2,
        world.a.partner2_admin,
        workflow.registration_provide_info,
        registration=second,
        answer="The CIO.",
    )

    assert fresh(world, second).status == "under_review"  # it came from there: still holds nothing
    decision = last_decision(world, second)
    assert (decision.action, decision.rule, decision.reason) == ("info_provided", "partner_answer", "The CIO.")
    assert len(audits(world, "deals.registration_provide_info")) == 1


def test_another_partner_cannot_answer_for_a_registration(world):
    registration = pending(world)
    as_staff(world, workflow.registration_request_info, actor=world.a.manager, registration=registration, question="Why?")
    with pytest.raises(NotFoundError):
        as_partner(
            world,
            world.a.partner2,
            world.a.partner2_admin,
            workflow.registration_provide_info,
            registration=registration,
            answer="x",
        )
    assert fresh(world, registration).status == "info_requested"


# --- stages -----------------------------------------------------------------------------------------


def test_stages_move_through_open_ones_and_closing_won_records_amount_and_date_and_releases(world):
    registration = pending(world)
    as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=registration)

    as_staff(world, workflow.registration_update_stage, actor=world.a.manager, registration=registration, stage="proposal")
    assert fresh(world, registration).stage == "proposal" and last_decision(world, registration).rule == "stage_update"

    today = timezone.localdate()
    as_staff(
        world,
        workflow.registration_update_stage,
        actor=world.a.manager,
        registration=registration,
        stage="closed_won",
        closed_amount="61000.50",
        closed_on=today.isoformat(),
    )
    registration = fresh(world, registration)
    assert (registration.status, registration.stage, registration.closed_amount, registration.closed_on) == (
        "won",
        "closed_won",
        Decimal("61000.50"),
        today,
    )
    assert last_decision(world, registration).rule == "closed_won" and active_claims(world, registration) == []
    assert len(audits(world, "deals.registration_close")) == 1


def test_closing_won_without_an_amount_is_refused(world):
    registration = pending(world)
    with pytest.raises(ApplicationError) as raised:
        as_staff(world, workflow.registration_update_stage, actor=world.a.manager, registration=registration, stage="closed_won")
    assert raised.value.field == "closed_amount"
    assert fresh(world, registration).status == "pending"


def test_closing_lost_releases_the_customer(world):
    registration = pending(world)
    as_staff(
        world,
        workflow.registration_update_stage,
        actor=world.a.manager,
        registration=registration,
        stage="closed_lost",
        closed_on=timezone.localdate(),
    )
    assert fresh(world, registration).status == "lost" and active_claims(world, registration) == []
    assert last_decision(world, registration).rule == "closed_lost"


# --- withdraw ---------------------------------------------------------------------------------------


def test_a_partner_withdraws_its_own_registration_and_releases_the_customer(world):
    registration = pending(world)
    as_partner(world, world.a.partner1, world.a.partner1_admin, workflow.registration_withdraw, registration=registration)
    assert fresh(world, registration).status == "withdrawn" and active_claims(world, registration) == []
    assert last_decision(world, registration).rule == "partner_withdrawal"
    assert len(audits(world, "deals.registration_withdraw")) == 1


def test_another_partner_cannot_withdraw_it(world):
    registration = pending(world)
    with pytest.raises(NotFoundError):
        as_partner(world, world.a.partner2, world.a.partner2_admin, workflow.registration_withdraw, registration=registration)
    assert fresh(world, registration).status == "pending"


# --- appeals ----------------------------------------------------------------------------------------


def test_an_appeal_goes_to_another_manager_than_the_one_who_decided(world, django_capture_on_commit_callbacks):
    registration = rejected(world, world.a.manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeal = as_partner(
            world,
            world.a.partner1,
            world.a.partner1_admin,
            workflow.appeal_submit,
            registration=registration,
            reason="We were first.",
        )

    assert (appeal.assigned_to, appeal.excluded_reviewer) == (world.a.owner, world.a.manager)
    assert len(audits(world, "deals.appeal_submit")) == 1
    [email] = mail.outbox
    assert email.to == [world.a.owner.email]


def test_the_least_loaded_other_manager_gets_the_appeal(world):
    with tenant_context(world.a.tenant.pk):
        second_manager = Membership.objects.get(user=world.a.manager)
    from tests.factories import MembershipFactory, UserFactory

    other = UserFactory(email="manager2-alpha@example.com")
    with tenant_context(world.a.tenant.pk):
        MembershipFactory(tenant=world.a.tenant, user=other, role="partner_manager")
    first = rejected(world, world.a.manager)
    appeal = as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=first, reason="Please."
    )
    assert appeal.assigned_to == world.a.owner  # the longest-standing of the two with no open appeal
    second = submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_domain="globex.example", customer_name="Globex"
    )
    as_staff(world, workflow.registration_reject, actor=second_manager.user, registration=second.registration, reason="No.")

    appeal2 = as_partner(
        world,
        world.a.partner1,
        world.a.partner1_admin,
        workflow.appeal_submit,
        registration=second.registration,
        reason="Please.",
    )
    assert appeal2.assigned_to == other  # the owner has one open appeal, the new manager none


def test_an_appeal_is_refused_clearly_when_no_other_manager_exists(world):
    with tenant_context(world.a.tenant.pk):
        Membership.objects.filter(user=world.a.owner).update(is_active=False)
    registration = rejected(world, world.a.manager)

    with pytest.raises(ApplicationError) as raised:
        as_partner(
            world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="Please."
        )

    assert raised.value.code == "no_other_reviewer" and "no other manager" in raised.value.message
    with tenant_context(world.a.tenant.pk):
        assert not RegistrationAppeal.objects.exists()


def test_a_registration_is_appealed_once(world):
    registration = rejected(world, world.a.manager)
    as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="Please."
    )
    with pytest.raises(ConflictError):
        as_partner(
            world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="Again."
        )


def test_only_a_rejected_registration_can_be_appealed(world):
    registration = pending(world)
    with pytest.raises(ApplicationError) as raised:
        as_partner(
            world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="Hm."
        )
    assert raised.value.code == "invalid_status"


def test_the_manager_who_decided_cannot_decide_the_appeal(world):
    registration = rejected(world, world.a.manager)
    appeal = as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="x"
    )
    with pytest.raises(ForbiddenError):
        as_staff(world, workflow.appeal_decide, actor=world.a.manager, appeal=appeal, overturn=True, reason="Fine.")
    assert fresh(world, registration).status == "rejected"


def test_an_overturned_appeal_approves_the_registration_with_its_claims(world, django_capture_on_commit_callbacks):
    registration = rejected(world, world.a.manager)
    appeal = as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="x"
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decided = as_staff(
            world, workflow.appeal_decide, actor=world.a.owner, appeal=appeal, overturn=True, reason="You were first."
        )

    assert decided.status == "overturned" and decided.decided_by == world.a.owner
    registration = fresh(world, registration)
    assert registration.status == "approved" and registration.protected_until is not None
    assert last_decision(world, registration).rule.startswith("appeal_overturned")
    assert active_claims(world, registration) == ["compute"]
    assert len(audits(world, "deals.appeal_decide")) == 1
    assert "You were first." in mail.outbox[0].body


def test_an_upheld_appeal_keeps_the_rejection_and_cites_the_rule(world):
    registration = rejected(world, world.a.manager)
    appeal = as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.appeal_submit, registration=registration, reason="x"
    )
    as_staff(world, workflow.appeal_decide, actor=world.a.owner, appeal=appeal, overturn=False, reason="The rule stands.")
    assert fresh(world, registration).status == "rejected"
    assert last_decision(world, registration).rule == "appeal_upheld"


# --- extensions -------------------------------------------------------------------------------------


def approved(world):
    registration = pending(world)
    as_staff(world, workflow.registration_approve, actor=world.a.manager, registration=registration)
    return fresh(world, registration)


def test_a_granted_extension_adds_the_rules_days_and_re_arms_the_reminder(world):
    registration = approved(world)
    before = registration.protected_until
    extension = as_partner(
        world,
        world.a.partner1,
        world.a.partner1_admin,
        workflow.extension_request,
        registration=registration,
        reason="Legal review.",
    )
    with pytest.raises(ConflictError):
        as_partner(
            world, world.a.partner1, world.a.partner1_admin, workflow.extension_request, registration=registration, reason="Again"
        )

    decided = as_staff(world, workflow.extension_decide, actor=world.a.manager, extension=extension, grant=True)

    assert (decided.status, decided.days) == ("granted", 30)
    assert fresh(world, registration).protected_until == before + datetime.timedelta(days=30)
    assert last_decision(world, registration).rule == "extension_granted"
    assert len(audits(world, "deals.extension_grant")) == 1


def test_declining_an_extension_needs_a_reason_and_keeps_the_date(world):
    registration = approved(world)
    extension = as_partner(
        world, world.a.partner1, world.a.partner1_admin, workflow.extension_request, registration=registration, reason="x"
    )
    with pytest.raises(ApplicationError):
        as_staff(world, workflow.extension_decide, actor=world.a.manager, extension=extension, grant=False, reason="")
    decided = as_staff(
        world, workflow.extension_decide, actor=world.a.manager, extension=extension, grant=False, reason="Enough time."
    )
    assert decided.status == "declined"
    assert fresh(world, registration).protected_until == registration.protected_until


def test_only_an_approved_registration_can_be_extended(world):
    registration = pending(world)
    with pytest.raises(ApplicationError):
        as_partner(
            world, world.a.partner1, world.a.partner1_admin, workflow.extension_request, registration=registration, reason="x"
        )


# --- expiry -----------------------------------------------------------------------------------------


def test_the_sweep_reminds_once_before_expiry_then_expires_and_releases(world, django_capture_on_commit_callbacks):
    registration = approved(world)
    until = registration.protected_until
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        early = as_staff(world, workflow.protection_expiry_sweep, today=until - datetime.timedelta(days=20))
    assert early == {"expired": 0, "reminded": 0} and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        first = as_staff(world, workflow.protection_expiry_sweep, today=until - datetime.timedelta(days=14))
        again = as_staff(world, workflow.protection_expiry_sweep, today=until - datetime.timedelta(days=13))
    assert (first, again) == ({"expired": 0, "reminded": 1}, {"expired": 0, "reminded": 0})
    [reminder] = mail.outbox
    assert until.isoformat() in reminder.subject and world.a.partner1_admin.email in reminder.to

    with django_capture_on_commit_callbacks(execute=True):
        last = as_staff(world, workflow.protection_expiry_sweep, today=until + datetime.timedelta(days=1))
    assert last == {"expired": 1, "reminded": 0}
    assert fresh(world, registration).status == "expired" and active_claims(world, registration) == []
    assert last_decision(world, registration).rule == "protection_expired"
    assert len(audits(world, "deals.registration_expire")) == 1
    assert "ended" in mail.outbox[-1].subject


# --- offboarding ------------------------------------------------------------------------------------


def test_retiring_a_partner_releases_its_open_registrations_and_keeps_the_closed_ones(world):
    open_one = approved(world)
    closed = submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_domain="globex.example", customer_name="Globex"
    )
    as_staff(world, workflow.registration_reject, actor=world.a.manager, registration=closed.registration, reason="No.")

    as_staff(world, partner_retire, actor=world.a.owner, partner=world.a.partner1, reason="Left the program.")

    assert fresh(world, open_one).status == "withdrawn" and active_claims(world, open_one) == []
    assert last_decision(world, open_one).rule == "partner_retired"
    assert fresh(world, closed.registration).status == "rejected"
    # the customer is free again: another partner's registration is pending, not under review
    assert submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin).registration.status == "pending"


def test_claims_release_is_idempotent(world):
    registration = pending(world)
    with tenant_context(world.a.tenant.pk):
        assert (claims_release(registration=registration), claims_release(registration=registration)) == (1, 0)


# --- time to value ----------------------------------------------------------------------------------


def test_time_to_value_gives_the_median_days_from_plan_start_to_first_registration(world):
    from onboarding.models import OnboardingPlan
    from onboarding.selectors import time_to_value
    from tests.fixtures import onboarding_plan_for

    with tenant_context(world.a.tenant.pk):
        assert time_to_value(tenant=world.a.tenant).median_days_to_first_registration is None
    first = pending(world)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_domain="later.example", customer_name="Later")
    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        OnboardingPlan.objects.filter(pk=plan.pk).update(created_at=first.submitted_at - datetime.timedelta(days=12))
        assert time_to_value(tenant=world.a.tenant).median_days_to_first_registration == 12.0


def test_the_daily_task_sweeps_each_tenant_and_beat_schedules_it(world, settings):
    from deals.tasks import protection_expiry_sweep_task

    registration = approved(world)
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            protected_until=timezone.localdate() - datetime.timedelta(days=1)
        )

    assert protection_expiry_sweep_task(world.a.tenant.pk) == {"expired": 1, "reminded": 0}
    assert fresh(world, registration).status == "expired"
    entry = settings.CELERY_BEAT_SCHEDULE["deal-protection-expiry-all-tenants"]
    assert entry["task"] == "deals.tasks.protection_expiry_sweep_all_tenants"
