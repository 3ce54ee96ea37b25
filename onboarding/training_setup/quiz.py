"""A course's quiz questions and their answers: add, edit, remove.

A change to a published course's quiz may not leave it impossible to pass (unpublish first), and its
audit row says the course was published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding.models import Course, QuizChoice, QuizQuestion

from .courses import _lock_course
from .positions import _renumber
from .validation import _required

MAX_CHOICES = 6


def _clean_choices(choices: Sequence[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The filled-in answer rows (blank rows dropped): at least two, at most six, at least one correct."""
    filled = []
    for text, is_correct in choices:
        text = (text or "").strip()
        if text:
            if len(text) > 300:
                raise ApplicationError(_("Keep each answer under 300 characters."), code="too_long", field="choices")
            filled.append((text, bool(is_correct)))
        elif is_correct:
            raise ApplicationError(_("An answer ticked as correct has no text."), code="required", field="choices")
    if len(filled) < 2:
        raise ApplicationError(_("Give at least two answers."), code="too_few_choices", field="choices")
    if len(filled) > MAX_CHOICES:
        raise ApplicationError(_("Give at most %(n)d answers.") % {"n": MAX_CHOICES}, code="too_many_choices", field="choices")
    if not any(is_correct for _text, is_correct in filled):
        raise ApplicationError(_("Tick at least one correct answer."), code="no_correct_choice", field="choices")
    return filled


def quiz_question_add(
    *, tenant: Tenant, actor: Any, course: Course, text: str, choices: Sequence[tuple[str, bool]]
) -> QuizQuestion:
    """Append a question with its answers ``[(text, is_correct), …]`` (blank rows are ignored)."""
    text = _required(text, "text", _("Write the question."), 500)
    filled = _clean_choices(choices)
    with transaction.atomic():
        locked = _lock_course(course)
        last = QuizQuestion.objects.filter(course=locked).aggregate(last=models.Max("position"))["last"] or 0
        question = QuizQuestion.objects.create(tenant=tenant, course=locked, position=last + 1, text=text)
        QuizChoice.objects.bulk_create(
            QuizChoice(tenant=tenant, question=question, position=position, text=choice, is_correct=is_correct)
            for position, (choice, is_correct) in enumerate(filled, start=1)
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.question_add",
            target=locked,
            changes={"question": text, "choices": len(filled), "published": locked.is_published},
        )
    return question


def quiz_question_update(
    *, tenant: Tenant, actor: Any, question: QuizQuestion, text: str, choices: Sequence[tuple[str, bool]]
) -> QuizQuestion:
    """Change a question and its answers. Answers keep their identity by position, so a partner who
    has the quiz open while it changes still submits answers the server knows."""
    text = _required(text, "text", _("Write the question."), 500)
    filled = _clean_choices(choices)
    with transaction.atomic():
        course = _lock_course(question.course)
        locked = QuizQuestion.objects.select_for_update().get(pk=question.pk)
        existing = {choice.position: choice for choice in QuizChoice.objects.select_for_update().filter(question=locked)}
        before = {"question": locked.text, "choices": [(c.text, c.is_correct) for _p, c in sorted(existing.items())]}
        locked.text = text
        locked.save(update_fields=["text"])
        # Rows beyond the new count go first, then the others take their (position-keyed) values.
        QuizChoice.objects.filter(question=locked, position__gt=len(filled)).delete()
        for position, (choice_text, is_correct) in enumerate(filled, start=1):
            row = existing.get(position)
            if row is None:
                QuizChoice.objects.create(
                    tenant=tenant, question=locked, position=position, text=choice_text, is_correct=is_correct
                )
            elif (row.text, row.is_correct) != (choice_text, is_correct):
                row.text, row.is_correct = choice_text, is_correct
                row.save(update_fields=["text", "is_correct"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.question_update",
            target=course,
            changes={
                "position": locked.position,
                "before": before,
                "after": {"question": text, "choices": filled},
                "published": course.is_published,
            },
        )
    return locked


def quiz_question_remove(*, tenant: Tenant, actor: Any, question: QuizQuestion) -> None:
    """Remove a question (the ones after it move up). A published course keeps at least one question."""
    with transaction.atomic():
        course = _lock_course(question.course)
        rows = list(QuizQuestion.objects.select_for_update().filter(course=course).order_by("position", "id"))
        removed = next((row for row in rows if row.pk == question.pk), None)
        if removed is None:
            return
        if course.is_published and len(rows) == 1:
            raise ApplicationError(
                _("A published course needs at least one question: unpublish the course before removing its last one."),
                code="last_question",
            )
        removed.delete()
        _renumber([row for row in rows if row.pk != removed.pk])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.question_remove",
            target=course,
            changes={"question": removed.text, "published": course.is_published},
        )
