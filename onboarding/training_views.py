"""Training pages: the partner's courses, quiz and certifications; the vendor's course overview and certification list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_queryset, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.portal.forms import ReasonForm
from ecosystem.portal.lists import filter_query
from partners.selectors import access_partner

from . import learning, training
from . import training_selectors as selectors
from .models import Course, Track

PAGE_SIZE = 25
EXPIRING_SOON_DAYS = selectors.EXPIRING_SOON_DAYS


# --- partner portal ----------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def catalogue(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.training_catalogue(tenant=request.tenant, user=request.user)
    context = {"catalogue": catalogue, "paths": catalogue.paths, "sections": catalogue.sections}
    return render(request, "onboarding/training/catalogue.html", context)


@roles_required(*PARTNER_ROLES)
def course(request: HttpRequest, course_id) -> HttpResponse:
    """The course's modules and its quiz. The quiz shows questions and choices, never which are correct."""
    course = selectors.access_published_course(tenant=request.tenant, public_id=course_id)
    questions = list(course.questions.all())
    answers: dict[str, str] = {}
    error = None
    if request.method == "POST":
        answers = {str(q.public_id): request.POST.get(f"q-{q.public_id}", "") for q in questions}
        try:
            result = training.quiz_submit(
                tenant=request.tenant,
                actor=request.user,
                partner_id=request.membership.partner_id,
                course=course,
                answers={key: value for key, value in answers.items() if value},
            )
        except ApplicationError as error_:
            error = error_
        else:
            _say_result(request, result)
            return back_to_tenant(request, "partner_training:course", course_id=course.public_id)
    context = {
        "course": course,
        "modules": list(course.modules.all()),
        "questions": questions,
        "answers": answers,
        "error": error,
        "completion": selectors.completion_for(tenant=request.tenant, user=request.user, course=course),
        "certification": selectors.current_certification_for(tenant=request.tenant, user=request.user, course=course),
    }
    return render(request, "onboarding/training/course.html", context, status=400 if error else 200)


def _say_result(request: HttpRequest, result: training.QuizResult) -> None:
    score = {"score": result.score, "correct": result.correct, "total": result.total}
    if not result.passed:
        messages.warning(request, _("You scored %(score)s%% (%(correct)s of %(total)s): not a pass this time.") % score)
    elif result.renewed:
        messages.success(
            request,
            _("You passed with %(score)s%%. Certification %(number)s is renewed until %(expires)s.")
            % {**score, "number": result.certification.credential_number, "expires": result.certification.expires_on},
        )
    else:
        messages.success(
            request,
            _("You passed with %(score)s%%. Your credential number is %(number)s, valid until %(expires)s.")
            % {**score, "number": result.certification.credential_number, "expires": result.certification.expires_on},
        )


@roles_required(*PARTNER_ROLES)
def my_certifications(request: HttpRequest) -> HttpResponse:
    certifications = list(selectors.certifications_of(tenant=request.tenant, user=request.user))
    return render(request, "onboarding/training/my_certifications.html", {"certifications": certifications})


@roles_required(*PARTNER_ROLES)
def certification(request: HttpRequest, certification_id) -> HttpResponse:
    """A certificate to show or print: the partner's own people's only."""
    certification = selectors.access_certification(
        tenant=request.tenant, public_id=certification_id, partner_id=request.membership.partner_id
    )
    return render(request, "onboarding/training/certificate.html", {"certification": certification})


