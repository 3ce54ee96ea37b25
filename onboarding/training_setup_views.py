"""Training setup in the vendor portal: courses (modules, quiz), learning paths, credential issuers.

Staff read every page; only owners and partner managers change anything (analysts get 403 on a
POST and nothing changes). Rows are fetched through the tenant (404 for another tenant's ids).
A refused change re-renders its form with the message next to the field and what was typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Right
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row

from . import training_setup as services
from .issuers import credential_issuer_save
from .models import (
    Course,
    CourseModule,
    CredentialIssuer,
    CredentialIssuerSecret,
    LearningPath,
    LearningPathCourse,
    QuizChoice,
    QuizQuestion,
    Track,
)

PAGE_SIZE = 25


# --- forms (shape only: the rules live in training_setup and issuers) ----------------------------


class CourseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    track = forms.ChoiceField(label=gettext_lazy("Track"), choices=Track.choices)
    pass_mark = forms.IntegerField(
        label=gettext_lazy("Pass mark (%)"), initial=80, help_text=gettext_lazy("The share of questions to answer right, 1–100.")
    )
    validity_months = forms.IntegerField(
        label=gettext_lazy("Certification valid for (months)"), initial=24, help_text=gettext_lazy("1–120 months.")
    )


class ModuleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Module title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Plain text; blank lines start a new paragraph."),
    )
    video_url = forms.CharField(label=gettext_lazy("Video link"), required=False, max_length=500, help_text="https://…")
    asset_url = forms.CharField(label=gettext_lazy("Download link"), required=False, max_length=500, help_text="https://…")
    asset_label = forms.CharField(label=gettext_lazy("Download name"), required=False, max_length=120)


class QuestionForm(forms.Form):
    """A question and up to six answers; tick the correct ones. Blank answer rows are ignored."""

    text = forms.CharField(label=gettext_lazy("Question"), max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, services.MAX_CHOICES + 1):
            self.fields[f"choice_{n}"] = forms.CharField(required=False, max_length=300)
            self.fields[f"correct_{n}"] = forms.BooleanField(required=False)

    @classmethod
    def initial_for(cls, question: QuizQuestion) -> dict:
        initial = {"text": question.text}
        for choice in question.choices.all():
            initial[f"choice_{choice.position}"] = choice.text
            initial[f"correct_{choice.position}"] = choice.is_correct
        return initial

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"choice_{n}"], self[f"correct_{n}"]) for n in range(1, services.MAX_CHOICES + 1)]

    def choices(self) -> list[tuple[str, bool]]:
        return [(self.cleaned_data[f"choice_{n}"], self.cleaned_data[f"correct_{n}"]) for n in range(1, services.MAX_CHOICES + 1)]

    def add_application_error(self, error: ApplicationError) -> None:
        # Answer-row problems belong to the answers as a whole: shown above the rows.
        self.add_error("text" if error.field == "text" else None, error.message)


class PathForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Path title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssuerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("For example AWS Certification."))
    slug = forms.CharField(
        label=gettext_lazy("Slug"), required=False, max_length=60, help_text=gettext_lazy("Left blank: made from the name.")
    )
    endpoint_url = forms.CharField(
        label=gettext_lazy("Verification endpoint"), max_length=500, help_text=gettext_lazy("The issuer's https:// address.")
    )
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active (partners can choose it)"), required=False, initial=True)


def _form_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _require_editor(request: HttpRequest) -> None:
    if request.membership.role not in PARTNER_EDITOR_ROLES:
        raise PermissionDenied(_("Your role does not allow this."))


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.role in PARTNER_EDITOR_ROLES


def _action(request: HttpRequest, action: Callable[[], object], success: str, back: str, **kwargs) -> HttpResponse:
    """Run one change without a form of its own; report its refusal or ``success`` and go ``back``."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return back_to_tenant(request, back, **kwargs)


# --- courses -------------------------------------------------------------------------------------


def _course(request: HttpRequest, course_id) -> Course:
    return access_row(Course.objects, tenant=request.tenant, public_id=course_id)


