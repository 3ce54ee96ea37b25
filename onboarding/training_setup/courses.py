"""Courses: create, edit, publish, unpublish.

A course is published only with a quiz partners can pass: at least one question, and every question
with at least two answers of which at least one is correct (:func:`course_publish_problems`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding.models import Course, LearningPathCourse, QuizQuestion

from .validation import _in_range, _optional, _required, _track


def _lock_course(course: Course) -> Course:
    """The course row, locked: quiz changes and publishing on one course happen one at a time."""
    return Course.objects.select_for_update().get(pk=course.pk)


def course_publish_problems(*, course: Course) -> list[str]:
    """Why partners could not pass this course's quiz (empty: it may be published)."""
    questions = list(QuizQuestion.objects.filter(course=course).prefetch_related("choices").order_by("position", "id"))
    if not questions:
        return [_("Add at least one quiz question.")]
    problems = []
    for question in questions:
        choices = list(question.choices.all())
        if len(choices) < 2:
            problems.append(
                _("Question %(n)d (“%(text)s”) needs at least two answers.") % {"n": question.position, "text": question.text}
            )
        if not any(choice.is_correct for choice in choices):
            problems.append(
                _("Question %(n)d (“%(text)s”) has no correct answer.") % {"n": question.position, "text": question.text}
            )
    return problems


def _course_values(*, title: str, summary: str, track: str, pass_mark: int, validity_months: int) -> dict[str, Any]:
    return {
        "title": _required(title, "title", _("Give the course a title."), 200),
        "summary": _optional(summary, "summary", 2000),
        "track": _track(track),
        "pass_mark": _in_range(pass_mark, 1, 100, "pass_mark"),
        "validity_months": _in_range(validity_months, 1, 120, "validity_months"),
    }


def course_create(
    *, tenant: Tenant, actor: Any, title: str, summary: str, track: str, pass_mark: int = 80, validity_months: int = 24
) -> Course:
    """A new draft course: partners see it only once it has a quiz and is published."""
    values = _course_values(title=title, summary=summary, track=track, pass_mark=pass_mark, validity_months=validity_months)
    with transaction.atomic():
        course = Course.objects.create(tenant=tenant, is_published=False, **values)
        audit_record(tenant=tenant, actor=actor, action="training.course_create", target=course, changes=values)
    return course


def course_update(
    *, tenant: Tenant, actor: Any, course: Course, title: str, summary: str, track: str, pass_mark: int, validity_months: int
) -> Course:
    """Change a course's details. A course on a learning path keeps its track (remove it from the path first)."""
    values = _course_values(title=title, summary=summary, track=track, pass_mark=pass_mark, validity_months=validity_months)
    with transaction.atomic():
        locked = _lock_course(course)
        if values["track"] != locked.track:
            on_path = LearningPathCourse.objects.filter(course=locked).select_related("path").first()
            if on_path is not None:
                raise ApplicationError(
                    _("This course is on the “%(path)s” learning path: remove it from the path before changing its track.")
                    % {"path": on_path.path.title},
                    code="on_learning_path",
                    field="track",
                )
        changes = {key: value for key, value in values.items() if getattr(locked, key) != value}
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.course_update",
            target=locked,
            changes={**changes, "published": locked.is_published},
        )
    return locked


def course_publish(*, tenant: Tenant, actor: Any, course: Course) -> Course:
    """Show the course to partners. Refused, naming every problem, unless its quiz can be passed."""
    with transaction.atomic():
        locked = _lock_course(course)
        problems = course_publish_problems(course=locked)
        if problems:
            raise ApplicationError(
                _("The course cannot be published yet: %(problems)s") % {"problems": " ".join(problems)}, code="quiz_incomplete"
            )
        if not locked.is_published:
            locked.is_published = True
            locked.save(update_fields=["is_published", "updated_at"])
            audit_record(tenant=tenant, actor=actor, action="training.course_publish", target=locked)
    return locked


def course_unpublish(*, tenant: Tenant, actor: Any, course: Course) -> Course:
    """Hide the course from partners' catalogue. Completions and certifications already earned stay."""
    with transaction.atomic():
        locked = _lock_course(course)
        if locked.is_published:
            locked.is_published = False
            locked.save(update_fields=["is_published", "updated_at"])
            audit_record(tenant=tenant, actor=actor, action="training.course_unpublish", target=locked)
    return locked
