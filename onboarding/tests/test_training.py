"""Training: scoring, certifications, retakes, credential checks, the course steps of onboarding and renewal reminders."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from onboarding import services, training
from onboarding.credentials import CredentialVerifier, VerificationResult
from onboarding.models import (
    Certification,
    CourseCompletion,
    CredentialCheck,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    QuizChoice,
)
from onboarding.training_selectors import access_certification
from onboarding.training_tasks import certification_renewal_reminders_task, certification_step_verify_task
from partners.models import EngagementEvent
from tests.fixtures import quiz_answers, training_course_for

TRAINING, CERTIFICATION, KICKOFF = 1, 2, 3  # positions in course_plan_for's template


# --- helpers -----------------------------------------------------------------------------------


def take_quiz(tenant_world, user, partner, course, *, correct: int, answers: dict | None = None) -> training.QuizResult:
    """One attempt, made as the partner user's request makes it: in the partner's scope."""
    answers = answers if answers is not None else quiz_answers(course, correct=correct)
    with tenant_context(tenant_world.tenant.pk, partner_id=partner.pk):
        return training.quiz_submit(tenant=tenant_world.tenant, actor=user, partner_id=partner.pk, course=course, answers=answers)


def pass_course(tenant_world, course, *, user=None, partner=None) -> training.QuizResult:
    return take_quiz(
        tenant_world, user or tenant_world.partner1_admin, partner or tenant_world.partner1, course, correct=course_size(course)
    )


def course_size(course) -> int:
    with tenant_context(course.tenant_id):
        return course.questions.count()


def completion_of(tenant_world, user, course) -> CourseCompletion:
    with tenant_context(tenant_world.tenant.pk):
        return CourseCompletion.objects.get(user=user, course=course)


def certifications_of(tenant_world, user) -> list[Certification]:
    with tenant_context(tenant_world.tenant.pk):
        return list(Certification.objects.filter(user=user).order_by("id"))


def audit_actions(tenant_world) -> list[str]:
    with tenant_context(tenant_world.tenant.pk):
        return list(
            AuditEntry.objects.exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True)
        )  # not the sign-ins


def course_plan_for(tenant_world, partner, course, *, training_depends_on=()) -> list[OnboardingStep]:
    """A plan for ``partner`` (from a template for its type): 1 training and 2 certification of ``course``, 3 a task."""
    tenant = tenant_world.tenant
    with tenant_context(tenant.pk):
        template = OnboardingTemplate.objects.create(tenant=tenant, name="With training", partner_type=partner.partner_type)
        for position, kind, title, extra in (
            (TRAINING, "training", "Take the sales course", {"course": course, "depends_on": list(training_depends_on)}),
            (CERTIFICATION, "certification", "Get certified", {"course": course}),
            (KICKOFF, "custom_task", "Book the kickoff call", {}),
        ):
            OnboardingTemplateStep.objects.create(
                tenant=tenant, template=template, position=position, kind=kind, title=title, **extra
            )
        plan = services.plan_create_for_partner(tenant=tenant, actor=None, partner=partner)
        return list(plan.steps.order_by("position"))


def step_at(tenant_world, partner, position: int) -> OnboardingStep:
    with tenant_context(tenant_world.tenant.pk):
        return OnboardingStep.objects.select_related("plan").filter(partner=partner, position=position).latest("id")


class FixedVerifier:
    """A CredentialVerifier that answers what it is told, and remembers what it was asked."""

    def __init__(self, status: str, **evidence: Any) -> None:
        self.result = VerificationResult(status, {"verifier": "http", **evidence})
        self.asked: list[dict] = []

    def verify(self, **question: str) -> VerificationResult:
        self.asked.append(question)
        return self.result


@pytest.fixture
def course(world):
    return training_course_for(world.a.tenant, pass_mark=80, validity_months=12)


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    """Tasks the services queue after commit, as (task name, tenant id, *ids), instead of sending them."""
    calls: list[tuple] = []
    # Patched where the course steps look it up: the package only re-exports the services.
    monkeypatch.setattr(
        training.course_steps, "enqueue_on_commit", lambda task, tenant_id, *args: calls.append((task.name, tenant_id, *args))
    )
    return calls


# --- scoring -----------------------------------------------------------------------------------


def test_the_score_is_the_share_of_correct_answers_rounded_down(world, course):
    result = take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=2)

    assert (result.correct, result.total, result.score, result.passed) == (2, 3, 66, False)
    assert result.certification is None


def test_a_score_at_the_pass_mark_passes(world):
    course = training_course_for(world.a.tenant, pass_mark=66)

    result = take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=2)

    assert (result.score, result.passed) == (66, True)


def test_all_correct_passes_and_records_the_attempt(world, course):
    result = pass_course(world.a, course)

    completion = completion_of(world.a, world.a.partner1_admin, course)
    assert (result.score, result.passed) == (100, True)
    assert (completion.score, completion.best_score, completion.passed, completion.attempts) == (100, 100, True, 1)
    assert completion.partner_id == world.a.partner1.pk
    assert completion.completed_at is not None


def test_an_incomplete_quiz_is_refused_and_is_not_an_attempt(world, course):
    answers = quiz_answers(course, correct=3)
    answers.pop(next(iter(answers)))

    with pytest.raises(ApplicationError) as refused:
        take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=3, answers=answers)

    assert (refused.value.code, refused.value.field) == ("incomplete_answers", "answers")
    with tenant_context(world.a.tenant.pk):
        assert not CourseCompletion.objects.exists()
    assert audit_actions(world.a) == []


def test_a_choice_from_another_question_is_refused(world, course):
    answers = quiz_answers(course, correct=3)
    first, second = list(answers)[:2]
    answers[first] = answers[second]

    with pytest.raises(ApplicationError) as refused:
        take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=3, answers=answers)

    assert refused.value.code == "invalid_choice"


def test_a_draft_course_cannot_be_taken(world):
    draft = training_course_for(world.a.tenant, is_published=False)

    with pytest.raises(NotFoundError):
        pass_course(world.a, draft)


def test_a_course_without_questions_has_no_quiz_to_pass(world):
    empty = training_course_for(world.a.tenant, questions=0)

    with pytest.raises(ApplicationError) as refused:
        take_quiz(world.a, world.a.partner1_admin, world.a.partner1, empty, correct=0, answers={})

    assert refused.value.code == "no_quiz"


# --- certifications ----------------------------------------------------------------------------


def test_passing_issues_one_certification_with_its_expiry(world, course):
    result = pass_course(world.a, course)

    [certification] = certifications_of(world.a, world.a.partner1_admin)
    assert result.certification == certification
    assert result.renewed is False
    assert certification.expires_on == training.add_months(timezone.localdate(), 12)
    assert certification.is_current and certification.is_valid
    assert certification.partner_id == world.a.partner1.pk
    assert re.fullmatch(
        r"ALPHA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", certification.credential_number
    )
    assert audit_actions(world.a) == ["training.quiz_attempt", "training.certification_issue"]
    with tenant_context(world.a.tenant.pk):
        event = EngagementEvent.objects.get(kind="course_completed")
    assert (event.partner_id, event.user_id, event.data["course"]) == (
        world.a.partner1.pk,
        world.a.partner1_admin.pk,
        course.title,
    )


def test_credential_numbers_are_random_and_unique(world):
    numbers = {training.credential_number_new(tenant=world.a.tenant) for _ in range(200)}

    assert len(numbers) == 200


def test_passing_again_while_certified_renews_the_same_certification(world, course):
    first = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        Certification.objects.filter(pk=first.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=10))

    again = pass_course(world.a, course)

    [certification] = certifications_of(world.a, world.a.partner1_admin)
    assert again.renewed is True
    assert certification.credential_number == first.credential_number
    assert certification.expires_on == training.add_months(timezone.localdate(), 12)
    assert certification.renewed_at is not None
    assert audit_actions(world.a)[-1] == "training.certification_renew"


def test_passing_after_the_certification_expired_issues_a_new_number(world, course):
    first = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        Certification.objects.filter(pk=first.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))

    again = pass_course(world.a, course)

    old, new = certifications_of(world.a, world.a.partner1_admin)
    assert again.renewed is False
    assert (old.pk, old.is_current) == (first.pk, False)
    assert (new.is_current, new.is_valid) == (True, True)
    assert new.credential_number != old.credential_number


def test_passing_after_a_revocation_issues_a_new_number(world, course):
    first = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=first, reason="Issued in error")

    again = pass_course(world.a, course)

    assert again.certification.pk != first.pk
    assert [c.is_current for c in certifications_of(world.a, world.a.partner1_admin)] == [False, True]


def test_failing_a_retake_keeps_the_pass_and_the_certification(world, course):
    pass_course(world.a, course)

    retake = take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=0)

    completion = completion_of(world.a, world.a.partner1_admin, course)
    [certification] = certifications_of(world.a, world.a.partner1_admin)
    assert retake.passed is False
    assert (completion.score, completion.best_score, completion.passed, completion.attempts) == (0, 100, True, 2)
    assert certification.is_valid


def test_each_person_gets_their_own_certification(world, course):
    pass_course(world.a, course, user=world.a.partner1_admin)
    pass_course(world.a, course, user=world.a.partner1_rep)

    admin_certification, rep_certification = certifications_of(world.a, world.a.partner1_admin) + certifications_of(
        world.a, world.a.partner1_rep
    )
    assert admin_certification.credential_number != rep_certification.credential_number


def test_a_fourth_attempt_within_a_day_is_refused_and_changes_nothing(world, course):
    for _ in range(training.QUIZ_ATTEMPTS_PER_WINDOW):
        take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=1)
    before = audit_actions(world.a)

    with pytest.raises(ApplicationError) as refused:
        pass_course(world.a, course)

    assert refused.value.code == "too_many_attempts"
    completion = completion_of(world.a, world.a.partner1_admin, course)
    assert (completion.attempts, completion.passed) == (3, False)
    assert certifications_of(world.a, world.a.partner1_admin) == []
    assert audit_actions(world.a) == before


def test_attempts_come_back_once_the_window_has_passed(world, course):
    for _ in range(training.QUIZ_ATTEMPTS_PER_WINDOW):
        take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=1)
    with tenant_context(world.a.tenant.pk):
        CourseCompletion.objects.update(window_started_at=timezone.now() - training.QUIZ_ATTEMPT_WINDOW)

    result = pass_course(world.a, course)

    assert result.passed
    assert completion_of(world.a, world.a.partner1_admin, course).attempts == 4


def test_revoking_needs_a_reason_and_happens_once(world, course):
    certification = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError) as no_reason:
            training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=certification, reason=" ")
        training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=certification, reason="Left")
        with pytest.raises(ApplicationError) as again:
            training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=certification, reason="x")
        revoked = Certification.objects.get(pk=certification.pk)

    assert (no_reason.value.code, again.value.code) == ("required", "already_revoked")
    assert (revoked.revoked_by_id, revoked.revoked_reason, revoked.is_valid) == (world.a.manager.pk, "Left", False)


def test_months_are_added_as_calendar_months():
    assert training.add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert training.add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert training.add_months(datetime.date(2026, 11, 15), 14) == datetime.date(2028, 1, 15)


# --- partner isolation -------------------------------------------------------------------------


def test_another_partner_cannot_see_the_completions_or_certifications(world, course):
    certification = pass_course(world.a, course).certification

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert CourseCompletion.objects.count() == 0
        assert Certification.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM onboarding_certification WHERE id = %s", [certification.pk])
            assert cursor.fetchone()[0] == 0
        with pytest.raises(NotFoundError):
            access_certification(tenant=world.a.tenant, public_id=certification.public_id, partner_id=world.a.partner2.pk)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        assert (CourseCompletion.objects.count(), Certification.objects.count()) == (1, 1)


def test_another_partner_reads_the_courses_but_cannot_change_them(world, course):
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert QuizChoice.objects.filter(question__course=course).count() == 9
        with connection.cursor() as cursor:
            cursor.execute("UPDATE onboarding_quizchoice SET is_correct = true")
            assert cursor.rowcount == 0


def test_another_tenant_sees_nothing(world, course):
    pass_course(world.a, course)

    with tenant_context(world.b.tenant.pk), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM onboarding_certification")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM onboarding_course")
        assert cursor.fetchone()[0] == 0


# --- the registry verifier ---------------------------------------------------------------------


def registry_check(tenant_world, number: str, holder_name: str, holder_email: str = "") -> VerificationResult:
    with tenant_context(tenant_world.tenant.pk):
        verifier = training.RegistryCredentialVerifier(tenant=tenant_world.tenant)
        return verifier.verify(credential_number=number, holder_name=holder_name, holder_email=holder_email, issuer="Alpha")


def test_the_registry_verifier_is_a_credential_verifier(world):
    assert isinstance(training.RegistryCredentialVerifier(tenant=world.a.tenant), CredentialVerifier)


def test_a_valid_certification_with_its_holder_verifies(world, course):
    certification = pass_course(world.a, course).certification
    holder = world.a.partner1_admin

    result = registry_check(world.a, certification.credential_number, holder.full_name, holder.email)

    assert result.status == "verified"
    assert result.evidence["certification"] == str(certification.public_id)
    assert result.evidence["expires_on"] == certification.expires_on.isoformat()
    assert (result.evidence["holder_matches"], result.evidence["email_matches"]) == (True, True)


def test_names_and_numbers_are_compared_as_people_type_them(world, course):
    certification = pass_course(world.a, course).certification
    shouted_name = "  " + "   ".join(world.a.partner1_admin.full_name.upper().split()) + " "

    result = registry_check(world.a, " " + certification.credential_number.lower().replace("-", " ") + " ", shouted_name)

    assert result.status == "verified"


def test_another_holder_name_is_a_mismatch_that_does_not_reveal_the_holder(world, course):
    certification = pass_course(world.a, course).certification

    result = registry_check(world.a, certification.credential_number, "Somebody Else")

    assert result.status == "mismatch"
    assert result.evidence["holder_matches"] is False
    assert world.a.partner1_admin.full_name not in str(result.evidence)


def test_an_unknown_number_is_not_found(world, course):
    pass_course(world.a, course)

    result = registry_check(world.a, "ALPHA-0000-0000-0000", world.a.partner1_admin.full_name)

    assert result.status == "not_found"
    assert "certification" not in result.evidence


def test_a_revoked_certification_is_a_mismatch(world, course):
    certification = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=certification, reason="Misuse")

    result = registry_check(world.a, certification.credential_number, world.a.partner1_admin.full_name)

    assert (result.status, result.evidence["revoked"]) == ("mismatch", True)


def test_an_expired_certification_is_a_mismatch(world, course):
    certification = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        Certification.objects.filter(pk=certification.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))

    result = registry_check(world.a, certification.credential_number, world.a.partner1_admin.full_name)

    assert (result.status, result.evidence["expired"]) == ("mismatch", True)


def test_another_tenants_registry_does_not_know_the_number(world, course):
    certification = pass_course(world.a, course).certification

    result = registry_check(world.b, certification.credential_number, world.a.partner1_admin.full_name)

    assert result.status == "not_found"


# --- recorded checks ---------------------------------------------------------------------------


def test_a_check_is_recorded_with_its_evidence_and_audited(world, course):
    certification = pass_course(world.a, course).certification

    with tenant_context(world.a.tenant.pk):
        check = training.credential_check_run(
            tenant=world.a.tenant,
            partner_id=world.a.partner1.pk,
            credential_number=certification.credential_number,
            holder_name=world.a.partner1_admin.full_name,
            holder_email=world.a.partner1_admin.email,
            issuer="Alpha",
            kind="registry",
            actor=world.a.manager,
        )
        stored = CredentialCheck.objects.get(pk=check.pk)

    assert (stored.status, stored.kind, stored.partner_id, stored.requested_by_id) == (
        "verified",
        "registry",
        world.a.partner1.pk,
        world.a.manager.pk,
    )
    assert stored.evidence["certification"] == str(certification.public_id)
    assert audit_actions(world.a)[-1] == "training.credential_check"


def test_an_http_check_asks_the_given_verifier_and_records_its_answer(world):
    verifier = FixedVerifier("mismatch", endpoint_host="issuer.example")

    with tenant_context(world.a.tenant.pk):
        check = training.credential_check_run(
            tenant=world.a.tenant,
            partner_id=world.a.partner1.pk,
            credential_number="AWS-123",
            holder_name="Ada Lovelace",
            holder_email="ada@example.com",
            issuer="Amazon Web Services",
            kind="http",
            verifier=verifier,
        )

    assert verifier.asked == [
        {
            "credential_number": "AWS-123",
            "holder_name": "Ada Lovelace",
            "holder_email": "ada@example.com",
            "issuer": "Amazon Web Services",
        }
    ]
    assert (check.status, check.evidence["endpoint_host"]) == ("mismatch", "issuer.example")


def test_an_http_check_without_a_configured_issuer_is_recorded_as_an_error(world):
    with tenant_context(world.a.tenant.pk):
        check = training.credential_check_run(
            tenant=world.a.tenant,
            partner_id=world.a.partner1.pk,
            credential_number="AWS-123",
            holder_name="Ada Lovelace",
            holder_email="",
            issuer="Amazon Web Services",
            kind="http",
        )

    assert (check.status, check.evidence["error_code"]) == ("error", "not_configured")


# --- onboarding steps --------------------------------------------------------------------------


def test_plans_copy_the_course_of_their_template_steps(world, course):
    steps = course_plan_for(world.a, world.a.partner1, course)

    assert [(s.kind, s.course_id) for s in steps] == [
        ("training", course.pk),
        ("certification", course.pk),
        ("custom_task", None),
    ]


def test_course_steps_cannot_be_ticked_off_by_hand(world, course):
    course_plan_for(world.a, world.a.partner1, course)

    for position, code in ((TRAINING, "completed_by_course"), (CERTIFICATION, "needs_verified_credential")):
        step = step_at(world.a, world.a.partner1, position)
        with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk), pytest.raises(ApplicationError) as refused:
            services.step_complete(tenant=world.a.tenant, actor=world.a.partner1_admin, step=step)
        assert refused.value.code == code
        assert step_at(world.a, world.a.partner1, position).status == "todo"


def test_passing_the_course_completes_the_training_step_and_queues_the_certification_check(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)

    certification = pass_course(world.a, course).certification

    step = step_at(world.a, world.a.partner1, TRAINING)
    assert (step.status, step.completed_by_id) == ("done", world.a.partner1_admin.pk)
    assert step.result == {"course": course.title, "passed_by": world.a.partner1_admin.full_name, "score": 100}
    certification_step = step_at(world.a, world.a.partner1, CERTIFICATION)
    assert certification_step.status == "todo"
    assert enqueued == [
        ("onboarding.training_tasks.certification_step_verify_task", world.a.tenant.pk, certification_step.pk, certification.pk)
    ]


def test_failing_the_course_completes_nothing(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)

    take_quiz(world.a, world.a.partner1_admin, world.a.partner1, course, correct=1)

    assert step_at(world.a, world.a.partner1, TRAINING).status == "todo"
    assert enqueued == []


def test_another_partners_pass_does_not_complete_this_partners_step(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)

    pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2)

    assert step_at(world.a, world.a.partner1, TRAINING).status == "todo"
    assert enqueued == []


def test_a_blocked_training_step_waits_and_is_finished_from_its_page_later(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course, training_depends_on=[KICKOFF])
    pass_course(world.a, course)
    assert step_at(world.a, world.a.partner1, TRAINING).status == "todo"
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        services.step_complete(
            tenant=world.a.tenant, actor=world.a.partner1_rep, step=step_at(world.a, world.a.partner1, KICKOFF)
        )

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        outcome = training.course_step_check(
            tenant=world.a.tenant, actor=world.a.partner1_rep, step=step_at(world.a, world.a.partner1, TRAINING)
        )

    step = step_at(world.a, world.a.partner1, TRAINING)
    assert (outcome, step.status, step.result["passed_by"]) == ("done", "done", world.a.partner1_admin.full_name)


def test_checking_a_course_step_nobody_passed_is_refused(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)

    for position in (TRAINING, CERTIFICATION):
        step = step_at(world.a, world.a.partner1, position)
        with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk), pytest.raises(ApplicationError) as refused:
            training.course_step_check(tenant=world.a.tenant, actor=world.a.partner1_admin, step=step)
        assert refused.value.code == "course_not_passed"
    assert enqueued == []


def test_checking_the_certification_step_queues_a_registry_check(world, course, enqueued):
    certification = pass_course(world.a, course).certification  # before the plan existed
    course_plan_for(world.a, world.a.partner1, course)
    step = step_at(world.a, world.a.partner1, CERTIFICATION)

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        outcome = training.course_step_check(tenant=world.a.tenant, actor=world.a.partner1_rep, step=step)

    assert outcome == "checking"
    assert enqueued == [
        ("onboarding.training_tasks.certification_step_verify_task", world.a.tenant.pk, step.pk, certification.pk)
    ]


def test_the_task_marks_the_certification_step_done_with_the_evidence(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)
    certification = pass_course(world.a, course).certification
    step = step_at(world.a, world.a.partner1, CERTIFICATION)

    status = certification_step_verify_task(world.a.tenant.pk, step.pk, certification.pk)

    step = step_at(world.a, world.a.partner1, CERTIFICATION)
    with tenant_context(world.a.tenant.pk):
        check = CredentialCheck.objects.get()
    assert status == "verified"
    assert (check.step_id, check.certification_id, check.kind, check.status) == (
        step.pk,
        certification.pk,
        "registry",
        "verified",
    )
    assert check.evidence["credential_number"] == certification.credential_number
    assert check.evidence["holder_matches"] is True
    assert step.status == "done"
    assert step.completed_by_id is None  # the system finished it
    assert step.result["check"] == str(check.public_id)
    assert step.result["credential_number"] == certification.credential_number


def test_the_task_is_safe_to_run_twice(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)
    certification = pass_course(world.a, course).certification
    step = step_at(world.a, world.a.partner1, CERTIFICATION)
    certification_step_verify_task(world.a.tenant.pk, step.pk, certification.pk)
    before = audit_actions(world.a)

    again = certification_step_verify_task(world.a.tenant.pk, step.pk, certification.pk)

    assert again is None
    assert audit_actions(world.a) == before
    assert before.count("onboarding.step_done") == 2  # the training step, then the certification step
    with tenant_context(world.a.tenant.pk):
        assert CredentialCheck.objects.count() == 1


def test_the_task_records_a_revoked_certification_and_leaves_the_step_open(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)
    certification = pass_course(world.a, course).certification
    with tenant_context(world.a.tenant.pk):
        training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=certification, reason="Misuse")
    step = step_at(world.a, world.a.partner1, CERTIFICATION)

    status = certification_step_verify_task(world.a.tenant.pk, step.pk, certification.pk)

    assert status == "mismatch"
    assert step_at(world.a, world.a.partner1, CERTIFICATION).status == "todo"
    with tenant_context(world.a.tenant.pk):
        assert CredentialCheck.objects.get().evidence["revoked"] is True


def test_the_task_ignores_another_partners_certification(world, course, enqueued):
    course_plan_for(world.a, world.a.partner1, course)
    foreign = pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2).certification
    step = step_at(world.a, world.a.partner1, CERTIFICATION)

    assert certification_step_verify_task(world.a.tenant.pk, step.pk, foreign.pk) is None

    assert step_at(world.a, world.a.partner1, CERTIFICATION).status == "todo"
    with tenant_context(world.a.tenant.pk):
        assert not CredentialCheck.objects.exists()


# --- renewal reminders -------------------------------------------------------------------------


def expire_in(tenant_world, certification, days: int) -> None:
    with tenant_context(tenant_world.tenant.pk):
        Certification.objects.filter(pk=certification.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=days))


def remind(tenant_world, capture) -> int:
    with capture(execute=True):
        return certification_renewal_reminders_task(tenant_world.tenant.pk)


def test_a_holder_is_reminded_once_a_month_before_expiry(world, course, django_capture_on_commit_callbacks):
    certification = pass_course(world.a, course).certification
    expire_in(world.a, certification, 20)

    sent = remind(world.a, django_capture_on_commit_callbacks)
    again = remind(world.a, django_capture_on_commit_callbacks)

    assert (sent, again) == (1, 0)
    [message] = mail.outbox
    assert message.to == [world.a.partner1_admin.email]
    assert certification.credential_number in message.body
    assert "in 20 days" in message.body
    assert f"/p/alpha/training/courses/{course.public_id}/" in message.body


def test_the_reminder_comes_again_after_a_week(world, course, django_capture_on_commit_callbacks):
    certification = pass_course(world.a, course).certification
    expire_in(world.a, certification, 20)
    remind(world.a, django_capture_on_commit_callbacks)
    with tenant_context(world.a.tenant.pk):
        Certification.objects.update(last_reminded_at=timezone.now() - training.RENEWAL_REMIND_EVERY)

    assert remind(world.a, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2


def test_no_reminder_far_from_expiry_after_expiry_or_after_revocation(world, course, django_capture_on_commit_callbacks):
    far = pass_course(world.a, course).certification
    expire_in(world.a, far, 45)
    expired = pass_course(world.a, course, user=world.a.partner1_rep).certification
    expire_in(world.a, expired, -1)
    revoked = pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2).certification
    expire_in(world.a, revoked, 10)
    with tenant_context(world.a.tenant.pk):
        training.certification_revoke(tenant=world.a.tenant, actor=world.a.manager, certification=revoked, reason="Left")

    assert remind(world.a, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_renewing_starts_the_reminders_afresh(world, course, django_capture_on_commit_callbacks):
    certification = pass_course(world.a, course).certification
    expire_in(world.a, certification, 20)
    remind(world.a, django_capture_on_commit_callbacks)

    pass_course(world.a, course)

    [renewed] = certifications_of(world.a, world.a.partner1_admin)
    assert renewed.last_reminded_at is None
    assert renewed.expires_on == training.add_months(timezone.localdate(), 12)