@roles_required(*STAFF_ROLES)
def course_list(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.filter(tenant=request.tenant).annotate(
        module_count=Count("modules", distinct=True), question_count=Count("questions", distinct=True)
    )
    page = Paginator(courses.order_by("track", "title", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "onboarding/setup/course_list.html", {"page": page, "can_edit": _can_edit(request)})


@roles_required(*STAFF_ROLES)
def course_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Course created as a draft: add its modules and quiz, then publish it."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "onboarding/setup/course_new.html", {"form": form, "can_edit": _can_edit(request)}, status=status)


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    details: CourseForm | None = None,
    module_form: ModuleForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {key: getattr(course, key) for key in ("title", "summary", "track", "pass_mark", "validity_months")}
    questions = QuizQuestion.objects.filter(course=course).prefetch_related(
        Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id"))
    )
    context = {
        "course": course,
        "details": details or CourseForm(initial=initial),
        "modules": CourseModule.objects.filter(course=course).order_by("position", "id"),
        "questions": questions.order_by("position", "id"),
        "module_form": module_form or ModuleForm(),
        "question_form": question_form or QuestionForm(),
        "problems": services.course_publish_problems(course=course),
        "can_edit": _can_edit(request),
    }
    return render(request, "onboarding/setup/course_edit.html", context, status=status)


@roles_required(*STAFF_ROLES)
def course_edit(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    if request.method != "POST":
        return _course_page(request, course)
    _require_editor(request)
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            services.course_update(tenant=request.tenant, actor=request.user, course=course, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Course saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, details=form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def course_publish(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    return _action(
        request,
        lambda: services.course_publish(tenant=request.tenant, actor=request.user, course=course),
        _("Published: partners can take the course."),
        "setup:course_edit",
        course_id=course.public_id,
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def course_unpublish(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    return _action(
        request,
        lambda: services.course_unpublish(tenant=request.tenant, actor=request.user, course=course),
        _("Unpublished: partners no longer see the course. Certifications already earned stay valid."),
        "setup:course_edit",
        course_id=course.public_id,
    )


# --- modules -------------------------------------------------------------------------------------


def _module(course: Course, position: int) -> CourseModule:
    module = CourseModule.objects.filter(course=course, position=position).select_related("course").first()
    if module is None:
        raise NotFoundError()
    return module


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_add(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    form = ModuleForm(request.POST)
    if form.is_valid():
        try:
            services.course_module_add(tenant=request.tenant, actor=request.user, course=course, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Module added."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, module_form=form, status=400)


@roles_required(*STAFF_ROLES)
def module_edit(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    if request.method == "POST":
        _require_editor(request)
    initial = {key: getattr(module, key) for key in ModuleForm.base_fields}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_module_update(tenant=request.tenant, actor=request.user, module=module, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Module saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"course": course, "module": module, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/module_form.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_remove(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    return _action(
        request,
        lambda: services.course_module_remove(tenant=request.tenant, actor=request.user, module=module),
        _("Module removed."),
        "setup:course_edit",
        course_id=course.public_id,
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_move(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    return _action(
        request,
        lambda: services.course_module_move(
            tenant=request.tenant, actor=request.user, module=module, direction=request.POST.get("direction", "")
        ),
        _("Module moved."),
        "setup:course_edit",
        course_id=course.public_id,
    )


# --- quiz ----------------------------------------------------------------------------------------


def _question(course: Course, question_id) -> QuizQuestion:
    return access_row(
        QuizQuestion.objects.filter(course=course).select_related("course"), tenant=course.tenant, public_id=question_id
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_add(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.quiz_question_add(
                tenant=request.tenant, actor=request.user, course=course, text=form.cleaned_data["text"], choices=form.choices()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Question added."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, question_form=form, status=400)


@roles_required(*STAFF_ROLES)
def question_edit(request: HttpRequest, course_id, question_id) -> HttpResponse:
    course = _course(request, course_id)
    question = _question(course, question_id)
    if request.method == "POST":
        _require_editor(request)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_question_update(
                tenant=request.tenant,
                actor=request.user,
                question=question,
                text=form.cleaned_data["text"],
                choices=form.choices(),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Question saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"course": course, "question": question, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/question_form.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_remove(request: HttpRequest, course_id, question_id) -> HttpResponse:
    course = _course(request, course_id)
    question = _question(course, question_id)
    return _action(
        request,
        lambda: services.quiz_question_remove(tenant=request.tenant, actor=request.user, question=question),
        _("Question removed."),
        "setup:course_edit",
        course_id=course.public_id,
    )


# --- learning paths ------------------------------------------------------------------------------


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


# --- credential issuers --------------------------------------------------------------------------


def _issuer(request: HttpRequest, issuer_slug: str) -> CredentialIssuer:
    issuer = CredentialIssuer.objects.filter(tenant=request.tenant, slug=issuer_slug).first()
    if issuer is None:
        raise NotFoundError()
    return issuer


@roles_required(*STAFF_ROLES)
def issuer_list(request: HttpRequest) -> HttpResponse:
    # Only the secret's last four characters leave the database.
    tail = CredentialIssuerSecret.objects.filter(issuer=OuterRef("pk")).annotate(tail=Right("secret", 4)).values("tail")[:1]
    issuers = CredentialIssuer.objects.filter(tenant=request.tenant).annotate(secret_tail=Subquery(tail)).order_by("name", "id")
    return render(request, "onboarding/setup/issuers.html", {"issuers": issuers, "can_edit": _can_edit(request)})


def _issuer_form_page(request: HttpRequest, issuer: CredentialIssuer | None) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
    initial = (
        {"name": issuer.name, "slug": issuer.slug, "endpoint_url": issuer.endpoint_url, "is_active": issuer.is_active}
        if issuer
        else None
    )
    form = IssuerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            credential_issuer_save(tenant=request.tenant, actor=request.user, issuer=issuer, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Issuer saved."))
            return back_to_tenant(request, "setup:issuers")
    if issuer is not None:
        form.fields["secret"].help_text = _("Set: %(masked)s. Leave blank to keep it; type a new one to rotate it.") % {
            "masked": issuer.masked_secret or "—"
        }
    status = 400 if request.method == "POST" else 200
    context = {"issuer": issuer, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/issuer_form.html", context, status=status)


@roles_required(*STAFF_ROLES)
def issuer_create(request: HttpRequest) -> HttpResponse:
    return _issuer_form_page(request, None)


@roles_required(*STAFF_ROLES)
def issuer_edit(request: HttpRequest, issuer_slug: str) -> HttpResponse:
    return _issuer_form_page(request, _issuer(request, issuer_slug))