# --- partner portal: the team's training ------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@roles_required(*PARTNER_ROLES)
def team_training(request: HttpRequest) -> HttpResponse:
    """The partner admin's view of every person's tracks, path progress and certifications; a rep sees their own."""
    if request.membership.role != Role.PARTNER_ADMIN:
        return back_to_tenant(request, "partner_training:team_member", membership_id=request.membership.public_id)
    people = selectors.team_training(tenant=request.tenant, partner_id=request.membership.partner_id)
    if export_format(request):
        return _team_export(request, people, request.membership.partner)
    context = {
        "people": people,
        "partner": request.membership.partner,
        "can_edit": True,
        "tracks": Track.choices,
        "expiring_days": EXPIRING_SOON_DAYS,
    }
    return render(request, "onboarding/training/team.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@roles_required(*PARTNER_ROLES)
def team_member_training(request: HttpRequest, membership_id) -> HttpResponse:
    """One person's tracks, paths and certifications. Partner admins change the tracks (POST); a rep
    sees only their own page and changes nothing (403)."""
    is_admin = request.membership.role == Role.PARTNER_ADMIN
    if request.method == "POST" and not is_admin:
        raise PermissionDenied(_("Only your organisation's partner admins assign learning paths."))
    if not is_admin and membership_id != request.membership.public_id:
        raise NotFoundError()  # a rep's colleagues are "not found", like anybody else's
    if request.method == "POST":
        member = selectors.access_team_member(
            tenant=request.tenant, partner_id=request.membership.partner_id, public_id=membership_id
        )
        try:
            learning.learner_tracks_set(
                tenant=request.tenant,
                actor=request.user,
                partner=request.membership.partner,
                user=member.user,
                tracks=request.POST.getlist("tracks"),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Learning paths saved for %(person)s.") % {"person": member.user.get_full_name()})
        if request.POST.get("return_to") == "person":
            return back_to_tenant(request, "partner_training:team_member", membership_id=member.public_id)
        return back_to_tenant(request, "partner_training:team")
    people = selectors.team_training(tenant=request.tenant, partner_id=request.membership.partner_id, membership_id=membership_id)
    if not people:
        raise NotFoundError()
    context = {
        "person": people[0],
        "partner": request.membership.partner,
        "can_edit": is_admin,
        "tracks": Track.choices,
        "expiring_days": EXPIRING_SOON_DAYS,
    }
    return render(request, "onboarding/training/team_member.html", context)


# --- vendor portal -----------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    courses = selectors.course_overview(tenant=request.tenant)
    if export_format(request):
        # the course table of the page: one query
        return export_queryset(
            request,
            filename=f"training-courses-{request.tenant.slug}.csv",
            queryset=courses.order_by("title", "id"),
            columns={
                "id": "public_id",
                "title": "title",
                "track": "track",
                "published": "is_published",
                "attempted": "attempted",
                "passed": "passed",
                "certified_now": "certified",
            },
        )
    expiring = selectors.certification_filter(tenant=request.tenant, data={"expiring_within_days": EXPIRING_SOON_DAYS}).qs.count()
    context = {
        "courses": courses,
        "expiring": expiring,
        "expiring_days": EXPIRING_SOON_DAYS,
        "partners_on_paths": selectors.partners_on_learning_paths(tenant=request.tenant),
    }
    return render(request, "onboarding/training/overview.html", context)


def _team_export(request: HttpRequest, people: list, partner) -> HttpResponse:
    """One row per person of the team page: tracks, each path's progress, current certifications (already read)."""
    return export_response(
        request,
        filename=f"training-{partner.public_id}.csv",
        header=["person_id", "name", "email", "role", "tracks", "path_progress", "certifications"],
        rows=(
            [
                person.membership.public_id,
                person.user.get_full_name(),
                person.user.email,
                person.membership.role,
                "; ".join(person.tracks),
                "; ".join(f"{path.label}: {path.done}/{path.total}" for path in person.paths),
                "; ".join(
                    f"{c.certification.course.title} ({c.status}, {c.certification.expires_on or ''})"
                    for c in person.certifications
                ),
            ]
            for person in people
        ),
    )


@roles_required(*STAFF_ROLES)
def partner_team_training(request: HttpRequest, partner_id) -> HttpResponse:
    """Vendor staff's read-only view of one partner's people: tracks, path progress and certifications."""
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    people = selectors.team_training(tenant=request.tenant, partner_id=partner.pk)
    if export_format(request):
        return _team_export(request, people, partner)
    context = {
        "people": people,
        "partner": partner,
        "can_edit": False,
        "tracks": Track.choices,
        "expiring_days": EXPIRING_SOON_DAYS,
    }
    return render(request, "onboarding/training/team.html", context)


@roles_required(*STAFF_ROLES)
def certification_list(request: HttpRequest) -> HttpResponse:
    certification_filter = selectors.certification_filter(tenant=request.tenant, data=request.GET)
    queryset = certification_filter.qs
    if export_format(request):
        rows = (
            (
                c.credential_number,
                c.partner.name,
                c.user.get_full_name(),
                c.user.email,
                c.course.title,
                c.issued_at,
                c.expires_on,
                c.revoked_at,
            )
            for c in queryset.iterator(chunk_size=500)
        )
        return export_response(
            request,
            filename=f"certifications-{request.tenant.slug}.csv",
            header=["credential_number", "partner", "holder", "email", "course", "issued_at", "expires_on", "revoked_at"],
            rows=rows,
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": certification_filter,
        "page": page,
        "query": filter_query(request, certification_filter),
        "courses": Course.objects.filter(tenant=request.tenant).order_by("title"),
        "expiring_days": EXPIRING_SOON_DAYS,
        "can_revoke": request.membership.role in PARTNER_EDITOR_ROLES,
        "form": ReasonForm(),
    }
    return render(request, "onboarding/training/certification_list.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def certification_revoke(request: HttpRequest, certification_id) -> HttpResponse:
    certification = selectors.access_certification(tenant=request.tenant, public_id=certification_id, partner_id=None)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        training.certification_revoke(
            tenant=request.tenant, actor=request.user, certification=certification, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Certification %(number)s is revoked.") % {"number": certification.credential_number})
    return back_to_tenant(request, "training:certifications")
