"""Training set up by the vendor's own staff: courses with their modules and quiz, and learning paths.

Credential issuers are saved by :func:`onboarding.issuers.credential_issuer_save`; this module owns
the rest of the training configuration that used to be editable only in Django admin.

Rules every function here keeps:

* one transaction and one audit row per change;
* a course is published only with a quiz partners can pass: at least one question, and every
  question with at least two answers of which at least one is correct (:func:`course_publish_problems`);
  a change to a published course's quiz may not break that (unpublish first), and its audit row
  says the course was published;
* positions (modules and questions of a course, courses of a path) stay 1..n and unique: rows are
  locked, then renumbered in two steps (:func:`_renumber`) so the unique (tenant, parent, position)
  constraints never see two rows on one position.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from .models import Course, CourseModule, LearningPath, LearningPathCourse, QuizChoice, QuizQuestion, Track
from .models.training import https_only

MAX_CHOICES = 6
UP, DOWN = "up", "down"


# --- helpers -------------------------------------------------------------------------------------


def _required(value: str | None, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="required", field=field)
    if len(value) > limit:
        raise ApplicationError(_("Use at most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field)
    return value


def _optional(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ApplicationError(_("Use at most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field)
    return value


def _https(value: str | None, field: str) -> str:
    value = _optional(value, field, 500)
    if value:
        try:
            https_only(value)
        except ValidationError:
            raise ApplicationError(_("Enter an https:// address."), code="not_https", field=field) from None
    return value


def _track(track: str) -> str:
    if track not in Track.values:
        raise ApplicationError(_("Choose a track from the list."), code="invalid_choice", field="track")
    return track


def _in_range(value: int, low: int, high: int, field: str) -> int:
    if not low <= value <= high:
        raise ApplicationError(
            _("Use a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}, code="out_of_range", field=field
        )
    return value


def _renumber(rows: Sequence[models.Model]) -> None:
    """Give ``rows`` (every row of one parent, locked, in their new order) positions 1..n.

    Two statements, because the unique (tenant, parent, position) constraint is checked row by row:
    first every row moves above all current positions, then each takes its final place, which no
    other row holds any more.
    """
    if not rows:
        return
    model = type(rows[0])
    above = max(row.position for row in rows) + 1
    model.objects.filter(pk__in=[row.pk for row in rows]).update(position=F("position") + above)
    for index, row in enumerate(rows, start=1):
        row.position = index
    model.objects.bulk_update(rows, ["position"])


def _moved(rows: list, target: models.Model, direction: str) -> list | None:
    """``rows`` with ``target`` swapped with its neighbour, or None when it cannot go further."""
    if direction not in (UP, DOWN):
        raise ApplicationError(_("Move a row up or down."), code="invalid_choice", field="direction")
    index = next(i for i, row in enumerate(rows) if row.pk == target.pk)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


def _lock_course(course: Course) -> Course:
    """The course row, locked: quiz changes and publishing on one course happen one at a time."""
    return Course.objects.select_for_update().get(pk=course.pk)


# --- courses -------------------------------------------------------------------------------------


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


# --- modules -------------------------------------------------------------------------------------


def _module_values(*, title: str, body: str, video_url: str, asset_url: str, asset_label: str) -> dict[str, str]:
    return {
        "title": _required(title, "title", _("Give the module a title."), 200),
        "body": _optional(body, "body", 100_000),
        "video_url": _https(video_url, "video_url"),
        "asset_url": _https(asset_url, "asset_url"),
        "asset_label": _optional(asset_label, "asset_label", 120),
    }


def course_module_add(
    *,
    tenant: Tenant,
    actor: Any,
    course: Course,
    title: str,
    body: str = "",
    video_url: str = "",
    asset_url: str = "",
    asset_label: str = "",
) -> CourseModule:
    """Append a module at the end of the course."""
    values = _module_values(title=title, body=body, video_url=video_url, asset_url=asset_url, asset_label=asset_label)
    with transaction.atomic():
        locked = _lock_course(course)
        last = CourseModule.objects.filter(course=locked).aggregate(last=models.Max("position"))["last"] or 0
        module = CourseModule.objects.create(tenant=tenant, course=locked, position=last + 1, **values)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.module_add",
            target=locked,
            changes={"position": module.position, "title": module.title, "published": locked.is_published},
        )
    return module


def course_module_update(
    *,
    tenant: Tenant,
    actor: Any,
    module: CourseModule,
    title: str,
    body: str,
    video_url: str,
    asset_url: str,
    asset_label: str,
) -> CourseModule:
    values = _module_values(title=title, body=body, video_url=video_url, asset_url=asset_url, asset_label=asset_label)
    with transaction.atomic():
        course = _lock_course(module.course)
        locked = CourseModule.objects.select_for_update().get(pk=module.pk)
        changed = sorted(key for key, value in values.items() if getattr(locked, key) != value)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.module_update",
            target=course,
            changes={"position": locked.position, "title": locked.title, "changed": changed, "published": course.is_published},
        )
    return locked


def course_module_remove(*, tenant: Tenant, actor: Any, module: CourseModule) -> None:
    """Remove a module; the ones after it move up a place."""
    with transaction.atomic():
        course = _lock_course(module.course)
        rows = list(CourseModule.objects.select_for_update().filter(course=course).order_by("position", "id"))
        removed = next((row for row in rows if row.pk == module.pk), None)
        if removed is None:
            return  # removed meanwhile (a double click): nothing to do
        removed.delete()
        _renumber([row for row in rows if row.pk != removed.pk])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.module_remove",
            target=course,
            changes={"position": module.position, "title": removed.title, "published": course.is_published},
        )


def course_module_move(*, tenant: Tenant, actor: Any, module: CourseModule, direction: str) -> None:
    """Swap a module with the one before (``up``) or after (``down``); at either end nothing changes."""
    with transaction.atomic():
        course = _lock_course(module.course)
        rows = list(CourseModule.objects.select_for_update().filter(course=course).order_by("position", "id"))
        if not any(row.pk == module.pk for row in rows):
            return
        order = _moved(rows, module, direction)
        if order is None:
            return
        _renumber(order)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.module_move",
            target=course,
            changes={"title": module.title, "direction": direction, "order": [row.title for row in order]},
        )


# --- quiz ----------------------------------------------------------------------------------------


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


# --- learning paths ------------------------------------------------------------------------------


def learning_path_save(*, tenant: Tenant, actor: Any, track: str, title: str, description: str) -> LearningPath:
    """Create the track's learning path, or change its title and description (one path per track)."""
    track = _track(track)
    title = _required(title, "title", _("Give the path a title."), 200)
    description = _optional(description, "description", 2000)
    try:
        with transaction.atomic():
            path, created = LearningPath.objects.select_for_update().get_or_create(
                tenant=tenant, track=track, defaults={"title": title, "description": description}
            )
            if not created:
                path.title, path.description = title, description
                path.save(update_fields=["title", "description"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="training.path_create" if created else "training.path_update",
                target=path,
                changes={"track": track, "title": title},
            )
    except IntegrityError:  # created at the same moment by someone else: theirs stands, try again
        raise ApplicationError(
            _("This track's path was just created by someone else: reload the page."), code="conflict", field="track"
        ) from None
    return path


def _path_rows(path: LearningPath) -> list[LearningPathCourse]:
    LearningPath.objects.select_for_update().filter(pk=path.pk).first()  # one change to a path at a time
    return list(
        LearningPathCourse.objects.select_for_update().filter(path=path).select_related("course").order_by("position", "id")
    )


def learning_path_course_add(*, tenant: Tenant, actor: Any, path: LearningPath, course: Course) -> LearningPathCourse:
    """Put a course of the path's track at the end of the path (once)."""
    if course.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a course of this program."), code="invalid_choice", field="course")
    if course.track != path.track:
        raise ApplicationError(
            _("Only %(track)s courses can be on this path.") % {"track": path.get_track_display()},
            code="wrong_track",
            field="course",
        )
    with transaction.atomic():
        rows = _path_rows(path)
        if any(row.course_id == course.pk for row in rows):
            raise ApplicationError(_("This course is already on the path."), code="duplicate", field="course")
        entry = LearningPathCourse.objects.create(
            tenant=tenant, path=path, course=course, position=max((row.position for row in rows), default=0) + 1
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.path_course_add",
            target=path,
            changes={"course": str(course.public_id), "title": course.title, "position": entry.position},
        )
    return entry


def learning_path_course_remove(*, tenant: Tenant, actor: Any, path: LearningPath, course: Course) -> None:
    """Take a course off the path (the course itself stays); the ones after it move up."""
    with transaction.atomic():
        rows = _path_rows(path)
        removed = next((row for row in rows if row.course_id == course.pk), None)
        if removed is None:
            return
        removed.delete()
        _renumber([row for row in rows if row.pk != removed.pk])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.path_course_remove",
            target=path,
            changes={"course": str(course.public_id), "title": course.title},
        )


def learning_path_course_move(*, tenant: Tenant, actor: Any, path: LearningPath, course: Course, direction: str) -> None:
    """Swap a course with the one before (``up``) or after (``down``) on the path."""
    with transaction.atomic():
        rows = _path_rows(path)
        entry = next((row for row in rows if row.course_id == course.pk), None)
        if entry is None:
            raise ApplicationError(_("This course is not on the path."), code="not_on_path", field="course")
        order = _moved(rows, entry, direction)
        if order is None:
            return
        _renumber(order)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.path_course_move",
            target=path,
            changes={"title": course.title, "direction": direction, "order": [row.course.title for row in order]},
        )
