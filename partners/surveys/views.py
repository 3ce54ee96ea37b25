"""PSAT survey pages.

Vendor staff: the surveys with their NPS over time (a line chart) and the partners whose PSAT is
falling; scheduling and editing a survey (owners and partner managers); one survey's results by
partner type, tier and partner, exportable to CSV. Partner users: the open surveys for their
organisation, the answer form (their earlier answer filled in, changeable until the survey closes)
and their past answers. Every action calls :mod:`partners.surveys.services`, as the API does.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import Tier

from . import metrics, selectors, services
from .forms import QUESTION_ROWS, AnswerForm, SurveyForm, put_error
from .models import QuestionKind, SurveyStatus

PAGE_SIZE = 25


def _tiers(request: HttpRequest) -> list[Tier]:
    return list(Tier.objects.filter(tenant=request.tenant).order_by("rank"))


def _rule() -> dict:
    return {"points": metrics.FALL_POINTS, "promoter": metrics.PROMOTER_MIN, "detractor": metrics.DETRACTOR_MAX}


# --- vendor ----------------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def survey_list(request: HttpRequest) -> HttpResponse:
    if export_format(request):
        # every survey with its figures: three queries (the surveys, then the responses and the scale once)
        surveys = list(selectors.surveys_for_staff(tenant=request.tenant))
        figures = selectors.survey_figures(tenant=request.tenant, surveys=surveys)
        return export_response(
            request,
            filename=f"surveys-{request.tenant.slug}.csv",
            header=["id", "title", "status", "opens_on", "closes_on", "responses", "nps", "mean_score", "psat"],
            rows=(
                [s.public_id, s.title, s.status, s.opens_on, s.closes_on, s.response_count]
                + [figures.get(s.pk, {}).get(name) for name in ("nps", "mean_score", "psat")]
                for s in surveys
            ),
        )
    page = Paginator(selectors.surveys_for_staff(tenant=request.tenant), PAGE_SIZE).get_page(request.GET.get("page"))
    surveys = list(page)
    figures = selectors.survey_figures(tenant=request.tenant, surveys=surveys)
    for survey in surveys:
        survey.figures = figures.get(survey.pk, {})
    context = {
        "page": page,
        "surveys": surveys,
        "trend": selectors.trend(tenant=request.tenant),
        "falling": selectors.falling_partners(tenant=request.tenant),
        "rule": _rule(),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "surveys/list.html", context)


def _survey_form(request: HttpRequest, tiers: list[Tier], data=None, initial=None) -> SurveyForm:
    return SurveyForm(data, initial=initial, tiers=[(str(t.public_id), t.name) for t in tiers])


@roles_required(*PARTNER_EDITOR_ROLES)
def survey_create(request: HttpRequest) -> HttpResponse:
    tiers = _tiers(request)
    form = _survey_form(request, tiers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                tenant=request.tenant, actor=request.user, values=form.values(), questions=form.questions()
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Survey %(title)s scheduled.") % {"title": survey.title})
            return back_to_tenant(request, "surveys:detail", survey_id=survey.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/form.html", {"form": form, "survey": None}, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def survey_edit(request: HttpRequest, survey_id) -> HttpResponse:
    survey = selectors.access_survey(tenant=request.tenant, public_id=survey_id)
    tiers = _tiers(request)
    questions = selectors.survey_questions(survey=survey)
    initial = SurveyForm.initial_for(survey, questions, {t.pk: str(t.public_id) for t in tiers})
    form = _survey_form(request, tiers, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # A survey with more questions than the form has rows (made through the API) keeps its questions.
            new_questions = form.questions() if len(questions) <= QUESTION_ROWS else None
            services.survey_update(
                tenant=request.tenant, actor=request.user, survey=survey, values=form.values(), questions=new_questions
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Survey saved."))
            return back_to_tenant(request, "surveys:detail", survey_id=survey.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/form.html", {"form": form, "survey": survey}, status=status)


@roles_required(*STAFF_ROLES)
def survey_detail(request: HttpRequest, survey_id) -> HttpResponse:
    survey = selectors.access_survey(tenant=request.tenant, public_id=survey_id)
    if export_format(request):
        return _export(request, survey)
    results = selectors.survey_results(tenant=request.tenant, survey=survey)
    context = {
        "survey": survey,
        "results": results,
        "audience": selectors.audience_label(survey, selectors.tier_names(tenant=request.tenant)),
        "rule": _rule(),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES and survey.status != SurveyStatus.CLOSED,
    }
    return render(request, "surveys/detail.html", context)


def _export(request: HttpRequest, survey) -> HttpResponse:
    questions = selectors.survey_questions(survey=survey)
    rows = selectors.responses_for_export(tenant=request.tenant, survey=survey)
    return export_response(
        request,
        filename=f"survey-{survey.public_id}.csv",
        header=[
            "response",
            "partner",
            "partner_type",
            "respondent",
            "submitted_at",
            "nps",
            *[f"q{q.position}: {q.text}" for q in questions],
        ],
        rows=(
            [
                r.public_id,
                r.partner.name,
                r.partner.partner_type,
                r.respondent.email,
                r.submitted_at.isoformat(),
                r.nps,
                *[r.answers.get(str(q.pk), "") for q in questions],
            ]
            for r in rows
        ),
    )


# --- partner ---------------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def partner_list(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    surveys = list(selectors.surveys_for_partner(tenant=request.tenant, partner=partner)[:100])
    mine = selectors.my_responses(tenant=request.tenant, user=request.user)
    open_surveys = [s for s in surveys if s.status == SurveyStatus.OPEN]
    for survey in surveys:
        survey.my_response = mine.get(survey.pk)
    answered = [s for s in surveys if s.my_response is not None]
    return render(request, "surveys/partner_list.html", {"open_surveys": open_surveys, "answered": answered})


@roles_required(*PARTNER_ROLES)
def partner_answer(request: HttpRequest, survey_id) -> HttpResponse:
    partner = request.membership.partner
    survey = selectors.access_survey(tenant=request.tenant, public_id=survey_id, partner=partner)
    questions = selectors.survey_questions(survey=survey)
    response = selectors.my_response(tenant=request.tenant, survey=survey, user=request.user)
    is_open = survey.status == SurveyStatus.OPEN
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        initial=AnswerForm.initial_for(response, questions),
        questions=questions,
        vendor=request.tenant.name,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_respond(
                    tenant=request.tenant,
                    actor=request.user,
                    partner_id=partner.pk,
                    survey=survey,
                    nps=form.cleaned_data.get("nps"),
                    answers=form.answers(),
                )
            except ApplicationError as error:
                put_error(form, error)
            else:
                messages.success(request, _("Thank you: your answers are saved. You can change them until the survey closes."))
                return back_to_tenant(request, "partner_surveys:list")
        status = 409 if not is_open else 400
    answers = []
    if response is not None:
        for question in questions:
            answers.append((question, response.answers.get(str(question.pk), "")))
    context = {
        "survey": survey,
        "form": form,
        "response": response,
        "answers": answers,
        "is_open": is_open,
        "scale_kind": QuestionKind.SCALE_1_5,
    }
    return render(request, "surveys/answer.html", context, status=status)
