"""Quiz attempts: score one, count it against the attempt window, and act on a pass.

* A quiz scores ``correct answers / questions`` (rounded down to a whole percent) and passes at
  the course's pass mark. Every answered submission is an attempt; a person has
  ``QUIZ_ATTEMPTS_PER_WINDOW`` attempts per ``QUIZ_ATTEMPT_WINDOW`` for one course, so the quiz
  cannot be brute-forced.
* Passing certifies (:mod:`.certifications`) and moves the partner's course steps on
  (:mod:`.course_steps`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.models import Tenant
from onboarding.models import Certification, Course, CourseCompletion, QuizChoice, QuizQuestion
from partners.models import EngagementKind
from partners.services import engagement_record

from .certifications import _certify
from .course_steps import _course_steps_after_pass

QUIZ_ATTEMPTS_PER_WINDOW = 3
QUIZ_ATTEMPT_WINDOW = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class QuizResult:
    completion: CourseCompletion
    correct: int
    total: int
    score: int  # percent, rounded down
    passed: bool
    certification: Certification | None  # the current certification after a pass
    renewed: bool  # True when a pass renewed a valid certification instead of issuing one


def _score(*, course: Course, answers: Mapping[str, str]) -> tuple[int, int]:
    """(correct, total) for ``answers`` = {question public id: choice public id}. Every question must be answered."""
    questions = list(
        QuizQuestion.objects.filter(course=course)
        .order_by("position", "id")
        .prefetch_related(Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id")))
    )
    if not questions:
        raise ApplicationError(_("This course has no quiz yet."), code="no_quiz")
    missing = [q for q in questions if not answers.get(str(q.public_id))]
    if missing:
        raise ApplicationError(
            _("Answer every question (%(count)s left).") % {"count": len(missing)}, code="incomplete_answers", field="answers"
        )
    correct = 0
    for question in questions:
        chosen = next((c for c in question.choices.all() if str(c.public_id) == str(answers[str(question.public_id)])), None)
        if chosen is None:
            raise ApplicationError(_("Choose one of the answers given."), code="invalid_choice", field="answers")
        correct += chosen.is_correct
    return correct, len(questions)


def _lock_completion(*, tenant: Tenant, partner_id: int, user: Any, course: Course) -> CourseCompletion:
    """The person's record for the course, locked; created on the first attempt (the unique index decides races)."""
    completion = CourseCompletion.objects.select_for_update().filter(user=user, course=course).first()
    if completion is None:
        try:
            with transaction.atomic():
                CourseCompletion.objects.create(tenant=tenant, partner_id=partner_id, user=user, course=course)
        except IntegrityError:
            pass  # created by a concurrent first attempt: lock that one
        completion = CourseCompletion.objects.select_for_update().get(user=user, course=course)
    return completion


def _count_attempt(completion: CourseCompletion, *, now: datetime.datetime) -> None:
    window_open = completion.window_started_at is not None and now - completion.window_started_at < QUIZ_ATTEMPT_WINDOW
    if not window_open:
        completion.window_started_at, completion.window_attempts = now, 0
    if completion.window_attempts >= QUIZ_ATTEMPTS_PER_WINDOW:
        retry_at = completion.window_started_at + QUIZ_ATTEMPT_WINDOW
        raise ApplicationError(
            _("You have used your %(count)s attempts for now. Try again after %(time)s.")
            % {"count": QUIZ_ATTEMPTS_PER_WINDOW, "time": timezone.localtime(retry_at).strftime("%Y-%m-%d %H:%M")},
            code="too_many_attempts",
        )
    completion.window_attempts += 1


def quiz_submit(*, tenant: Tenant, actor: Any, partner_id: int, course: Course, answers: Mapping[str, str]) -> QuizResult:
    """Score one attempt at ``course``'s quiz by ``actor``, a user of partner ``partner_id``.

    An incomplete or invalid submission is refused before it counts as an attempt. Locks the
    person's completion record for the course (so two tabs submitting at once take turns), then
    the current certification. A pass certifies, records ``course_completed`` engagement and
    moves the partner's onboarding on (see the module docstring).
    """
    if not course.is_published:
        raise NotFoundError()
    correct, total = _score(course=course, answers=answers)
    score = correct * 100 // total
    passed = score >= course.pass_mark
    now = timezone.now()
    with transaction.atomic():
        completion = _lock_completion(tenant=tenant, partner_id=partner_id, user=actor, course=course)
        _count_attempt(completion, now=now)
        completion.partner_id = partner_id
        completion.attempts += 1
        completion.score = score
        completion.best_score = max(completion.best_score, score)
        completion.last_attempt_at = now
        if passed:
            completion.passed = True
            completion.completed_at = completion.completed_at or now
        completion.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.quiz_attempt",
            target=completion,
            changes={"course": course.title, "score": score, "passed": passed, "attempt": completion.attempts},
        )
        certification, renewed = None, False
        if passed:
            certification, renewed = _certify(tenant=tenant, actor=actor, partner_id=partner_id, course=course, now=now)
            engagement_record(
                tenant=tenant,
                partner_id=partner_id,
                kind=EngagementKind.COURSE_COMPLETED,
                user=actor,
                data={"course": course.title, "score": score},
                at=now,
            )
            _course_steps_after_pass(
                tenant=tenant, actor=actor, partner_id=partner_id, course=course, certification=certification, score=score
            )
    return QuizResult(
        completion=completion,
        correct=correct,
        total=total,
        score=score,
        passed=passed,
        certification=certification,
        renewed=renewed,
    )
