"""Learning paths: one per track, an ordered list of courses."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding.models import Course, LearningPath, LearningPathCourse

from .positions import _moved, _renumber
from .validation import _optional, _required, _track


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
