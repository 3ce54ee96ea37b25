"""The partner's onboarding steps that name a course.

Passing completes the partner's open training step for the course and queues a registry check for
its open certification step; the check completes that step when the credential verifies
(:func:`onboarding.training.verification.certification_step_verify`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.models import Tenant
from onboarding import services
from onboarding.models import Certification, Course, CourseCompletion, OnboardingStep, PlanStatus, StepKind, StepStatus


def _open_course_steps(*, partner_id: int, course: Course, kind: str):
    return OnboardingStep.objects.filter(
        partner_id=partner_id, course=course, kind=kind, plan__status=PlanStatus.IN_PROGRESS
    ).exclude(status=StepStatus.DONE)


def _course_steps_after_pass(
    *, tenant: Tenant, actor: Any, partner_id: int, course: Course, certification: Certification, score: int
) -> None:
    """Complete the partner's open training steps of ``course``; queue a check for its certification steps.

    A step still waiting for the steps it depends on stays open: the partner finishes it later
    from the step's page (:func:`course_step_check`).
    """
    from onboarding.training_tasks import certification_step_verify_task

    for step in _open_course_steps(partner_id=partner_id, course=course, kind=StepKind.TRAINING):
        try:
            services.step_complete_by_evidence(
                tenant=tenant, actor=actor, step=step, result=_training_result(course=course, user=actor, score=score)
            )
        except ApplicationError:
            continue
    for step in _open_course_steps(partner_id=partner_id, course=course, kind=StepKind.CERTIFICATION):
        enqueue_on_commit(certification_step_verify_task, tenant.pk, step.pk, certification.pk)


def _training_result(*, course: Course, user: Any, score: int | None) -> dict:
    return {"course": course.title, "passed_by": user.get_full_name(), "score": score}


def course_step_check(*, tenant: Tenant, actor: Any, step: OnboardingStep) -> str:
    """The partner asks to finish a course step whose course was passed before (or before the step was unblocked).

    Training step: done at once when any person of the partner has passed the course. Certification
    step: a registry check of a valid certification of the partner is queued. Returns ``"done"`` or
    ``"checking"``; raises ``course_not_passed`` when there is nothing to go on.
    """
    if step.kind not in (StepKind.TRAINING, StepKind.CERTIFICATION) or step.course_id is None:
        raise ApplicationError(_("This step has no course."), code="wrong_step_kind")
    from onboarding.training_tasks import certification_step_verify_task

    if step.kind == StepKind.TRAINING:
        completion = (
            CourseCompletion.objects.filter(partner_id=step.partner_id, course_id=step.course_id, passed=True)
            .select_related("user", "course")
            .order_by("completed_at")
            .first()
        )
        if completion is None:
            raise ApplicationError(_("Nobody in your organisation has passed this course yet."), code="course_not_passed")
        services.step_complete_by_evidence(
            tenant=tenant,
            actor=actor,
            step=step,
            result=_training_result(course=completion.course, user=completion.user, score=completion.best_score),
        )
        return "done"
    today = timezone.localdate()
    certification = (
        Certification.objects.filter(
            partner_id=step.partner_id, course_id=step.course_id, is_current=True, revoked_at__isnull=True, expires_on__gte=today
        )
        .order_by("-expires_on")
        .first()
    )
    if certification is None:
        raise ApplicationError(_("Nobody in your organisation holds this certification yet."), code="course_not_passed")
    with transaction.atomic():
        services._lock_step_for_partner(step)  # the same refusals as ticking off: closed plan, done, blocked
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.certification_check_request",
            target=step,
            changes={"credential_number": certification.credential_number},
        )
        enqueue_on_commit(certification_step_verify_task, tenant.pk, step.pk, certification.pk)
    return "checking"
