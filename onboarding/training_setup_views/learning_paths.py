"""The learning paths page: one path per track, its courses added, removed and moved."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row
from onboarding import training_setup as services
from onboarding.models import Course, LearningPath, LearningPathCourse, Track

from .editing import _action, _can_edit, _form_error, _require_editor
from .forms import PathForm


def _paths_page(
    request: HttpRequest, *, bound: dict[str, PathForm] | None = None, course_errors: dict[str, str] | None = None, status=200
) -> HttpResponse:
    bound, course_errors = bound or {}, course_errors or {}
    tenant = request.tenant
    paths = {path.track: path for path in LearningPath.objects.filter(tenant=tenant)}
    entries = LearningPathCourse.objects.filter(tenant=tenant).select_related("course").order_by("position", "id")
    on_path: dict[int, list[LearningPathCourse]] = {}
    for entry in entries:
        on_path.setdefault(entry.path_id, []).append(entry)
    courses = list(Course.objects.filter(tenant=tenant).order_by("title", "id"))
    sections = []
    for track, label in Track.choices:
        path = paths.get(track)
        listed = on_path.get(path.pk, []) if path else []
        taken = {entry.course_id for entry in listed}
        initial = (
            {"title": path.title, "description": path.description} if path else {"title": _("%(track)s path") % {"track": label}}
        )
        sections.append(
            {
                "track": track,
                "label": label,
                "path": path,
                "entries": listed,
                "addable": [c for c in courses if c.track == track and c.pk not in taken],
                "form": bound.get(track) or PathForm(initial=initial, prefix=track),
                "course_error": course_errors.get(track, ""),
            }
        )
    return render(request, "onboarding/setup/paths.html", {"sections": sections, "can_edit": _can_edit(request)}, status=status)


def _path(request: HttpRequest, path_id) -> LearningPath:
    return access_row(LearningPath.objects, tenant=request.tenant, public_id=path_id)


@roles_required(*STAFF_ROLES)
def path_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _paths_page(request)
    _require_editor(request)
    track = request.POST.get("track", "")
    if track not in Track.values:
        messages.error(request, _("Choose a track from the list."))
        return back_to_tenant(request, "setup:paths")
    form = PathForm(request.POST, prefix=track)
    if form.is_valid():
        try:
            services.learning_path_save(tenant=request.tenant, actor=request.user, track=track, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Learning path saved."))
            return back_to_tenant(request, "setup:paths")
    return _paths_page(request, bound={track: form}, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def path_course_add(request: HttpRequest, path_id) -> HttpResponse:
    path = _path(request, path_id)
    course = Course.objects.filter(tenant=request.tenant, public_id=_uuid_or_none(request.POST.get("course"))).first()
    try:
        if course is None:
            raise ApplicationError(_("Choose a course from the list."), code="required", field="course")
        services.learning_path_course_add(tenant=request.tenant, actor=request.user, path=path, course=course)
    except ApplicationError as error:
        return _paths_page(request, course_errors={path.track: error.message}, status=400)
    messages.success(request, _("Course added to the path."))
    return back_to_tenant(request, "setup:paths")


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _path_course(request: HttpRequest, path: LearningPath, course_id) -> Course:
    entry = LearningPathCourse.objects.filter(path=path, course__public_id=course_id).select_related("course").first()
    if entry is None:
        raise NotFoundError()
    return entry.course


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def path_course_remove(request: HttpRequest, path_id, course_id) -> HttpResponse:
    path = _path(request, path_id)
    course = _path_course(request, path, course_id)
    return _action(
        request,
        lambda: services.learning_path_course_remove(tenant=request.tenant, actor=request.user, path=path, course=course),
        _("Course taken off the path."),
        "setup:paths",
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def path_course_move(request: HttpRequest, path_id, course_id) -> HttpResponse:
    path = _path(request, path_id)
    course = _path_course(request, path, course_id)
    return _action(
        request,
        lambda: services.learning_path_course_move(
            tenant=request.tenant, actor=request.user, path=path, course=course, direction=request.POST.get("direction", "")
        ),
        _("Path order saved."),
        "setup:paths",
    )
