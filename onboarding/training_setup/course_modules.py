"""A course's modules (its lessons): add, edit, remove, move."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.tenancy.models import Tenant
from onboarding.models import Course, CourseModule

from .courses import _lock_course
from .positions import _moved, _renumber
from .validation import _https, _optional, _required


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
