"""PSAT surveys in the API.

Staff (``surveys/``): list, create (``Idempotency-Key`` honoured), read with questions, and
``surveys/<id>/results/``: NPS, mean scores and question means overall, by partner type, by tier and by
partner with the falling-PSAT flag. Partner users (``my-surveys/``): the surveys open for their
organisation with their own answer, one survey, and ``my-surveys/<id>/answer/`` (POST: answer or
change the answer; ``Idempotency-Key`` honoured, and answering twice leaves one answer). Every action
calls :mod:`partners.surveys.services`, as the portal does.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError
from partners.models import Tier
from partners.surveys import selectors, services
from partners.surveys.models import Survey, SurveyQuestion

from .serializers import (
    AnswerInputSerializer,
    MySurveyOutputSerializer,
    SurveyDetailOutputSerializer,
    SurveyInputSerializer,
    SurveyOutputSerializer,
    SurveyResultsOutputSerializer,
)

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)


def _nps_question(tenant) -> str:
    return f"How likely are you to recommend partnering with {tenant.name}?"


def _questions(surveys: list[Survey]) -> dict[int, list[SurveyQuestion]]:
    """{survey id: its questions in order} (one query)."""
    out: dict[int, list[SurveyQuestion]] = {s.pk: [] for s in surveys}
    for question in SurveyQuestion.objects.filter(survey__in=surveys).order_by("survey_id", "position"):
        out[question.survey_id].append(question)
    return out


class SurveyFilter(django_filters.FilterSet):
    """``q``: the title contains it; ``open_on``: surveys open on that day (opens on or before, closes on or after)."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    open_on = django_filters.DateFilter(method="filter_open_on", label="Open on this day")

    class Meta:
        model = Survey
        fields = ["q", "open_on"]

    def filter_open_on(self, queryset, name, value):
        return queryset.filter(opens_on__lte=value, closes_on__gte=value)


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tenant's PSAT surveys, newest first."""

    model = Survey
    serializer_class = SurveyOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = SurveyFilter
    ordering_fields = ["created_at", "opens_on", "closes_on"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return selectors.surveys_for_staff(tenant=self.tenant)

    def _with_tiers(self, surveys: list[Survey]) -> list[Survey]:
        public = dict(Tier.objects.filter(tenant=self.tenant).values_list("pk", "public_id"))
        for survey in surveys:
            survey.audience_tiers = [public[t] for t in survey.audience_tier_ids if t in public]
        return surveys

    def list(self, request, *args, **kwargs):
        page = self._with_tiers(list(self.paginate_queryset(self.filter_queryset(self.get_queryset()))))
        return self.get_paginated_response(SurveyOutputSerializer(page, many=True).data)

    def _detail(self, survey: Survey, *, status_code: int = status.HTTP_200_OK) -> Response:
        survey = self.get_queryset().get(pk=survey.pk)
        self._with_tiers([survey])
        survey.questions_list = selectors.survey_questions(survey=survey)
        survey.nps_question = _nps_question(self.tenant)
        data = SurveyDetailOutputSerializer(survey).data
        return Response(data, status=status_code)

    @extend_schema(responses={200: SurveyDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One survey with its questions."""
        return self._detail(self.get_object())

    @extend_schema(request=SurveyInputSerializer, responses={201: SurveyDetailOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Schedule a survey: ``opens_on`` ≤ ``closes_on`` (not in the past), audience, questions after the NPS question."""
        payload = SurveyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        survey = services.survey_create(
            tenant=self.tenant, actor=self.actor, values=data, questions=[dict(q) for q in data["questions"]]
        )
        return self._detail(survey, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=SurveyInputSerializer, responses={200: SurveyDetailOutputSerializer})
    def update(self, request, *args, **kwargs):
        """Change the details, the audience and, while nobody has answered, the questions (every field, as on
        create). ``409 survey_closed`` once it has closed; ``400 closes_in_past``."""
        survey = self.get_object()
        payload = SurveyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        survey = services.survey_update(
            tenant=self.tenant, actor=self.actor, survey=survey, values=data, questions=[dict(q) for q in data["questions"]]
        )
        return self._detail(survey)

    @extend_schema(responses={200: SurveyResultsOutputSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, *args, **kwargs):
        """NPS (% promoters − % detractors), mean 0–10 score, PSAT and question means: overall, by type, tier, partner."""
        survey = self.get_object()
        results = selectors.survey_results(tenant=self.tenant, survey=survey)
        overall = results.overall
        data = {
            "id": survey.public_id,
            "responses": overall["responses"],
            "nps": overall["nps"],
            "mean_score": overall["mean_score"],
            "psat": overall["psat"],
            "questions": [{"position": q.position, "text": q.text, "mean": mean} for q, mean in results.question_means],
            "by_partner_type": results.by_type,
            "by_tier": results.by_tier,
            "by_partner": results.by_partner,
        }
        return Response(SurveyResultsOutputSerializer(data).data)


class MySurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Surveys for your organisation: the open ones (list), any it may read (detail), and answering."""

    model = Survey
    serializer_class = MySurveyOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = SurveyFilter
    ordering_fields = ["created_at", "closes_on"]
    read_roles = _EVERYONE
    write_roles = _EVERYONE  # staff reach the lookup (404 for any id) rather than a bare role error

    def _partner(self):
        if self.caller_partner_id is None:
            raise exceptions.PermissionDenied(
                code="partner_only", detail="Only partner users answer surveys. Staff and API keys use surveys/."
            )
        return self.membership.partner

    def scoped_queryset(self) -> QuerySet:
        if self.caller_partner_id is None:
            return Survey.objects.none()
        return selectors.surveys_for_partner(tenant=self.tenant, partner=self.membership.partner)

    def _shape(self, surveys: list[Survey]) -> list[dict]:
        questions = _questions(surveys)
        mine = selectors.my_responses(tenant=self.tenant, user=self.request.user)
        out = []
        for survey in surveys:
            asked = questions[survey.pk]
            response = mine.get(survey.pk)
            my_answer = None
            if response is not None:
                positions = {str(q.pk): str(q.position) for q in asked}
                my_answer = {
                    "nps": response.nps,
                    "answers": {positions[k]: v for k, v in response.answers.items() if k in positions},
                    "submitted_at": response.submitted_at,
                }
            out.append(
                {
                    "public_id": survey.public_id,
                    "title": survey.title,
                    "intro": survey.intro,
                    "opens_on": survey.opens_on,
                    "closes_on": survey.closes_on,
                    "status": survey.status,
                    "nps_question": _nps_question(self.tenant),
                    "questions": asked,
                    "my_answer": my_answer,
                }
            )
        return out

    def list(self, request, *args, **kwargs):
        """The surveys open for your organisation now, with your answer when you gave one."""
        partner = self._partner()
        queryset = selectors.open_surveys_for_partner(tenant=self.tenant, partner=partner)
        page = list(self.paginate_queryset(self.filter_queryset(queryset)))
        return self.get_paginated_response(MySurveyOutputSerializer(self._shape(page), many=True).data)

    def _read(self) -> Survey:
        if self.caller_partner_id is None:
            raise NotFoundError()  # staff and API keys: no survey is "theirs" here, as for a missing id
        partner = self.membership.partner
        return selectors.access_survey(tenant=self.tenant, public_id=self.kwargs[self.lookup_url_kwarg], partner=partner)

    def retrieve(self, request, *args, **kwargs):
        """One survey your organisation is in the audience of (open or closed), with your answer."""
        survey = self._read()
        return Response(MySurveyOutputSerializer(self._shape([survey])[0]).data)

    @extend_schema(request=AnswerInputSerializer, responses={200: MySurveyOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, *args, **kwargs):
        """Answer (or change your answer to) an open survey: ``nps`` 0–10 and ``answers`` {position: value}.
        ``409`` ``survey_not_open``; ``400`` ``required`` or ``out_of_range`` with ``attr`` ``nps`` or ``q_<position>``."""
        survey = self._read()
        payload = AnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.survey_respond(
            tenant=self.tenant,
            actor=request.user,
            partner_id=self.caller_partner_id,
            survey=survey,
            nps=payload.validated_data["nps"],
            answers=payload.validated_data["answers"],
        )
        return Response(MySurveyOutputSerializer(self._shape([survey])[0]).data)
